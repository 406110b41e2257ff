import type { Request, Response } from 'express';
import type { AppDeps } from '../../deps';
import { once } from '../../web/once';
import { submitForm } from '../../web/submit';
import { profileFormOptions, selectedCategories } from './pages';
import { parseRegistration } from './schemas';
import { registerOrganization } from './service';
import { shanghaiDate } from '../../shared/time';
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
    const selected = selectedCategories(req);
    await submitForm(req, res, {
      again: ({ status, errors, values, formError }) => {
        // The password is never sent back to the browser.
        const shown = { ...values };
        delete shown.password;
        return render(req, res, status, { values: shown, selected, errors, ...(formError ? { formError } : {}) });
      },
      parse: (body) => parseRegistration(body, req.t, shanghaiDate(deps.clock.now())),
      run: async (data) => {
        // Counted per address before anything is checked against the database or hashed: a valid form
        // is an attempt, accepted or not (so refused credit codes cannot be tried without limit either).
        const attempt = await limiter.consume([{ key: registrationKey(req.ip ?? 'unknown'), rule }]);
        if (!attempt.ok) {
          res.setHeader('Retry-After', String(attempt.waitSeconds));
          return {
            status: 429,
            formError: tryAgainMessage(req, attempt.retryAt, attempt.waitSeconds, 'signIn.registerTooMany'),
          };
        }
        const { username } = await once(req, deps.db, 'organizations.register', (actor) =>
          registerOrganization(deps, actor, data),
        );
        return {
          redirect: '/login?next=%2Fmy%2Forganization',
          flash: req.t('organizations.register.done', { name: data.name, username }),
        };
      },
    });
  }

  return { form, create };
}
