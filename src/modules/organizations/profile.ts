import type { Request, Response } from 'express';
import type { AppDeps } from '../../deps';
import { actorOf } from '../../web/actor';
import { NotFound } from '../../web/errors';
import { flash } from '../../web/flash';
import { submitForm } from '../../web/submit';
import { sendStoredFile } from '../../files/storage';
import { uploadedFiles } from '../../files/uploads';
import { ALLOWED_EXTENSIONS } from '../../files/signatures';
import { categoriesOf, findDocument, type OrganizationRow } from './queries';
import { canEditProfile, canResubmit, canUploadDocument, canViewOrganization } from './policy';
import { loadOrganization, profileFormOptions, renderShow, selectedCategories } from './pages';
import { documentSchema, parseProfile } from './schemas';
import { addDocument, decide, updateProfile } from './service';
import { shanghaiDate } from '../../shared/time';

/** The organization's own pages: profile, edit, documents, resubmission after a rejection. */
export function profileHandlers(deps: AppDeps) {
  async function show(req: Request, res: Response) {
    return renderShow(deps, req, res, await loadOrganization(deps, req, canViewOrganization));
  }

  async function mine(req: Request, res: Response) {
    if (!req.user!.organizationId) throw new NotFound();
    res.redirect(303, `/organizations/${req.user!.organizationId}`);
  }

  async function renderEdit(
    req: Request,
    res: Response,
    org: OrganizationRow,
    status: number,
    locals: Record<string, unknown>,
  ) {
    res.status(status).render('organizations/edit', {
      title: req.t('organizations.edit.title'),
      org,
      ...(await profileFormOptions(deps)),
      errors: {},
      ...locals,
    });
  }

  async function editForm(req: Request, res: Response) {
    const org = await loadOrganization(deps, req, canEditProfile);
    const categories = (await categoriesOf(deps.db, [org.id])).get(org.id) ?? [];
    await renderEdit(req, res, org, 200, {
      selected: categories.map((c) => c.id),
      values: {
        name: org.name,
        orgType: org.org_type ?? '',
        legalRepresentative: org.legal_representative ?? '',
        contactPerson: org.contact_person ?? '',
        contactPhone: org.contact_phone ?? '',
        contactEmail: org.contact_email ?? '',
        foundedOn: org.founded_on ?? '',
        certifiedSocialWorkers: String(org.certified_social_workers ?? 0),
      },
    });
  }

  async function update(req: Request, res: Response) {
    const org = await loadOrganization(deps, req, canEditProfile);
    const selected = selectedCategories(req);
    await submitForm(req, res, {
      again: ({ status, errors, values }) => renderEdit(req, res, org, status, { values, selected, errors }),
      parse: (body) => parseProfile(body, req.t, shanghaiDate(deps.clock.now())),
      run: async (data) => {
        await updateProfile(deps, actorOf(req), org, data);
        return { redirect: `/organizations/${org.id}`, flash: req.t('organizations.edit.saved') };
      },
    });
  }

  async function resubmit(req: Request, res: Response) {
    const org = await loadOrganization(deps, req, canResubmit);
    await decide(deps, actorOf(req), org.id, 'resubmit', null);
    flash(req, 'success', req.t('organizations.review.resubmitted'));
    res.redirect(303, `/organizations/${org.id}`);
  }

  async function upload(req: Request, res: Response) {
    const org = await loadOrganization(deps, req, canUploadDocument);
    const values = { kind: typeof req.body?.kind === 'string' ? req.body.kind : '' };
    await submitForm(req, res, {
      again: ({ status, errors }) => renderShow(deps, req, res, org, status, { errors, values }),
      uploadField: 'file',
      schema: documentSchema,
      // The stored file's content must match its extension: the message names the allowed types.
      messageParams: { allowed: ALLOWED_EXTENSIONS.join(', ') },
      run: async (data) => {
        await addDocument(deps, actorOf(req), org, data.kind, uploadedFiles(req, 'file')[0]);
        return { redirect: `/organizations/${org.id}`, flash: req.t('organizations.documents.uploaded') };
      },
    });
  }

  async function download(req: Request, res: Response) {
    const org = await loadOrganization(deps, req, canViewOrganization);
    const doc = await findDocument(deps.db, org.id, Number(req.params.documentId) || 0);
    if (!doc) throw new NotFound();
    await sendStoredFile(res, deps.config.uploadDir, {
      id: doc.file_id,
      storage_key: doc.storage_key,
      original_name: doc.original_name,
      mime_type: doc.mime_type,
      size_bytes: doc.size_bytes,
      sha256: doc.sha256,
      uploaded_by: null,
      created_at: doc.created_at,
    });
  }

  return { show, mine, editForm, update, resubmit, upload, download };
}
