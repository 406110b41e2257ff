import bcrypt from 'bcryptjs';

/**
 * The one place passwords are hashed and checked, so that how it is done (cost, where the work runs)
 * is decided here for sign-in, registration, user creation and password changes alike.
 */
export function hashPassword(plain: string, rounds: number): Promise<string> {
  return bcrypt.hash(plain, rounds);
}

export function verifyPassword(plain: string, hash: string): Promise<boolean> {
  return bcrypt.compare(plain, hash);
}

// Compared against when the username is unknown, so that a wrong username takes as long as a wrong password.
const DUMMY_HASH = bcrypt.hashSync('streetfund-no-such-user', 4);

/** Checks a password against a user's hash, or against a dummy hash when there is no such user. */
export function verifyPasswordOrDummy(plain: string, hash: string | undefined): Promise<boolean> {
  return verifyPassword(plain, hash ?? DUMMY_HASH);
}
