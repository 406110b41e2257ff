import type { AppDeps } from '../../deps';
import { routeTable } from '../../web/routes';
import { requireSecondFactor } from '../../web/second-factor';
import * as factorHandlers from './second-factor-handlers';
import * as passwordHandlers from './password-handlers';
import { SECOND_FACTOR_ROLES } from './roles';
import { mfaKeys } from './mfa-key';

/** Passwords and the second factor: the user's own pages, the sign-in step, the administrator's resets. */
export function accountSecurityRoutes(deps: AppDeps) {
  mfaKeys(deps.config); // fail at start, not at the first enrolment, when production has no MFA_KEY
  const f = factorHandlers.create(deps);
  const p = passwordHandlers.create(deps);
  const enrollers = SECOND_FACTOR_ROLES;
  const admin = ['admin'] as const;
  return routeTable([
    { method: 'get', path: factorHandlers.SECOND_STEP_PATH, access: 'public', handler: f.secondStepPage },
    { method: 'post', path: factorHandlers.SECOND_STEP_PATH, access: 'public', handler: f.secondStep },
    { method: 'get', path: '/account/password', access: 'signedIn', handler: p.passwordPage },
    { method: 'post', path: '/account/password', access: 'signedIn', handler: p.changePassword },
    { method: 'get', path: '/account/second-factor', access: enrollers, handler: f.enrolPage },
    { method: 'post', path: '/account/second-factor', access: enrollers, handler: f.startEnrolment },
    { method: 'post', path: '/account/second-factor/confirm', access: enrollers, handler: f.confirmEnrolment },
    { method: 'get', path: '/account/second-factor/verify', access: enrollers, handler: f.verifyPage },
    { method: 'post', path: '/account/second-factor/verify', access: enrollers, handler: f.verify },
    {
      method: 'post',
      path: '/account/second-factor/recovery-codes',
      access: enrollers,
      handler: [requireSecondFactor, f.regenerateCodes],
    },
    {
      method: 'post',
      path: '/admin/users/:id/password-reset',
      access: admin,
      handler: [requireSecondFactor, p.resetPassword],
    },
    {
      method: 'post',
      path: '/admin/users/:id/second-factor-reset',
      access: admin,
      handler: [requireSecondFactor, p.resetSecondFactor],
    },
  ]);
}
