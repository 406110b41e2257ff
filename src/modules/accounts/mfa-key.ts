import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../../config';

/**
 * The key that protects second factors: it encrypts TOTP secrets (AES-256-GCM) and keys the HMAC of
 * recovery codes, so a copy of the database alone reveals neither. It comes from MFA_KEY; outside
 * production, when MFA_KEY is empty, one is generated once into a file beside (not inside) the database.
 * Separate subkeys are derived for the two uses (HKDF), so neither use weakens the other.
 */
export interface MfaKeys {
  encryption: Buffer;
  codes: Buffer;
}

const cache = new Map<string, MfaKeys>();

export function mfaKeys(config: Pick<Config, 'env' | 'secondFactor'>): MfaKeys {
  const material = keyMaterial(config);
  let keys = cache.get(material);
  if (!keys) {
    const derive = (info: string) => Buffer.from(crypto.hkdfSync('sha256', material, 'streetfund-mfa', info, 32));
    keys = { encryption: derive('totp-secret-encryption'), codes: derive('recovery-code-hmac') };
    cache.set(material, keys);
  }
  return keys;
}

function keyMaterial({ env, secondFactor }: Pick<Config, 'env' | 'secondFactor'>): string {
  if (secondFactor.key) {
    if (secondFactor.key.length < 32) throw new Error('MFA_KEY must be at least 32 characters');
    return secondFactor.key;
  }
  if (env === 'production') throw new Error('MFA_KEY must be set to at least 32 characters when NODE_ENV=production');
  return readOrCreateKeyFile(secondFactor.keyFile);
}

/** Reads the key file, creating it first if missing. Creation is atomic (link of a complete temporary
 *  file), so two processes starting at once end up with the same key. */
export function readOrCreateKeyFile(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}`;
  fs.writeFileSync(tmp, crypto.randomBytes(32).toString('hex') + '\n', { mode: 0o600 });
  try {
    fs.linkSync(tmp, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  } finally {
    fs.unlinkSync(tmp);
  }
  return fs.readFileSync(file, 'utf8').trim();
}

/** "v1.<iv>.<tag>.<ciphertext>" in base64url; the user id is bound as associated data, so a secret
 *  copied onto another user's row does not decrypt. */
export function encryptSecret(keys: MfaKeys, userId: number, secret: string): string {
  const iv = crypto.randomBytes(12);
  const cipher = crypto.createCipheriv('aes-256-gcm', keys.encryption, iv);
  cipher.setAAD(Buffer.from(`user:${userId}`));
  const body = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
  return ['v1', iv, cipher.getAuthTag(), body]
    .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
    .join('.');
}

export function decryptSecret(keys: MfaKeys, userId: number, sealed: string): string {
  const [version, iv, tag, body] = sealed.split('.');
  if (version !== 'v1' || !iv || !tag || body === undefined) throw new Error('unreadable second-factor secret');
  const decipher = crypto.createDecipheriv('aes-256-gcm', keys.encryption, Buffer.from(iv, 'base64url'));
  decipher.setAAD(Buffer.from(`user:${userId}`));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
}

/** Recovery codes are random (60 bits), so a keyed hash is enough; no slow KDF is needed. */
export function hashRecoveryCode(keys: MfaKeys, code: string): string {
  return crypto.createHmac('sha256', keys.codes).update(normalizeRecoveryCode(code)).digest('hex');
}

export function normalizeRecoveryCode(code: string): string {
  return code.toUpperCase().replace(/[\s-]/g, '');
}

// Crockford-style alphabet without I, L, O, U: nothing to confuse when copied from paper.
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** Groups of four random characters (5 bits each), joined by hyphens: XXXX-XXXX-... */
export function randomGroups(groups: number): string {
  const bytes = crypto.randomBytes(groups * 4);
  const chars = [...bytes].map((b) => ALPHABET[b & 31]);
  return Array.from({ length: groups }, (_, i) => chars.slice(i * 4, i * 4 + 4).join('')).join('-');
}

/** A recovery code: 12 characters, 60 bits, shown as XXXX-XXXX-XXXX. */
export const newRecoveryCode = () => randomGroups(3);
