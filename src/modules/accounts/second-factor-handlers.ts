import type { NextFunction, Request, Response } from 'express';
import type { AppDeps } from '../../deps';
import { actorOf } from '../../web/actor';
import { flash } from '../../web/flash';
import { parseForm } from '../../web/forms';
import { safeLocalPath } from '../../web/redirect';
import { ENROL_PATH } from '../../web/second-factor';
import { secondFactorCodeSchema } from './schemas';
import * as factors from './second-factor-queries';
import * as service from './second-factor';
import { groupedSecret, totpQrSvg } from './totp';

export const SECOND_STEP_PATH = '/login/second-factor';
/** How long the password step stays good while the code is being typed. */
const SECOND_STEP_MINUTES = 5;

/**
 * Called by the sign-in handler once the password is right: an enrolled user's session is renewed
 * (a fixated id is worthless) and holds only "password proved"; nobody is signed in until the code.
 * Returns false when the user has no second factor, and sign-in goes on as before.
 */
export async function holdForSecondStep(deps: AppDeps, req: Request, userId: number, next: string): Promise<boolean> {
  const factor = await factors.findSecondFactor(deps.db, userId);
  if (!factor?.confirmed_at) return false;
  await new Promise<void>((resolve, reject) => req.session.regenerate((err) => (err ? reject(err) : resolve())));
  req.session.secondStep = { userId, next, startedAt: deps.clock.now().getTime() };
  return true;
}

const noStore = (res: Response) => res.set('Cache-Control', 'no-store');

