import type { Request, Response } from 'express';
import type { AppDeps } from '../../deps';
import { actorOf } from '../../web/actor';
import { flash } from '../../web/flash';
import { formValues } from '../../web/forms';
import { submitForm } from '../../web/submit';
import { parseModuleForm } from '../catalog';
import { InsufficientFunds } from '../funds';
import { callLoaders } from './load';
import { renderShow } from './pages';
import { cancelSchema } from './schemas';
import * as service from './service';

/** Publishing a draft (which reserves its budget) and cancelling a call, from the call's page. */
export function publicationHandlers(deps: AppDeps) {
  const { loadManaged } = callLoaders(deps);

  async function publish(req: Request, res: Response) {
    const call = await loadManaged(req);
    await submitForm(req, res, {
      // A call refused for its content (or its sources' cover) names every problem on its page.
      again: ({ status, errors, formError }) =>
        renderShow(deps, req, res, call, status, { formError: formError ?? Object.values(errors).join('；') }),
      onForm: [InsufficientFunds],
      run: async () => {
        await service.publishCall(deps, actorOf(req), req.user!, call.id);
        return { redirect: `/calls/${call.id}`, flash: req.t('calls.published') };
      },
    });
  }

  async function cancel(req: Request, res: Response) {
    const call = await loadManaged(req);
    const form = parseModuleForm(cancelSchema, req.body, req.t);
    if (!form.ok) return renderShow(deps, req, res, call, 422, { errors: form.errors, values: formValues(req.body) });
    await service.cancelCall(deps, actorOf(req), req.user!, call.id, form.data.reason);
    flash(req, 'success', req.t('calls.cancelled'));
    res.redirect(303, `/calls/${call.id}`);
  }

  return { publish, cancel };
}
