import crypto from 'node:crypto';
import type { Request, Response } from 'express';
import QRCode from 'qrcode';
import type { AppDeps } from '../../deps';
import { parseShanghaiDateTime } from '../../shared/time';
import { actorOf } from '../../web/actor';
import { NotFound } from '../../web/errors';
import { flash } from '../../web/flash';
import { formValues } from '../../web/forms';
import { readCookie } from '../../web/language';
import { contractMilestone, type ContractMilestone } from '../contracts';
import { canReadReports, canReturnReport } from './policy';
import {
  closeRound,
  isRoundOpen,
  openRound,
  rate,
  ratingCount,
  roundByToken,
  roundOf,
  RATING_COMMENT_MAX,
  ROUND_MAX_DAYS,
  type RoundRow,
} from './ratings';
import { reportHandlers } from './handlers';
import { pathNumber } from './schemas';

export const RATER_COOKIE = 'sf.rater';
const RATER = /^([0-9a-f]{32})\.([0-9a-f]{64})$/;

/** The rater's browser id in a cookie signed with the app's secret (HMAC): the server keeps no
 *  session for it. */
const sign = (secret: string, id: string) => crypto.createHmac('sha256', secret).update(`rater:${id}`).digest('hex');
function browserIdOf(req: Request, secret: string): string | undefined {
  const m = RATER.exec(readCookie(req.headers.cookie, RATER_COOKIE) ?? '');
  if (!m) return undefined;
  const expected = Buffer.from(sign(secret, m[1]));
  const given = Buffer.from(m[2]);
  return given.length === expected.length && crypto.timingSafeEqual(given, expected) ? m[1] : undefined;
}
function ensureBrowserId(req: Request, res: Response, deps: AppDeps): string {
  const known = browserIdOf(req, deps.config.sessionSecret);
  if (known) return known;
  const id = crypto.randomBytes(16).toString('hex');
  res.cookie(RATER_COOKIE, `${id}.${sign(deps.config.sessionSecret, id)}`, {
    httpOnly: true,
    sameSite: 'lax',
    secure: deps.config.env === 'production',
    path: '/r',
    maxAge: 400 * 24 * 3600 * 1000,
  });
  return id;
}

const ratingLink = (req: Request, token: string) => `${req.protocol}://${req.get('host')}/r/${token}`;

/** The citizen rating round: the manager's opening, closing and printed page; the public rating page. */
export function ratingHandlers(deps: AppDeps) {
  async function milestone(req: Request): Promise<ContractMilestone> {
    const m = await contractMilestone(deps.db, pathNumber(req.params.contractId), pathNumber(req.params.seq));
    if (!m || !canReadReports(req.user, m)) throw new NotFound();
    return m;
  }
  const back = (res: Response, m: ContractMilestone) =>
    res.redirect(303, `/contracts/${m.contract_id}/milestones/${m.seq}/report`);

  async function open(req: Request, res: Response) {
    const m = await milestone(req);
    const typed = typeof req.body?.closesAt === 'string' ? req.body.closesAt : '';
    const at = parseShanghaiDateTime(typed);
    const now = deps.clock.now();
    if (!at || at.getTime() <= now.getTime() || at.getTime() > now.getTime() + ROUND_MAX_DAYS * 24 * 3600 * 1000) {
      return reportHandlers(deps).renderWith(req, res, m, 422, formValues(req.body), {
        closesAt: req.t('evaluations.rating.errors.closesAt', { days: ROUND_MAX_DAYS }),
      });
    }
    await openRound(deps, actorOf(req), req.user!, m.contract_id, m.seq, at);
    flash(req, 'success', req.t('evaluations.rating.opened'));
    back(res, m);
  }

  async function close(req: Request, res: Response) {
    const m = await milestone(req);
    await closeRound(deps, actorOf(req), req.user!, m.contract_id, m.seq);
    flash(req, 'success', req.t('evaluations.rating.closedDone'));
    back(res, m);
  }

  /** The page the manager prints and hangs at the service site: QR code, link, service, period. */
  async function print(req: Request, res: Response) {
    const m = await milestone(req);
    if (!canReturnReport(req.user, m) && req.user!.role !== 'admin' && req.user!.role !== 'auditor')
      throw new NotFound();
    const round = await roundOf(deps.db, m.contract_id, m.seq);
    if (!round) throw new NotFound();
    const link = ratingLink(req, round.token);
    const qr = await QRCode.toString(link, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
    res.render('evaluations/rating-print', {
      title: req.t('evaluations.rating.printTitle'),
      m,
      round,
      link,
      qr,
      open: isRoundOpen(round, deps.clock.now()),
      ...(await ratingCount(deps.db, round.id)),
    });
  }

  // ---- public: anyone with the link, without signing in; no flash, no session row ----

  async function publicRound(req: Request): Promise<{ round: RoundRow; m: ContractMilestone }> {
    const round = await roundByToken(deps.db, typeof req.params.token === 'string' ? req.params.token : '');
    const m = round && (await contractMilestone(deps.db, round.contract_id, round.milestone_seq));
    if (!round || !m) throw new NotFound('evaluations.rating.unknownLink');
    return { round, m };
  }

  function renderRate(
    req: Request,
    res: Response,
    status: number,
    round: RoundRow,
    m: ContractMilestone,
    state: { outcome?: string; values?: Record<string, string>; errors?: Record<string, string> },
  ) {
    const open = isRoundOpen(round, deps.clock.now());
    res.status(status).render('evaluations/rate', {
      title: req.t('evaluations.rating.pageTitle'),
      round,
      service: { contract: m.contract_title, milestone: m.title },
      open,
      outcome: state.outcome ?? (open ? undefined : 'closed'),
      values: state.values ?? {},
      errors: state.errors ?? {},
      commentMax: RATING_COMMENT_MAX,
    });
  }

  async function showRate(req: Request, res: Response) {
    const { round, m } = await publicRound(req);
    if (isRoundOpen(round, deps.clock.now())) ensureBrowserId(req, res, deps);
    renderRate(req, res, 200, round, m, {});
  }

  async function submitRate(req: Request, res: Response) {
    const { round, m } = await publicRound(req);
    const values = formValues(req.body);
    if (!isRoundOpen(round, deps.clock.now())) return renderRate(req, res, 409, round, m, { outcome: 'closed' });
    const browserId = browserIdOf(req, deps.config.sessionSecret);
    if (!browserId) {
      ensureBrowserId(req, res, deps);
      return renderRate(req, res, 400, round, m, {
        values,
        errors: { stars: req.t('evaluations.rating.errors.cookie') },
      });
    }
    const errors: Record<string, string> = {};
    const stars = typeof req.body?.stars === 'string' && /^[1-5]$/.test(req.body.stars) ? Number(req.body.stars) : 0;
    if (!stars) errors.stars = req.t('evaluations.rating.errors.stars');
    const rawComment = req.body?.comment;
    const comment = typeof rawComment === 'string' ? rawComment.trim() : '';
    if (rawComment !== undefined && typeof rawComment !== 'string') errors.comment = req.t('validation.notText');
    else if (comment.length > RATING_COMMENT_MAX)
      errors.comment = req.t('evaluations.rating.errors.comment', { max: RATING_COMMENT_MAX });
    if (Object.keys(errors).length) return renderRate(req, res, 422, round, m, { values, errors });
    const outcome = await rate(deps, round, browserId, req.ip ?? 'unknown', stars, comment || null);
    const status = { rated: 200, already: 409, closed: 409, limited: 429 }[outcome];
    renderRate(req, res, status, round, m, { outcome });
  }

  return { open, close, print, showRate, submitRate };
}
