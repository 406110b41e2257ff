import type { TFunction } from 'i18next';
import type { SessionUser } from '../modules/accounts/roles';
import type { Language } from './i18n';

declare global {
   
  namespace Express {
    // eslint-disable-next-line @typescript-eslint/no-empty-object-type
    interface User extends SessionUser {}
    interface Request {
      t: TFunction;
      lang: Language;
      csrfToken?: (overwrite?: boolean) => string;
    }
  }
}

declare module 'express-session' {
  interface SessionData {
    csrfToken?: string;
    signedInAt?: number;
    lastSeenAt?: number;
    flash?: { type: 'success' | 'error' | 'info'; text: string }[];
  }
}

export {};
