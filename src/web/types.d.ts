import type { TFunction } from 'i18next';
import type { SessionUser } from '../modules/accounts/roles';
import type { Language } from './i18n';
import type { SecondFactorState } from './second-factor';

declare global {
  namespace Express {
    // eslint-disable-next-line @typescript-eslint/no-empty-object-type
    interface User extends SessionUser {}
    interface Request {
      t: TFunction;
      lang: Language;
      csrfToken?: (overwrite?: boolean) => string;
      secondFactor?: SecondFactorState;
    }
  }
}

declare module 'express-session' {
  interface SessionData {
    csrfToken?: string;
    signedInAt?: number;
    lastSeenAt?: number;
    /** When the second factor was last proved in this session (ms). */
    secondFactorAt?: number;
    /** Password right, second factor still to prove: the session is not signed in yet. */
    secondStep?: { userId: number; next: string; startedAt: number };
    /** Wrong current passwords on the change form; too many end the session. */
    passwordChangeFailures?: number;
    flash?: { type: 'success' | 'error' | 'info'; text: string }[];
  }
}

export {};
