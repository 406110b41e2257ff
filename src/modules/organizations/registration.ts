import type { Request, Response } from 'express';
import type { AppDeps } from '../../deps';
import { once } from '../../web/once';
import { ValidationFailed } from '../../web/errors';
import { flash } from '../../web/flash';
import { formValues } from '../../web/forms';
import { profileFormOptions, selectedCategories, translate } from './pages';
import { parseRegistration } from './schemas';
import { registerOrganization, shanghaiToday } from './service';
import { createAttemptLimiter, registrationKey, registrationRule, tryAgainMessage } from '../../web/signin-limits';

/** Public self-registration of a social organization and its first staff account. Documents are
 *  uploaded after signing in (see the module README for why). */
export function registrationHandlers(deps: AppDeps) {
  const limiter = createAttemptLimiter(deps);
  const rule = registrationRule(deps.config);

  async function render(req: Request, res: Response, status: number, locals: Record<string, unknown>) {
    res.status(status).render('organizations/register', {
      title: req.t('organizations.register.title'),
      ...(await profileFormOptions(deps)),
      errors: {},
      values: {},
      selected: [],
      ...locals,
    });
  }

  async function form(req: Request, res: Response) {
    await render(req, res, 200, { values: { certifiedSocialWorkers: '0' } });
  }

  async function create(req: Request, res: Response) {
    // The password is never sent back to the browser.
    const values = formValues(req.body);
    delete values.password;
    const locals = { values, selected: selectedCategories(req) };
    const parsed = parseRegistration(req.body, req.t, shanghaiToday(deps.clock.now()));
    if (!parsed.ok) return render(req, res, 422, { ...locals, errors: parsed.errors });
    // Counted per address before anything is checked against the database or hashed: a valid form
    // is an attempt, accepted or not (so refused credit codes cannot be tried without limit either).
    const attempt = await limiter.consume([{ key: registrationKey(req.ip ?? 'unknown'), rule }]);
    if (!attempt.ok) {
      res.setHeader('Retry-After', String(attempt.waitSeconds));
      return render(req, res, 429, { ...locals, formError: tryAgainMessage(req, attempt.retryAt, attempt.waitSeconds, 'signIn.registerTooMany') });
    }
    let username: string;
    try {
      ({ username } = await once(req, deps.db, 'organizations.register', (actor) => registerOrganization(deps, actor, parsed.data)));
    } catch (err) {
      if (err instanceof ValidationFailed) return render(req, res, 422, { ...locals, errors: translate(req, err.fieldErrors) });
      throw err;
    }
    flash(req, 'success', req.t('organizations.register.done', { name: parsed.data.name, username }));
    res.redirect(303, '/login?next=%2Fmy%2Forganization');
  }

  return { form, create };
}