export function create(deps: AppDeps) {
  function pendingStep(req: Request) {
    const step = req.session?.secondStep;
    if (!step || deps.clock.now().getTime() - step.startedAt > SECOND_STEP_MINUTES * 60 * 1000) return undefined;
    return step;
  }

  function renderCode(
    req: Request,
    res: Response,
    status: number,
    mode: 'sign_in' | 'step_up',
    extra: Record<string, unknown> = {},
  ) {
    res.status(status).render('accounts/code', {
      title: req.t(mode === 'sign_in' ? 'accounts.secondFactor.signInTitle' : 'accounts.secondFactor.stepUpTitle'),
      action: mode === 'sign_in' ? SECOND_STEP_PATH : '/account/second-factor/verify',
      mode,
      next: safeLocalPath(req.query.next ?? (req.body as Record<string, unknown> | undefined)?.next, '/dashboard'),
      values: {},
      errors: {},
      ...extra,
    });
  }

  /** A wrong, malformed or throttled code: the form again with the message; 422 or 429. */
  function refuse(
    req: Request,
    res: Response,
    mode: 'sign_in' | 'step_up',
    result: service.CodeResult | { ok: false; reason: 'malformed' },
    errors?: Record<string, string>,
  ) {
    if (result.ok) throw new Error('refuse() called with a success');
    if (result.reason === 'throttled') {
      return renderCode(req, res, 429, mode, {
        formError: req.t('accounts.secondFactor.throttled', { minutes: result.waitMinutes }),
      });
    }
    renderCode(req, res, 422, mode, { errors: errors ?? { code: req.t('accounts.secondFactor.wrongCode') } });
  }

  /** Enrolled: the state and the recovery-code count. Enrolling: the QR code and the confirm form. */
  async function enrolPage(req: Request, res: Response, status = 200, extra: Record<string, unknown> = {}) {
    const user = req.user!;
    const [state, secret] = await Promise.all([
      factors.secondFactorStatus(deps.db, user.id),
      service.pendingSecret(deps, user.id),
    ]);
    noStore(res);
    res.status(status).render('accounts/second-factor', {
      title: req.t('accounts.secondFactor.title'),
      state,
      qr:
        secret && !state.enrolled
          ? await totpQrSvg(secret, user.username, req.t('accounts.secondFactor.qrLabel'))
          : null,
      secret: secret && !state.enrolled ? groupedSecret(secret) : null,
      required: req.secondFactor?.required ?? false,
      values: {},
      errors: {},
      ...extra,
    });
  }

  return {
    secondStepPage(req: Request, res: Response) {
      if (!pendingStep(req)) return res.redirect(303, '/login?expired=1');
      renderCode(req, res, 200, 'sign_in');
    },

    async secondStep(req: Request, res: Response, next: NextFunction) {
      const step = pendingStep(req);
      if (!step) return res.redirect(303, '/login?expired=1');
      const form = parseForm(secondFactorCodeSchema, req.body, req.t);
      if (!form.ok) return refuse(req, res, 'sign_in', { ok: false, reason: 'malformed' }, form.errors);
      const result = await service.verifyCode(deps, actorOf(req), step.userId, form.data.code, 'sign_in');
      if (!result.ok && result.reason === 'not_enrolled') return res.redirect(303, '/login');
      if (!result.ok) return refuse(req, res, 'sign_in', result);
      // req.logIn renews the session id again; the pending step goes with the old session.
      req.logIn({ id: step.userId } as Express.User, (err) => {
        if (err) return next(err);
        const now = deps.clock.now().getTime();
        req.session.signedInAt = now;
        req.session.lastSeenAt = now;
        req.session.secondFactorAt = now;
        if (result.method === 'recovery_code')
          flash(req, 'info', req.t('accounts.secondFactor.recoveryUsed', { count: result.recoveryCodesLeft ?? 0 }));
        res.redirect(303, step.next);
      });
    },

    verifyPage(req: Request, res: Response) {
      if (!req.user!.secondFactorEnrolled) return res.redirect(303, ENROL_PATH);
      renderCode(req, res, 200, 'step_up');
    },

    async verify(req: Request, res: Response) {
      const form = parseForm(secondFactorCodeSchema, req.body, req.t);
      if (!form.ok) return refuse(req, res, 'step_up', { ok: false, reason: 'malformed' }, form.errors);
      const result = await service.verifyCode(deps, actorOf(req), req.user!.id, form.data.code, 'step_up');
      if (!result.ok && result.reason === 'not_enrolled') return res.redirect(303, ENROL_PATH);
      if (!result.ok) return refuse(req, res, 'step_up', result);
      req.session.secondFactorAt = deps.clock.now().getTime();
      flash(req, 'success', req.t('accounts.secondFactor.verified'));
      if (result.method === 'recovery_code')
        flash(req, 'info', req.t('accounts.secondFactor.recoveryUsed', { count: result.recoveryCodesLeft ?? 0 }));
      res.redirect(303, safeLocalPath((req.body as Record<string, unknown>).next, '/dashboard'));
    },

    enrolPage: (req: Request, res: Response) => enrolPage(req, res),

    async startEnrolment(req: Request, res: Response) {
      await service.startEnrolment(deps, actorOf(req), req.user!.id);
      res.redirect(303, ENROL_PATH);
    },

    async confirmEnrolment(req: Request, res: Response) {
      const form = parseForm(secondFactorCodeSchema, req.body, req.t);
      if (!form.ok) return enrolPage(req, res, 422, { errors: form.errors });
      const codes = await service.confirmEnrolment(deps, actorOf(req), req.user!.id, form.data.code);
      if (!codes) return enrolPage(req, res, 422, { errors: { code: req.t('accounts.secondFactor.wrongCode') } });
      req.session.secondFactorAt = deps.clock.now().getTime();
      noStore(res);
      res.render('accounts/recovery-codes', {
        title: req.t('accounts.secondFactor.recoveryTitle'),
        codes,
        enrolled: true,
      });
    },

    async regenerateCodes(req: Request, res: Response) {
      const codes = await service.regenerateRecoveryCodes(deps, actorOf(req), req.user!.id);
      noStore(res);
      res.render('accounts/recovery-codes', {
        title: req.t('accounts.secondFactor.recoveryTitle'),
        codes,
        enrolled: false,
      });
    },
  };
}
