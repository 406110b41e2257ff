import type { Request, Response, RequestHandler } from 'express';
import type { AppDeps } from '../../deps';
import { actorOf } from '../../web/actor';
import { csrfAfterUpload } from '../../web/csrf';
import { Forbidden, NotFound, ValidationFailed } from '../../web/errors';
import { flash } from '../../web/flash';
import { parseForm } from '../../web/forms';
import { routeTable } from '../../web/routes';
import { sendStoredFile } from '../../files/storage';
import { uploadedFiles } from '../../files/uploads';
import { ALLOWED_EXTENSIONS } from '../../files/signatures';
import { findDocument, findOrganization, listDocuments, type OrganizationRow } from './queries';
import { canUploadDocument, canViewOrganization } from './policy';
import { DOCUMENT_KINDS, documentSchema } from './schemas';
import { addDocument } from './service';

type AcceptFiles = (fields: { name: string; maxCount: number }[]) => RequestHandler;

export function organizationRoutes(deps: AppDeps, acceptFiles: AcceptFiles) {
  /** Loads the organization and checks the named policy; another organization's record is a 404
   *  for staff (not even its existence is confirmed) and a 403 for other roles. */
  async function load(req: Request, check: (user: Express.User, org: OrganizationRow) => boolean): Promise<OrganizationRow> {
    const id = Number(req.params.id);
    const org = Number.isInteger(id) ? await findOrganization(deps.db, id) : undefined;
    if (!org) throw new NotFound();
    if (!check(req.user!, org)) throw req.user!.role === 'org_staff' ? new NotFound() : new Forbidden();
    return org;
  }

  async function renderShow(req: Request, res: Response, org: OrganizationRow, status = 200, form: Record<string, unknown> = {}) {
    const documents = await listDocuments(deps.db, org.id);
    res.status(status).render('organizations/show', {
      title: org.name,
      org,
      documents,
      kinds: DOCUMENT_KINDS,
      canUpload: canUploadDocument(req.user!, org),
      allowed: ALLOWED_EXTENSIONS.join(', '),
      maxMb: Math.round(deps.config.uploadMaxBytes / 1024 / 1024),
      errors: {},
      values: {},
      ...form,
    });
  }

  async function show(req: Request, res: Response) {
    return renderShow(req, res, await load(req, canViewOrganization));
  }

  async function mine(req: Request, res: Response) {
    if (!req.user!.organizationId) throw new NotFound();
    res.redirect(303, `/organizations/${req.user!.organizationId}`);
  }

  async function upload(req: Request, res: Response) {
    const org = await load(req, canUploadDocument);
    const values = { kind: typeof req.body?.kind === 'string' ? req.body.kind : '' };
    if (req.uploadProblem) {
      const { status, messageKey, params } = req.uploadProblem;
      return renderShow(req, res, org, status, { errors: { file: req.t(messageKey, params) }, values });
    }
    const form = parseForm(documentSchema, req.body, req.t);
    if (!form.ok) return renderShow(req, res, org, 422, { errors: form.errors, values });
    try {
      await addDocument(deps, actorOf(req), org, form.data.kind, uploadedFiles(req, 'file')[0]);
    } catch (err) {
      if (!(err instanceof ValidationFailed)) throw err;
      const errors = Object.fromEntries(Object.entries(err.fieldErrors).map(([k, v]) => [k, req.t(v, { allowed: ALLOWED_EXTENSIONS.join(', ') })]));
      return renderShow(req, res, org, 422, { errors, values });
    }
    flash(req, 'success', req.t('organizations.documents.uploaded'));
    res.redirect(303, `/organizations/${org.id}`);
  }

  async function download(req: Request, res: Response) {
    const org = await load(req, canViewOrganization);
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

  return routeTable([
    { method: 'get', path: '/my/organization', access: ['org_staff'], handler: mine },
    { method: 'get', path: '/organizations/:id', access: ['org_staff', 'admin', 'auditor', 'manager'], handler: show },
    {
      method: 'post',
      path: '/organizations/:id/documents',
      access: ['org_staff'],
      handler: [acceptFiles([{ name: 'file', maxCount: 1 }]), csrfAfterUpload, upload],
    },
    { method: 'get', path: '/organizations/:id/documents/:documentId', access: ['org_staff', 'admin', 'auditor', 'manager'], handler: download },
  ]);
}
