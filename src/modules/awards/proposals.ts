import type { Request, Response } from 'express';
import type { AppDeps } from '../../deps';
import { fenToInput } from '../../shared/money';
import { actorOf } from '../../web/actor';
import { Forbidden, InvalidState, NotFound } from '../../web/errors';
import { type FormValues } from '../../web/forms';
import { submitForm } from '../../web/submit';
import { findCallRow, type CallRow } from '../calls';
import { canManageAward } from './policy';
import { isVenture, passedOver, REASON_MAX } from './proposal';
import { rankBids } from './ranking';
import { pathId } from './schemas';
import { proposalRefusal, proposeAward, type ReviewedCall } from './service';

/** The manager's award proposal: the ranking with a choice per bid, amounts and skip reasons. */
export function proposalHandlers(deps: AppDeps) {
  async function loadCall(req: Request) {
    const call = (await findCallRow(deps.db, pathId(req.params.callId))) as ReviewedCall | undefined;
    if (!call) throw new NotFound();
    if (!canManageAward(req.user, call)) throw new Forbidden('awards.errors.notYourCall');
    const refusal = proposalRefusal(call);
    if (refusal) throw new InvalidState(refusal);
    return call;
  }

  async function render(
    req: Request,
    res: Response,
    call: CallRow,
    status: number,
    values: FormValues,
    errors: Record<string, string>,
  ) {
    const ranking = await rankBids(deps.db, call.id);
    res.status(status).render('awards/propose', {
      title: req.t('awards.propose.title', { call: call.title }),
      call,
      venture: isVenture(call),
      ranking,
      passed: passedOver(ranking, values, isVenture(call)),
      values,
      errors,
      reasonMax: REASON_MAX,
    });
  }

  async function form(req: Request, res: Response) {
    const call = await loadCall(req);
    const ranking = await rankBids(deps.db, call.id);
    const cap = call.per_project_cap_fen === null ? null : Number(call.per_project_cap_fen);
    // Suggested: the top bid wins a tender; a venture amount starts at the price, within the cap.
    const values: FormValues = {};
    if (!isVenture(call) && ranking[0]) values.winner = ranking[0].bidRef;
    for (const bid of ranking)
      values[`amount_${bid.bidRef}`] = fenToInput(cap === null ? bid.priceFen : Math.min(bid.priceFen, cap));
    await render(req, res, call, 200, values, {});
  }

  async function create(req: Request, res: Response) {
    const call = await loadCall(req);
    await submitForm(req, res, {
      again: ({ status, errors, values }) => render(req, res, call, status, values, errors),
      run: async () => {
        const awardId = await proposeAward(deps, actorOf(req), req.user!, call.id, req.body);
        return { redirect: `/awards/${awardId}`, flash: req.t('awards.propose.done') };
      },
    });
  }

  return { form, create };
}
