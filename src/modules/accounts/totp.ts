import crypto from 'node:crypto';
import { generateSecret, type Base32Plugin, type CryptoPlugin } from '@otplib/core';
import { generateSync, verifySync } from '@otplib/totp';
import { generateTOTP } from '@otplib/uri';
import QRCode from 'qrcode';

/*
 * TOTP as RFC 6238 defines it and authenticator apps expect: SHA-1, 6 digits, 30-second steps.
 * otplib 13's own packages, with Node's crypto and a small RFC 4648 base32 as plugins: the `otplib`
 * facade loads noble/scure defaults that are ES modules only, which neither ts-jest nor Node 20 before
 * 20.19 can require from this CommonJS build.
 */
const nodeCrypto: CryptoPlugin = {
  name: 'node',
  algorithms: ['sha1', 'sha256', 'sha512'],
  hmac: (algorithm, key, data) => new Uint8Array(crypto.createHmac(algorithm, key).update(data).digest()),
  randomBytes: (length) => new Uint8Array(crypto.randomBytes(length)),
  constantTimeEqual: (a, b) => {
    const x = typeof a === 'string' ? Buffer.from(a) : Buffer.from(a);
    const y = typeof b === 'string' ? Buffer.from(b) : Buffer.from(b);
    return x.length === y.length && crypto.timingSafeEqual(x, y);
  },
};

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
export const base32: Base32Plugin = {
  name: 'rfc4648',
  encode(data) {
    let bits = 0;
    let value = 0;
    let out = '';
    for (const byte of data) {
      value = (value << 8) | byte;
      bits += 8;
      while (bits >= 5) {
        out += ALPHABET[(value >>> (bits - 5)) & 31];
        bits -= 5;
      }
    }
    if (bits > 0) out += ALPHABET[(value << (5 - bits)) & 31];
    return out;
  },
  decode(str) {
    const clean = str.toUpperCase().replace(/=+$/, '').replace(/\s/g, '');
    const out: number[] = [];
    let bits = 0;
    let value = 0;
    for (const ch of clean) {
      const index = ALPHABET.indexOf(ch);
      if (index < 0) throw new Error('not base32');
      value = (value << 5) | index;
      bits += 5;
      if (bits >= 8) {
        out.push((value >>> (bits - 8)) & 255);
        bits -= 8;
      }
    }
    return new Uint8Array(out);
  },
};

const plugins = { crypto: nodeCrypto, base32 };
const ISSUER = 'Streetfund';

/** 20 random bytes (160 bits, RFC 4226's recommendation), base32. */
export function newTotpSecret(): string {
  return generateSecret({ ...plugins, length: 20 });
}

export function totpUri(secret: string, username: string): string {
  return generateTOTP({ issuer: ISSUER, label: username, secret });
}

/** The QR code of the otpauth URI as SVG markup, embedded in the page (no script, no inline style). */
export async function totpQrSvg(secret: string, username: string, label: string): Promise<string> {
  const svg = await QRCode.toString(totpUri(secret, username), { type: 'svg', margin: 2, errorCorrectionLevel: 'M' });
  const escaped = label.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
  return svg.replace('<svg ', `<svg role="img" aria-label="${escaped}" `);
}

/** The secret in groups of four, for typing it into an app by hand. */
export function groupedSecret(secret: string): string {
  return secret.replace(/(.{4})/g, '$1 ').trim();
}

/**
 * The time step the code belongs to, or null. One step either side is accepted (clock drift);
 * `afterTimeStep` refuses a code of a step already used, so an observed code cannot be replayed.
 */
export function matchTotp(secret: string, code: string, now: Date, afterTimeStep: number | null): number | null {
  if (!/^\d{6}$/.test(code)) return null;
  const result = verifySync({
    ...plugins,
    secret,
    token: code,
    epoch: Math.floor(now.getTime() / 1000),
    epochTolerance: 30,
    ...(afterTimeStep === null ? {} : { afterTimeStep }),
  });
  return result.valid ? result.timeStep : null;
}

/** The code an authenticator app shows at `now` (tests use it to play the user's phone). */
export function totpAt(secret: string, now: Date): string {
  return generateSync({ ...plugins, secret, epoch: Math.floor(now.getTime() / 1000) });
}
