import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { rootDir } from '../../config';

/** A new password has at least this many characters (ASVS 2.1.1); at most 200 keeps forms bounded. */
export const MIN_PASSWORD_LENGTH = 12;

let common: Set<string> | undefined;

/** The list shipped in common-passwords.txt, read once, lower-cased. */
function commonPasswords(): Set<string> {
  if (!common) {
    const text = fs.readFileSync(path.join(rootDir, 'src', 'modules', 'accounts', 'common-passwords.txt'), 'utf8');
    common = new Set(
      text
        .split('\n')
        .map((l) => l.trim().toLowerCase())
        .filter((l) => l && !l.startsWith('#')),
    );
  }
  return common;
}

export function isCommonPassword(plain: string): boolean {
  return commonPasswords().has(plain.trim().toLowerCase());
}

/** The rule every chosen password passes: length first, then the common list (case-insensitive). */
export const newPasswordField = () =>
  z
    .string()
    .max(200)
    .refine((v) => [...v].length >= MIN_PASSWORD_LENGTH, { message: 'validation.passwordLength' })
    .refine((v) => !isCommonPassword(v), { message: 'validation.passwordCommon' });
