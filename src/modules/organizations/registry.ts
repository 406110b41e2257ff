import type { Request, Response } from 'express';
import type { AppDeps } from '../../deps';
import { NotFound } from '../../web/errors';
import { pageNumber } from '../../shared/pagination';
import { categoriesOf, findOrganization, listApproved, listServiceCategories, trackRecordsOf } from './queries';
import { isPubliclyListed } from './policy';
import { redactPersonalData } from '../../shared/redact';
import { publicTrackRecord } from './track-record';

/** The public registry (有承接能力的社会组织目录): approved organizations, no sign-in, no contacts or documents. */
export function registryHandlers(deps: AppDeps) {
  async function list(req: Request, res: Response) {
    const q = typeof req.query.q === 'string' ? req.query.q.trim().slice(0, 64) : '';
    const rawCategory =
      typeof req.query.category === 'string' && /^\d{1,9}$/.test(req.query.category)
        ? Number(req.query.category)
        : undefined;
    const serviceCategories = await listServiceCategories(deps.db);
    const categoryId = serviceCategories.some((c) => c.id === rawCategory) ? rawCategory : undefined;
    const page = await listApproved(deps.db, { q: q || undefined, categoryId }, pageNumber(req.query.page));
    const ids = page.items.map((o) => o.id);
    const [categories, records] = await Promise.all([categoriesOf(deps.db, ids), trackRecordsOf(deps.db, ids)]);
    res.render('organizations/registry', {
      title: req.t('organizations.registry.title'),
      page,
      q,
      categoryId: categoryId ?? '',
      serviceCategories,
      categories,
      records,
    });
  }

  async function profile(req: Request, res: Response) {
    const id = Number(req.params.id);
    const org = Number.isInteger(id) && id > 0 && id < 2 ** 31 ? await findOrganization(deps.db, id) : undefined;
    // Pending, rejected and suspended organizations are not in the public registry, not even by id.
    if (!org || !isPubliclyListed(org)) throw new NotFound();
    const [categories, track] = await Promise.all([
      categoriesOf(deps.db, [org.id]),
      publicTrackRecord(deps.db, org.id),
    ]);
    res.render('organizations/public-profile', {
      title: org.name,
      // A public page: a phone or ID number typed into the legal representative's field is hidden.
      org: {
        ...org,
        legal_representative: org.legal_representative
          ? redactPersonalData(org.legal_representative)
          : org.legal_representative,
      },
      categories: categories.get(org.id) ?? [],
      record: {
        completedContracts: track.completedContracts,
        averageEvaluation: track.meanScore === null ? null : track.meanScore / 100,
      },
      track,
    });
  }

  return { list, profile };
}
