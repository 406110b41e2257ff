import type { Request, Response } from 'express';
import type { AppDeps } from '../../deps';
import { ALLOWED_EXTENSIONS } from '../../files/signatures';
import { sendStoredFile } from '../../files/storage';
import { uploadedFiles } from '../../files/uploads';
import { formatDateTime } from '../../shared/time';
import { actorOf } from '../../web/actor';
import { once } from '../../web/once';
import { Forbidden, InvalidState, NotFound } from '../../web/errors';
import { submitForm } from '../../web/submit';
import { flash } from '../../web/flash';
import { formValues, parseForm, type FormValues } from '../../web/forms';
import { canManageAward, canReadObjection, objectionRefusal } from './policy';
import {
  findAward,
  findObjection,
  findObjectionFile,
  objectionFiles,
  type AwardView,
  type ObjectionRow,
} from './queries';
import { submittedBidderIds } from './ranking';
import { answerSchema, DECISIONS, objectionSchema, pathId, REASONS_MAX } from './schemas';
import { answerObjection, lodgeObjection } from './service';

/** Objections (质疑): lodged by a bidder's staff during publicity, answered in writing by the manager. */
export function objectionHandlers(deps: AppDeps) {
  async function loadAward(req: Request): Promise<AwardView> {
    const award = await findAward(deps.db, pathId(req.params.awardId));
    if (!award) throw new NotFound();
    return award;
  }

  /** Refuses, with the reason, anyone who may not object to this award now. */
  async function checkMayObject(req: Request, award: AwardView) {
    const refusal = objectionRefusal(
      req.user!,
      award,
      await submittedBidderIds(deps.db, award.call_id),
      deps.clock.now(),
    );
    if (!refusal) return;
    const params = { at: formatDateTime(award.publicity_ends_at, req.lang) };
    throw refusal.status === 403 ? new Forbidden(refusal.key, params) : new InvalidState(refusal.key, params);
  }

  function renderForm(
    req: Request,
    res: Response,
    award: AwardView,
    status: number,
    values: FormValues,
    errors: Record<string, string>,
  ) {
    res.status(status).render('awards/objection-new', {
      title: req.t('awards.objection.newTitle', { call: award.call_title }),
      award,
      values,
      errors,
      reasonsMax: REASONS_MAX,
      allowed: ALLOWED_EXTENSIONS.join(', '),
      maxMb: Math.round(deps.config.uploadMaxBytes / 1024 / 1024),
      maxFiles: deps.config.uploadMaxFiles,
    });
  }

  async function newForm(req: Request, res: Response) {
    const award = await loadAward(req);
    await checkMayObject(req, award);
    renderForm(req, res, award, 200, {}, {});
  }

  async function lodge(req: Request, res: Response) {
    const award = await loadAward(req);
    await checkMayObject(req, award);
    await submitForm(req, res, {
      again: ({ status, errors, values }) => renderForm(req, res, award, status, values, errors),
      uploadField: 'files',
      schema: objectionSchema,
      messageParams: { allowed: ALLOWED_EXTENSIONS.join(', ') },
      run: async (data) => {
        const objectionId = await once(req, deps.db, 'awards.objection', (actor) =>
          lodgeObjection(deps, actor, req.user!, award.id, data, uploadedFiles(req, 'files')),
        );
        return { redirect: `/awards/${award.id}/objections/${objectionId}`, flash: req.t('awards.objection.lodged') };
      },
    });
  }

  async function loadObjection(req: Request): Promise<{ award: AwardView; objection: ObjectionRow }> {
    const award = await loadAward(req);
    const objection = await findObjection(deps.db, award.id, pathId(req.params.objectionId));
    if (!objection) throw new NotFound();
    // Another organization's objection is not found for staff (not even its existence), refused for others.
    if (!canReadObjection(req.user!, objection, award))
      throw req.user!.role === 'org_staff' ? new NotFound() : new Forbidden();
    return { award, objection };
  }

  async function renderShow(
    req: Request,
    res: Response,
    status: number,
    values: FormValues,
    errors: Record<string, string>,
  ) {
    const { award, objection } = await loadObjection(req);
    res.status(status).render('awards/objection', {
      title: req.t('awards.objection.title', { call: award.call_title }),
      award,
      objection,
      files: await objectionFiles(deps.db, objection.id),
      canAnswer: objection.status === 'open' && canManageAward(req.user, award),
      decisions: DECISIONS,
      values,
      errors,
      reasonsMax: REASONS_MAX,
    });
  }

  const show = (req: Request, res: Response) => renderShow(req, res, 200, {}, {});

  async function answer(req: Request, res: Response) {
    const { award, objection } = await loadObjection(req);
    if (!canManageAward(req.user, award)) throw new Forbidden('awards.errors.notYourCall');
    if (objection.status !== 'open') throw new InvalidState('awards.errors.alreadyAnswered');
    const form = parseForm(answerSchema, req.body, req.t);
    if (!form.ok) return renderShow(req, res, 422, formValues(req.body), form.errors);
    const { withdrawn } = await answerObjection(deps, actorOf(req), req.user!, award.id, objection.id, form.data);
    flash(req, 'success', req.t(withdrawn ? 'awards.objection.upheldDone' : 'awards.objection.answered'));
    res.redirect(303, `/awards/${award.id}/objections/${objection.id}`);
  }

  async function download(req: Request, res: Response) {
    const { objection } = await loadObjection(req);
    const file = await findObjectionFile(deps.db, objection.id, pathId(req.params.fileId));
    if (!file) throw new NotFound();
    await sendStoredFile(res, deps.config.uploadDir, { ...file, id: file.file_id, uploaded_by: null });
  }

  return { newForm, lodge, show, answer, download };
}
