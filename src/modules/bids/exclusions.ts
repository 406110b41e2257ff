import type { Request, Response } from 'express';
import type { AppDeps } from '../../deps';
import { auditedTransaction, type Actor } from '../../audit/audit';
import { isUniqueViolation } from '../../db/errors';
import type { Queryable } from '../../db/knex';
import { actorOf } from '../../web/actor';
import { idParam } from '../../web/path-id';
import { Forbidden, NotFound } from '../../web/errors';
import { flash } from '../../web/flash';
import { submitForm } from '../../web/submit';
import { formValues, type FormValues } from '../../web/forms';
import { paginate, pageNumber } from '../../shared/pagination';
import type { SessionUser } from '../accounts/roles';
import { canKeepExclusions } from './policy';
import { parseOrganizationId, parseReason, translateProblems, type Problems } from './schemas';
import { BidProblems } from './service';

type Deps = Pick<AppDeps, 'db' | 'clock'>;

/**
 * A street office's exclusions (e.g. after a breach of contract): an excluded organization cannot
 * start, change or submit bids on the calls of that street office. Adding and lifting one are
 * audited with the street office (so its auditors see them) and the reason.
 */
export async function excludeOrganization(
  deps: Deps,
  actor: Actor,
  user: SessionUser,
  organizationId: number,
  reason: string,
): Promise<void> {
  if (!canKeepExclusions(user)) throw new Forbidden();
  const streetOfficeId = user.streetOfficeId!;
  const now = deps.clock.now();
  try {
    await auditedTransaction(deps.db, actor, now, async (trx) => {
      const org = await trx('organizations')
        .where({ id: organizationId })
        .whereIn('status', ['approved', 'suspended'])
        .first('id', 'name');
      if (!org) throw new BidProblems({ organizationId: { key: 'validation.choose' } });
      await trx('street_office_exclusions').insert({
        street_office_id: streetOfficeId,
        organization_id: organizationId,
        reason,
        created_by: user.id,
        created_at: now.toISOString(),
      });
      return {
        result: undefined,
        audit: {
          action: 'exclusion.add',
          subjectType: 'organization',
          subjectId: organizationId,
          streetOfficeId,
          organizationId,
          after: { organization: org.name, reason },
        },
      };
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw new BidProblems({ organizationId: { key: 'bids.exclusions.already' } });
    throw err;
  }
}

/** Lifts an exclusion of the manager's own street office; another street office's is not found. */
export async function readmitOrganization(
  deps: Deps,
  actor: Actor,
  user: SessionUser,
  exclusionId: number,
  reason: string,
): Promise<void> {
  if (!canKeepExclusions(user)) throw new Forbidden();
  const now = deps.clock.now();
  await auditedTransaction(deps.db, actor, now, async (trx) => {
    const row = await trx('street_office_exclusions')
      .where({ id: exclusionId, street_office_id: user.streetOfficeId })
      .first();
    if (!row) throw new NotFound();
    const n = await trx('street_office_exclusions')
      .where({ id: exclusionId, street_office_id: user.streetOfficeId })
      .delete();
    if (n !== 1) throw new NotFound();
    return {
      result: undefined,
      audit: {
        action: 'exclusion.remove',
        subjectType: 'organization',
        subjectId: row.organization_id,
        streetOfficeId: row.street_office_id,
        organizationId: row.organization_id,
        before: { reason: row.reason, excluded_at: row.created_at },
        after: { reason },
      },
    };
  });
}

async function listExclusions(db: Queryable, streetOfficeId: number, page: number) {
  const base = db('street_office_exclusions as x').where('x.street_office_id', streetOfficeId);
  return paginate(base, page, (qb) =>
    qb
      .join('organizations as o', 'o.id', 'x.organization_id')
      .leftJoin('users as u', 'u.id', 'x.created_by')
      .orderBy('x.id', 'desc')
      .select(
        'x.id',
        'x.organization_id',
        'o.name as organization_name',
        'x.reason',
        'x.created_at',
        'u.display_name as created_by_name',
      ),
  );
}

/** Organizations a manager can exclude: qualified ones (approved or suspended) not yet excluded here. */
async function excludable(db: Queryable, streetOfficeId: number) {
  return db('organizations as o')
    .whereIn('o.status', ['approved', 'suspended'])
    .whereNotExists(
      db('street_office_exclusions as x')
        .whereRaw('x.organization_id = o.id')
        .where('x.street_office_id', streetOfficeId)
        .select('x.id'),
    )
    .orderBy('o.name')
    .select('o.id', 'o.name');
}

export function exclusionHandlers(deps: AppDeps) {
  async function render(
    req: Request,
    res: Response,
    status: number,
    locals: {
      values?: FormValues;
      errors?: Record<string, string>;
      readmitErrors?: Record<string, string>;
      readmitId?: number;
    } = {},
  ) {
    const streetOfficeId = req.user!.streetOfficeId!;
    const [page, organizations] = await Promise.all([
      listExclusions(deps.db, streetOfficeId, pageNumber(req.query.page)),
      excludable(deps.db, streetOfficeId),
    ]);
    res.status(status).render('bids/exclusions', {
      title: req.t('bids.exclusions.title'),
      page,
      organizations,
      query: '',
      values: {},
      errors: {},
      readmitErrors: {},
      readmitId: 0,
      ...locals,
    });
  }

  async function list(req: Request, res: Response) {
    await render(req, res, 200);
  }

  async function create(req: Request, res: Response) {
    await submitForm(req, res, {
      parse: (body) => {
        const problems: Problems = {};
        const organizationId = parseOrganizationId(body, problems);
        const reason = parseReason(body, problems);
        return Object.keys(problems).length
          ? { ok: false, errors: translateProblems(req.t, problems), values: formValues(body) }
          : { ok: true, data: { organizationId, reason } };
      },
      again: ({ status, errors, values }) => render(req, res, status, { values, errors }),
      run: async ({ organizationId, reason }) => {
        await excludeOrganization(deps, actorOf(req), req.user!, organizationId, reason);
        return { redirect: '/street-office/exclusions', flash: req.t('bids.exclusions.added') };
      },
    });
  }

  async function remove(req: Request, res: Response) {
    const id = idParam(req, 'exclusionId');
    const exists = await deps
      .db('street_office_exclusions')
      .where({ id, street_office_id: req.user!.streetOfficeId })
      .first('id');
    if (!exists) throw new NotFound();
    const problems: Problems = {};
    const reason = parseReason(req.body, problems);
    if (Object.keys(problems).length) {
      const errors = translateProblems(req.t, problems);
      return render(req, res, 422, {
        readmitErrors: errors,
        readmitId: id,
        errors: { [`readmit-${id}`]: errors.reason },
      });
    }
    await readmitOrganization(deps, actorOf(req), req.user!, id, reason);
    flash(req, 'success', req.t('bids.exclusions.removed'));
    res.redirect(303, '/street-office/exclusions');
  }

  return { list, create, remove };
}
