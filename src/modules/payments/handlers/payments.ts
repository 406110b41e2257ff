import type { Request, Response } from 'express';
import type { AppDeps } from '../../../deps';
import { actorOf } from '../../../web/actor';
import { Forbidden, InvalidState, NotFound } from '../../../web/errors';
import { formValues, type FormResult, type FormValues } from '../../../web/forms';
import { submitForm, type Refusal } from '../../../web/submit';
import { once } from '../../../web/once';
import { pageNumber } from '../../../shared/pagination';
import { terminateContract } from '../../contracts';
import { canApprove, canPropose, canReadPayments } from '../policy';
import {
  ledgerEntriesOf,
  listPayments,
  paymentById,
  proposalById,
  reversibleOf,
  sourcesOfPayments,
  type PaymentRow,
} from '../queries';
import { parseFilters, parseReversal, parseVoucher, parseWithheldDecision, pathNumber, TEXT_MAX } from '../schemas';
import { proposeReversal, recordVoucher, recordWithheldDecision } from '../service';
import { shanghaiMidnight, translate } from './common';

/** A payment's page (the whole trail), the street's payment list, the organization's payments, and
 *  what follows a payment: the voucher, a correction (追回), the decision after a withheld milestone. */
export function paymentHandlers(deps: AppDeps) {
  async function load(req: Request): Promise<PaymentRow> {
    const p = await paymentById(deps.db, pathNumber(req.params.paymentId));
    if (!p || !canReadPayments(req.user, p)) throw new NotFound();
    return p;
  }

  async function render(
    req: Request,
    res: Response,
    p: PaymentRow,
    status: number,
    typed?: FormValues,
    errors: Record<string, string> = {},
    formError?: string,
  ) {
    const db = deps.db;
    const user = req.user!;
    const proposal = (await proposalById(db, p.proposal_id))!;
    const sources = (await sourcesOfPayments(db, [p.id])).get(p.id) ?? [];
    const entries = await ledgerEntriesOf(
      db,
      sources.flatMap((s) => [s.ledgerEntryId, ...(s.releaseEntryId ? [s.releaseEntryId] : [])]),
    );
    const [contract, milestone, evaluation, voucher, decision, reversals, names, original] = await Promise.all([
      db('contracts as c')
        .join('organizations as o', 'o.id', 'c.organization_id')
        .where('c.id', p.contract_id)
        .first('c.id', 'c.number', 'c.title', 'c.status', 'o.name as organization_name'),
      db('contract_milestones')
        .where({ id: p.milestone_id })
        .first('seq', 'title', 'amount_fen', 'advance', 'settlement', 'settled_at'),
      proposal.evaluation_id
        ? db('milestone_evaluations')
            .where({ id: proposal.evaluation_id })
            .first('id', 'total_score', 'grade', 'pass_score', 'closed_at')
        : undefined,
      db('payment_vouchers as v')
        .join('users as u', 'u.id', 'v.recorded_by')
        .where('v.payment_id', p.id)
        .first('v.voucher_ref', 'v.paid_on', 'v.recorded_at', 'u.display_name'),
      db('payment_withheld_decisions as d')
        .join('users as u', 'u.id', 'd.decided_by')
        .where('d.payment_id', p.id)
        .first('d.decision', 'd.reason', 'd.decided_at', 'u.display_name'),
      db('payments').where({ reverses_payment_id: p.id }).orderBy('id').select('id', 'amount_fen', 'approved_at'),
      db('users').whereIn('id', [p.proposed_by, p.approved_by]).select('id', 'display_name'),
      p.reverses_payment_id
        ? db('payments').where({ id: p.reverses_payment_id }).first('id', 'amount_fen', 'milestone_seq')
        : undefined,
    ]);
    const nameOf = (id: number) => names.find((n: { id: number }) => Number(n.id) === id)?.display_name ?? '';
    const openReversal = await db('payment_proposals')
      .where({ reverses_payment_id: p.id, status: 'proposed' })
      .first('id');
    const waiting = await db('payment_proposals as pr')
      .leftJoin('payments as rp', 'rp.proposal_id', 'pr.id')
      .where({ 'pr.reverses_payment_id': p.id, 'pr.status': 'approved' })
      .whereNull('rp.id')
      .first('pr.id');
    const reversible = p.kind === 'release' ? await reversibleOf(db, p) : 0;
    res.status(status).render('payments/show', {
      title: req.t(p.kind === 'reversal' ? 'payments.show.reversalTitle' : 'payments.show.title', { id: p.id }),
      p,
      proposal,
      basis: JSON.parse(proposal.basis_json),
      sources,
      entries,
      contract,
      milestone,
      evaluation,
      voucher,
      decision,
      reversals,
      original,
      proposerName: nameOf(p.proposed_by),
      approverName: nameOf(p.approved_by),
      reversible,
      openReversalId: openReversal ? Number(openReversal.id) : null,
      awaitingReturnId: waiting ? Number(waiting.id) : null,
      canVoucher: canApprove(user, p) && p.kind !== 'withheld' && !voucher,
      canReverse:
        canPropose(user, p) &&
        p.kind === 'release' &&
        reversals.length === 0 &&
        !openReversal &&
        !waiting &&
        reversible > 0,
      canDecideWithheld: canPropose(user, p) && p.kind === 'withheld' && !decision && contract.status === 'active',
      values: typed ?? {},
      errors,
      formError,
      textMax: TEXT_MAX,
    });
  }

  async function show(req: Request, res: Response) {
    await render(req, res, await load(req), 200);
  }

  /** Re-shows the payment's page with the refused form (422 with the fields, or 409 as a form message). */
  const againOn =
    (req: Request, res: Response, p: PaymentRow) =>
    ({ status, errors, values, formError }: Refusal) =>
      render(req, res, p, status, values, errors, formError ?? undefined);
  const parsedWith = <T>(
    req: Request,
    parsed: { ok: true; data: T } | { ok: false; errors: Record<string, string> },
  ): FormResult<T> =>
    parsed.ok ? parsed : { ok: false, errors: translate(req, parsed.errors), values: formValues(req.body) };

  async function voucher(req: Request, res: Response) {
    const p = await load(req);
    if (!canApprove(req.user, p)) throw new Forbidden('payments.errors.notApprover');
    await submitForm(req, res, {
      again: againOn(req, res, p),
      parse: () => parsedWith(req, parseVoucher(req.body ?? {})),
      onForm: [InvalidState],
      run: async ({ voucherRef, paidOn }) => {
        await once(req, deps.db, 'payment.voucher', (actor) =>
          recordVoucher(deps, actor, req.user!, p.id, voucherRef, paidOn),
        );
        return { redirect: `/payments/${p.id}`, flash: req.t('payments.voucher.recorded') };
      },
    });
  }

  async function reversal(req: Request, res: Response) {
    const p = await load(req);
    if (!canPropose(req.user, p)) throw new Forbidden('payments.errors.notManager');
    await submitForm(req, res, {
      again: againOn(req, res, p),
      parse: () => parsedWith(req, parseReversal(req.body ?? {})),
      onForm: [InvalidState],
      run: async ({ amountFen, reason }) => {
        const id = await once(req, deps.db, 'payment.reversal', (actor) =>
          proposeReversal(deps, actor, req.user!, p.id, amountFen, reason),
        );
        return { redirect: `/payments/proposals/${id}`, flash: req.t('payments.reversal.proposed') };
      },
    });
  }

  async function decision(req: Request, res: Response) {
    const p = await load(req);
    if (!canPropose(req.user, p)) throw new Forbidden('payments.errors.notManager');
    await submitForm(req, res, {
      again: againOn(req, res, p),
      parse: () => parsedWith(req, parseWithheldDecision(req.body ?? {})),
      onForm: [InvalidState],
      run: async (data) => {
        await once(req, deps.db, 'payment.withheld_decision', (actor) =>
          recordWithheldDecision(deps, actor, req.user!, p.id, data.decision, data.reason),
        );
        // The termination itself is the contracts module's (its unpaid commitment returns to the fund).
        if (data.decision === 'terminate') {
          const c = await deps.db('contracts').where({ id: p.contract_id }).first('status');
          if (c.status === 'active') await terminateContract(deps, actorOf(req), req.user!, p.contract_id, data.reason);
        }
        return {
          redirect: `/payments/${p.id}`,
          flash: req.t(data.decision === 'terminate' ? 'payments.withheld.terminated' : 'payments.withheld.continued'),
        };
      },
    });
  }

  async function list(req: Request, res: Response) {
    const user = req.user!;
    const streetOfficeIds =
      user.role === 'admin'
        ? undefined
        : user.role === 'auditor'
          ? user.streetOfficeIds
          : user.streetOfficeId
            ? [user.streetOfficeId]
            : [];
    const { values, filters: f, errors } = parseFilters(req.query as Record<string, unknown>);
    // A filter the form does not offer is refused, not ignored: the form comes back with what was typed.
    if (Object.keys(errors).length)
      return res.status(422).render('payments/list', {
        title: req.t('payments.list.title'),
        page: null,
        filters: values,
        errors: translate(req, errors),
        query: '',
        mine: false,
      });
    const page = await listPayments(
      deps.db,
      { streetOfficeIds },
      {
        kind: f.kind,
        contractNumber: f.contractNumber,
        voucher: f.voucher,
        from: f.from ? shanghaiMidnight(f.from) : undefined,
        to: f.to ? shanghaiMidnight(f.to, true) : undefined,
      },
      pageNumber(req.query.page),
    );
    const query = new URLSearchParams(
      Object.entries({ kind: f.kind, contract: f.contractNumber, from: f.from, to: f.to, voucher: f.voucher }).filter(
        ([, v]) => v,
      ) as [string, string][],
    ).toString();
    res.render('payments/list', {
      title: req.t('payments.list.title'),
      page,
      filters: values,
      errors: {},
      query,
      mine: false,
    });
  }

  async function mine(req: Request, res: Response) {
    const user = req.user!;
    if (!user.organizationId) throw new NotFound();
    const page = await listPayments(deps.db, { organizationId: user.organizationId }, {}, pageNumber(req.query.page));
    const ids = page.items.map((p) => p.proposal_id);
    const scores = ids.length
      ? await deps.db('payment_proposals').whereIn('id', ids).select('id', 'score', 'grade')
      : [];
    const scoreOf = Object.fromEntries(
      scores.map((s: { id: number; score: number | null; grade: string | null }) => [Number(s.id), s]),
    );
    res.render('payments/list', {
      title: req.t('payments.mine.title'),
      page,
      filters: {},
      errors: {},
      query: '',
      mine: true,
      scoreOf,
    });
  }

  return { show, voucher, reversal, decision, list, mine };
}
