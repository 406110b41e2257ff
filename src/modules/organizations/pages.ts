import type { Request, Response } from 'express';
import { translateProblems } from '../../web/problems';
import type { AppDeps } from '../../deps';
import { ALLOWED_EXTENSIONS } from '../../files/signatures';
import { Forbidden, NotFound } from '../../web/errors';
import { canEditProfile, canResubmit, canReview, canUploadDocument, isStaffOf } from './policy';
import { categoriesOf, findOrganization, listDocuments, listServiceCategories, type OrganizationRow } from './queries';
import { DOCUMENT_KINDS, ORGANIZATION_TYPES } from './schemas';

/** Shared by the module's handlers: loading an organization under a policy, rendering its page. */

/** Field errors from the service are i18n keys; forms show them translated. */
export const translate = translateProblems;

/** Loads the organization and checks the named policy; another organization's record is a 404
 *  for staff (not even its existence is confirmed) and a 403 for other roles. */
export async function loadOrganization(
  deps: AppDeps,
  req: Request,
  check: (user: Express.User, org: OrganizationRow) => boolean,
): Promise<OrganizationRow> {
  const id = Number(req.params.id);
  const org = Number.isInteger(id) && id > 0 && id < 2 ** 31 ? await findOrganization(deps.db, id) : undefined;
  if (!org) throw new NotFound();
  if (!check(req.user!, org)) throw req.user!.role === 'org_staff' ? new NotFound() : new Forbidden();
  return org;
}

/** The organization's page: profile, status with its reason and next step, documents, and the
 *  actions the viewer may take (upload and edit for its staff, decisions for the administrator). */
export async function renderShow(
  deps: AppDeps,
  req: Request,
  res: Response,
  org: OrganizationRow,
  status = 200,
  form: Record<string, unknown> = {},
) {
  const user = req.user!;
  const [documents, categories] = await Promise.all([listDocuments(deps.db, org.id), categoriesOf(deps.db, [org.id])]);
  const kindsPresent = new Set(documents.map((d) => d.kind));
  res.status(status).render('organizations/show', {
    title: org.name,
    org,
    categories: categories.get(org.id) ?? [],
    documents,
    missingKinds: DOCUMENT_KINDS.filter((k) => k !== 'other' && !kindsPresent.has(k)),
    kinds: DOCUMENT_KINDS,
    isOwn: isStaffOf(user, org),
    canUpload: canUploadDocument(user, org),
    canEdit: canEditProfile(user, org),
    canResubmit: canResubmit(user, org),
    canReview: canReview(user),
    allowed: ALLOWED_EXTENSIONS.join(', '),
    maxMb: Math.round(deps.config.uploadMaxBytes / 1024 / 1024),
    errors: {},
    values: {},
    ...form,
  });
}

/** Options for the profile forms (registration and edit). */
export async function profileFormOptions(deps: AppDeps) {
  return { serviceCategories: await listServiceCategories(deps.db), orgTypes: ORGANIZATION_TYPES };
}

/** The category checkboxes as typed, for re-showing a form. */
export function selectedCategories(req: Request): number[] {
  const v = (req.body as Record<string, unknown> | undefined)?.categoryIds;
  const list = Array.isArray(v) ? v : v === undefined ? [] : [v];
  return list.filter((s): s is string => typeof s === 'string' && /^\d{1,9}$/.test(s)).map(Number);
}

/** A category's name in the page's language. */
export const categoryName = (lang: string) => (c: { name_zh: string; name_en: string }) =>
  lang === 'en' ? c.name_en : c.name_zh;
