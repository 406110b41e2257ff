import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { base32, matchTotp, newTotpSecret, totpAt, totpUri } from '../../src/modules/accounts/totp';
import {
  decryptSecret,
  encryptSecret,
  hashRecoveryCode,
  mfaKeys,
  readOrCreateKeyFile,
} from '../../src/modules/accounts/mfa-key';
import { isCommonPassword } from '../../src/modules/accounts/password-policy';
import { loadConfig } from '../../src/config';

const rfcSecret = base32.encode(new TextEncoder().encode('12345678901234567890'));

describe('TOTP (RFC 6238)', () => {
  it('gives the RFC 6238 test vectors (SHA-1, last 6 of 8 digits)', () => {
    expect(totpAt(rfcSecret, new Date(59 * 1000))).toBe('287082');
    expect(totpAt(rfcSecret, new Date(1111111109 * 1000))).toBe('081804');
    expect(totpAt(rfcSecret, new Date(1234567890 * 1000))).toBe('005924');
  });

  it('accepts the code of the step before and after, not two steps away', () => {
    const now = new Date(1700000000 * 1000);
    expect(matchTotp(rfcSecret, totpAt(rfcSecret, new Date(now.getTime() - 30000)), now, null)).not.toBeNull();
    expect(matchTotp(rfcSecret, totpAt(rfcSecret, new Date(now.getTime() + 30000)), now, null)).not.toBeNull();
    expect(matchTotp(rfcSecret, totpAt(rfcSecret, new Date(now.getTime() - 90000)), now, null)).toBeNull();
  });

  it('refuses a code of a time step already used, and anything but six digits', () => {
    const now = new Date(1700000000 * 1000);
    const step = matchTotp(rfcSecret, totpAt(rfcSecret, now), now, null)!;
    expect(step).toBe(Math.floor(1700000000 / 30));
    expect(matchTotp(rfcSecret, totpAt(rfcSecret, now), now, step)).toBeNull();
    expect(matchTotp(rfcSecret, '12345', now, null)).toBeNull();
    expect(matchTotp(rfcSecret, 'abcdef', now, null)).toBeNull();
  });

  it('makes 160-bit base32 secrets and an otpauth URI apps read', () => {
    const secret = newTotpSecret();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(base32.decode(secret)).toHaveLength(20);
    expect(totpUri(secret, 'manager.dongshan')).toBe(
      `otpauth://totp/Streetfund:manager.dongshan?secret=${secret}&issuer=Streetfund`,
    );
  });
});

describe('the second-factor key', () => {
  const keys = mfaKeys(loadConfig({ NODE_ENV: 'test' }));

  it('encrypts secrets so that the stored text does not contain them and only that user decrypts', () => {
    const sealed = encryptSecret(keys, 7, 'JBSWY3DPEHPK3PXP');
    expect(sealed).not.toContain('JBSWY3DPEHPK3PXP');
    expect(decryptSecret(keys, 7, sealed)).toBe('JBSWY3DPEHPK3PXP');
    expect(() => decryptSecret(keys, 8, sealed)).toThrow();
    const other = mfaKeys({
      env: 'test',
      secondFactor: { required: false, key: 'another-key-of-at-least-32-characters!!', keyFile: '' },
    });
    expect(() => decryptSecret(other, 7, sealed)).toThrow();
  });

  it('hashes recovery codes with the key, forgiving case and hyphens', () => {
    expect(hashRecoveryCode(keys, 'ab12-cd34-ef56')).toBe(hashRecoveryCode(keys, 'AB12CD34EF56'));
    const other = mfaKeys({
      env: 'test',
      secondFactor: { required: false, key: 'another-key-of-at-least-32-characters!!', keyFile: '' },
    });
    expect(hashRecoveryCode(other, 'AB12CD34EF56')).not.toBe(hashRecoveryCode(keys, 'AB12CD34EF56'));
  });

  it('is required in production, and generated once into a file outside the database elsewhere', () => {
    expect(() =>
      mfaKeys({ env: 'production', secondFactor: { required: true, key: '', keyFile: '/nonexistent/mfa.key' } }),
    ).toThrow(/MFA_KEY/);
    expect(() => mfaKeys({ env: 'production', secondFactor: { required: true, key: 'short', keyFile: '' } })).toThrow(
      /MFA_KEY/,
    );
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mfa-key-'));
    const file = path.join(dir, 'sub', 'mfa.key');
    const first = readOrCreateKeyFile(file);
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    expect(readOrCreateKeyFile(file)).toBe(first);
    expect(fs.statSync(file).mode & 0o077).toBe(0);
    expect(fs.readdirSync(path.dirname(file))).toEqual(['mfa.key']);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('turns the requirement on in production and with MFA_REQUIRED, off in demo mode', () => {
    expect(
      loadConfig({ NODE_ENV: 'production', SESSION_SECRET: 'x'.repeat(40), AUDIT_KEY: 'k'.repeat(32) }).secondFactor
        .required,
    ).toBe(true);
    expect(loadConfig({ NODE_ENV: 'development' }).secondFactor.required).toBe(false);
    expect(loadConfig({ NODE_ENV: 'development', MFA_REQUIRED: '1' }).secondFactor.required).toBe(true);
  });
});

describe('the common-password list', () => {
  it('holds a few thousand entries and is checked case-insensitively', () => {
    const file = fs.readFileSync(path.join(__dirname, '../../src/modules/accounts/common-passwords.txt'), 'utf8');
    expect(file.split('\n').filter((l) => l && !l.startsWith('#')).length).toBeGreaterThan(3000);
    expect(isCommonPassword('1qaz2wsx3edc')).toBe(true);
    expect(isCommonPassword('QWERTY123456')).toBe(true);
    expect(isCommonPassword('Streetfund-Demo')).toBe(true);
    expect(isCommonPassword('a walk along the grand canal')).toBe(false);
  });
});
