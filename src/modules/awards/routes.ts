import type { Request, RequestHandler, Response } from 'express';
import type { AppDeps } from '../../deps';
import { actorOf } from '../../web/actor';
import { csrfAfterUpload } from '../../web/csrf';
import { NotFound } from '../../web/errors';
import { flash } from '../../web/flash';
import { routeTable } from '../../web/routes';
import { objectionHandlers } from './objections';
import { pageHandlers } from './pages';
import { proposalHandlers } from './proposals';
import { pathId } from './schemas';
import { confirmAward } from './service';
import { standingAward } from './queries';

type AcceptFiles = (fields: { name: string; maxCount: number }[]) => RequestHandler;

/** Award, publicity and objections. Access here is the floor; each handler checks the policy on the record. */
export function awardRoutes(deps: AppDeps, acceptFiles: AcceptFiles) {
  const pages = pageHandlers(deps);
  const proposals = proposalHandlers(deps);
  const objections = objectionHandlers(deps);

  /** From a call (or a bid on it) to its published award notice, if one stands. */
  async function noticeOfCall(req: Request, res: Response) {
    const callId = pathId(req.params.callId);
    const award = callId ? await standingAward(deps.db, callId) : undefined;
    if (!award) throw new NotFound();
    res.redirect(303, `/awards/${award.id}`);
  }
  const manager = ['manager'] as const;
  // Anyone signed in reaches the objection routes so that a reviewer or a non-bidder is told why not.
  const objectionReaders = ['org_staff', 'manager', 'admin', 'auditor'] as const;

  async function confirm(req: Request, res: Response) {
    const awardId = pathId(req.params.awardId);
    if (!awardId) throw new NotFound();
    await confirmAward(deps, actorOf(req), req.user!, awardId);
    flash(req, 'success', req.t('awards.confirm.done'));
    res.redirect(303, `/awards/${awardId}`);
  }

  return routeTable([
    { method: 'get', path: '/awards', access: 'public', handler: pages.list },
    { method: 'get', path: '/awards/:awardId', access: 'public', handler: pages.show },
    { method: 'get', path: '/calls/:callId/award-notice', access: 'public', handler: noticeOfCall },
    { method: 'get', path: '/manage/awards', access: manager, handler: pages.desk },
    { method: 'get', path: '/calls/:callId/award/new', access: manager, handler: proposals.form },
    { method: 'post', path: '/calls/:callId/award', access: manager, handler: proposals.create },
    { method: 'post', path: '/awards/:awardId/confirmation', access: manager, handler: confirm },
    { method: 'get', path: '/awards/:awardId/objections/new', access: 'signedIn', handler: objections.newForm },
    {
      method: 'post',
      path: '/awards/:awardId/objections',
      access: 'signedIn',
      handler: [
        acceptFiles([{ name: 'files', maxCount: deps.config.uploadMaxFiles }]),
        csrfAfterUpload,
        objections.lodge,
      ],
    },
    {
      method: 'get',
      path: '/awards/:awardId/objections/:objectionId',
      access: objectionReaders,
      handler: objections.show,
    },
    {
      method: 'post',
      path: '/awards/:awardId/objections/:objectionId/answer',
      access: manager,
      handler: objections.answer,
    },
    {
      method: 'get',
      path: '/awards/:awardId/objections/:objectionId/files/:fileId',
      access: objectionReaders,
      handler: objections.download,
    },
  ]);
}
