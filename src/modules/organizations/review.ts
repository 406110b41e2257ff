import type { Request, Response } from 'express';
import type { AppDeps } from '../../deps';
import { actorOf } from '../../web/actor';
import { flash } from '../../web/flash';
import { parseForm } from '../../web/forms';
import { pageNumber } from '../../shared/pagination';
import { canReview, type Decision } from './policy';
import { listForReview } from './queries';
import { loadOrganization, renderShow } from './pages';
import { ORGANIZATION_STATUSES, reasonOptionalSchema, reasonRequiredSchema, type OrganizationStatus } from './schemas';
import { decide } from './service';

/** The district administrator's review queue and decisions. */
export function reviewHandlers(deps: AppDeps) {
  async function queue(req: Request, res: Response) {
    const raw = req.query.status;
    const status = (ORGANIZATION_STATUSES as readonly unknown[]).includes(raw)
      ? (raw as OrganizationStatus)
      : undefined;
    const page = await listForReview(deps.db, status, pageNumber(req.query.page));
    res.render('organizations/queue', {
      title: req.t('organizations.review.title'),
      page,
      status: status ?? '',
      statuses: ORGANIZATION_STATUSES,
    });
  }

  /** A decision is a small resource: POST /organizations/:id/approval, /rejection, /suspension, /reinstatement. */
  const decision = (which: Exclude<Decision, 'resubmit'>) => async (req: Request, res: Response) => {
    const org = await loadOrganization(deps, req, (user) => canReview(user));
    const schema = which === 'reject' || which === 'suspend' ? reasonRequiredSchema : reasonOptionalSchema;
    const form = parseForm(schema, req.body, req.t);
    if (!form.ok) {
      const reason = typeof req.body?.reason === 'string' ? req.body.reason : '';
      return renderShow(deps, req, res, org, 422, {
        errors: { [`reason-${which}`]: form.errors.reason ?? form.errors._form },
        values: { [`reason-${which}`]: reason },
      });
    }
    await decide(deps, actorOf(req), org.id, which, form.data.reason || null);
    flash(req, 'success', req.t(`organizations.review.done.${which}`, { name: org.name }));
    res.redirect(
      303,
      which === 'approve' || which === 'reject' ? '/admin/organizations?status=pending' : `/organizations/${org.id}`,
    );
  };

  return {
    queue,
    approve: decision('approve'),
    reject: decision('reject'),
    suspend: decision('suspend'),
    reinstate: decision('reinstate'),
  };
}
