import type { Request, RequestHandler } from 'express';
import type { AppDeps } from '../deps';
import { SECOND_FACTOR_ROLES } from '../modules/accounts/roles';
import { DomainError, Forbidden } from './errors';

export const ENROL_PATH = '/account/second-factor';
export const VERIFY_PATH = '/account/second-factor/verify';
export const PASSWORD_PATH = '/account/password';

/** What a request knows of the signed-in user's second factor (set by accountGates). */
export interface SecondFactorState {
  /** The role has a second factor (manager, approver, auditor, admin). */
  applies: boolean;
  enrolled: boolean;
  /** Proved in this session (at sign-in, at enrolment, or at a step-up). */
  verified: boolean;
  /** Production: the role must have one and prove it. */
  required: boolean;
}

export class SecondFactorRequired extends DomainError {
  constructor(enrolled: boolean) {
    super(403, enrolled ? 'accounts.secondFactor.stepUpNeeded' : 'accounts.secondFactor.enrolNeeded');
  }
}

function stateOf(req: Request, config: AppDeps['config']): SecondFactorState | undefined {
  const user = req.user;
  if (!user) return undefined;
  const applies = SECOND_FACTOR_ROLES.includes(user.role);
  return {
    applies,
    enrolled: Boolean(user.secondFactorEnrolled),
    verified: Boolean(req.session?.secondFactorAt),
    required: applies && config.secondFactor.required,
  };
}

const open = (path: string, prefixes: string[]) =>
  path === '/logout' || path === '/language' || prefixes.some((p) => path === p || path.startsWith(p + '/'));

/**
 * Keeps a signed-in user on the page they must visit first: the password change after an
 * administrator's reset, then (where required) enrolling or proving the second factor. Everything
 * else answers with a redirect there (GET) or 403. Also sets the demo-mode banner.
 */
export function accountGates({ config }: Pick<AppDeps, 'config'>): RequestHandler {
  return (req, res, next) => {
    const state = stateOf(req, config);
    req.secondFactor = state;
    if (!req.user || !state) return next();
    const toward = (target: string, error: DomainError) =>
      req.method === 'GET'
        ? res.redirect(303, target === VERIFY_PATH ? `${target}?next=${encodeURIComponent(req.originalUrl)}` : target)
        : next(error);

    if (req.user.mustChangePassword && !open(req.path, [PASSWORD_PATH]))
      return toward(PASSWORD_PATH, new Forbidden('accounts.password.mustChange'));
    if (state.required && !state.enrolled && !open(req.path, [ENROL_PATH, PASSWORD_PATH]))
      return toward(ENROL_PATH, new SecondFactorRequired(false));
    if (state.required && state.enrolled && !state.verified && !open(req.path, [VERIFY_PATH]))
      return toward(VERIFY_PATH, new SecondFactorRequired(true));
    res.locals.secondFactorDemoBanner = state.applies && !state.enrolled && !state.required;
    next();
  };
}

/**
 * Step-up for sensitive actions: the second factor must have been proved in this session. Use it in
 * a route table as the first handler: `handler: [requireSecondFactor, h.approve]`. A GET is sent to
 * prove (or enrol) and comes back; a POST is refused with 403 and a message saying what to do.
 * Where the second factor is not required (demo mode) a user who has not enrolled passes, and the
 * banner says so; roles without a second factor (organization staff, reviewers) pass.
 */
export const requireSecondFactor: RequestHandler = (req, res, next) => {
  const state = req.secondFactor;
  if (!state) return next(new Forbidden()); // accountGates not mounted: refuse rather than guess
  if (!state.applies || state.verified) return next();
  if (!state.enrolled && !state.required) return next();
  if (req.method === 'GET') {
    return res.redirect(
      303,
      state.enrolled ? `${VERIFY_PATH}?next=${encodeURIComponent(req.originalUrl)}` : ENROL_PATH,
    );
  }
  next(new SecondFactorRequired(state.enrolled));
};
