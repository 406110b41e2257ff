import type { Request, Response } from 'express';
import type { AppDeps } from '../../../deps';
import { Forbidden, InvalidState, NotFound } from '../../../web/errors';
import { flash } from '../../../web/flash';
import { formValues, type FormResult, type FormValues } from '../../../web/forms';
import { once } from '../../../web/once';
import { submitForm, type Refusal } from '../../../web/submit';
import { canApprove, canReadPayments, isProposer } from '../policy';
import { approverQueue, proposalById, returnsToRecord, sourcesOf, type ProposalRow } from '../queries';
import { parseRejection, parseVoucher, pathNumber, TEXT_MAX } from '../schemas';
import { approveProposal, recordReturn, rejectProposal } from '../service';
import { partialArithmetic, type Allowance } from '../amounts';
import { formErrorOf, translate } from './common';

/** The approver's queue and a proposal's page with the approval and rejection forms, and for an
 *  approved correction (追回) the form that records its money's return. */
export function proposalHandlers(deps: AppDeps) {
  async function load(req: Request): Promise<ProposalRow> {
    const p = await proposalById(deps.db, pathNumber(req.params.proposalId));
    if (!p || !canReadPayments(req.user, p)) throw new NotFound();
    return p;
  }

  async function render(
    req: Request,
    res: Response,
    p: ProposalRow,
    status: number,
    typed?: FormValues,
    errors: Record<string, string> = {},
    formError?: string,
  ) {
    const db = deps.db;
    const [contract, milestone, proposer, decider, invoice, payment, reversed] = await Promise.all([
      db('contracts as c')
        .join('organizations as o', 'o.id', 'c.organization_id')
        .where('c.id', p.contract_id)
        .first('c.id', 'c.number', 'c.title', 'c.status', 'o.name as organization_name'),
      db('contract_milestones')
        .where({ id: p.milestone_id })
        .first('seq', 'title', 'amount_fen', 'advance', 'settlement'),
      db('users').where({ id: p.proposed_by }).first('display_name'),
      p.decided_by ? db('users').where({ id: p.decided_by }).first('display_name') : undefined,
      p.invoice_id
        ? db('payment_invoices').where({ id: p.invoice_id }).first('id', 'kind', 'amount_fen', 'uploaded_at')
        : undefined,
      db('payments').where({ proposal_id: p.id }).first('id'),
      p.reverses_payment_id
        ? db('payments').where({ id: p.reverses_payment_id }).first('id', 'amount_fen', 'approved_at')
        : undefined,
    ]);
    const basis = JSON.parse(p.basis_json) as Allowance & { kind: string };
    const user = req.user!;
    const awaitingReturn = p.kind === 'reversal' && p.status === 'approved' && !payment;
    res.status(status).render('payments/proposal', {
      title: req.t(p.kind === 'reversal' ? 'payments.proposal.reversalTitle' : 'payments.proposal.title', { id: p.id }),
      p,
      sources: sourcesOf(p),
      basis,
      arithmetic: basis.kind === 'partial' ? partialArithmetic(basis) : null,
      contract,
      milestone,
      proposerName: proposer?.display_name ?? '',
      deciderName: decider?.display_name ?? '',
      invoice,
      paymentId: payment ? Number(payment.id) : null,
      reversed,
      canDecide: p.status === 'proposed' && canApprove(user, p) && !isProposer(user, p),
      ownProposal: p.status === 'proposed' && canApprove(user, p) && isProposer(user, p),
      awaitingReturn,
      canRecordReturn: awaitingReturn && canApprove(user, p) && !isProposer(user, p),
      values: typed ?? {},
      errors,
      formError,
      textMax: TEXT_MAX,
    });
  }

  async function show(req: Request, res: Response) {
    await render(req, res, await load(req), 200);
  }

  async function queue(req: Request, res: Response) {
    const street = req.user!.streetOfficeId;
    const items = street ? await approverQueue(deps.db, street, 200) : [];
    const returns = street ? await returnsToRecord(deps.db, street, 200) : [];
    res.render('payments/queue', {
      title: req.t('payments.queue.title'),
      items: items.map((p) => ({ ...p, own: p.proposed_by === req.user!.id })),
      returns,
    });
  }

  /** Who may decide at all is checked before the form is read, so a refusal says so (403). */
  function mayDecide(req: Request, p: ProposalRow) {
    if (!canApprove(req.user, p)) throw new Forbidden('payments.errors.notApprover');
    if (isProposer(req.user, p)) throw new Forbidden('payments.errors.fourEyes');
  }

  async function approve(req: Request, res: Response) {
    const p = await load(req);
    mayDecide(req, p);
    let paymentId: number;
    try {
      paymentId = await once(req, deps.db, 'payment.decide', (actor) => approveProposal(deps, actor, req.user!, p.id));
    } catch (err) {
      if (err instanceof InvalidState)
        return render(
          req,
          res,
          (await proposalById(deps.db, p.id))!,
          409,
          formValues(req.body),
          {},
          formErrorOf(req, err),
        );
      throw err;
    }
    // A correction approved moves no money yet: back to its page, which waits for the return.
    if (p.kind === 'reversal') {
      flash(req, 'success', req.t('payments.proposal.reversalApprovedDone'));
      return res.redirect(303, `/payments/proposals/${p.id}`);
    }
    flash(
      req,
      'success',
      req.t(p.kind === 'withheld' ? 'payments.proposal.withheldDone' : 'payments.proposal.approvedDone'),
    );
    res.redirect(303, `/payments/${paymentId}`);
  }

  /** The money of an approved correction has come back: its reference and date move it (403 before the form). */
  async function recordReturnOf(req: Request, res: Response) {
    const p = await load(req);
    mayDecide(req, p);
    await submitForm(req, res, {
      again: ({ status, errors, values, formError }: Refusal) =>
        render(req, res, p, status, values, errors, formError ?? undefined),
      parse: (): FormResult<{ voucherRef: string; paidOn: string }> => {
        const parsed = parseVoucher(req.body ?? {});
        return parsed.ok ? parsed : { ok: false, errors: translate(req, parsed.errors), values: formValues(req.body) };
      },
      onForm: [InvalidState],
      run: async ({ voucherRef, paidOn }) => {
        const paymentId = await once(req, deps.db, 'payment.return', (actor) =>
          recordReturn(deps, actor, req.user!, p.id, voucherRef, paidOn),
        );
        return { redirect: `/payments/${paymentId}`, flash: req.t('payments.reversal.returned') };
      },
    });
  }

  async function reject(req: Request, res: Response) {
    const p = await load(req);
    mayDecide(req, p);
    const parsed = parseRejection(req.body ?? {});
    if (!parsed.ok) return render(req, res, p, 422, formValues(req.body), translate(req, parsed.errors));
    try {
      await once(req, deps.db, 'payment.decide', (actor) =>
        rejectProposal(deps, actor, req.user!, p.id, parsed.data.reason),
      );
    } catch (err) {
      if (err instanceof InvalidState)
        return render(
          req,
          res,
          (await proposalById(deps.db, p.id))!,
          409,
          formValues(req.body),
          {},
          formErrorOf(req, err),
        );
      throw err;
    }
    flash(req, 'success', req.t('payments.proposal.rejectedDone'));
    res.redirect(303, `/payments/proposals/${p.id}`);
  }

  return { show, queue, approve, reject, recordReturn: recordReturnOf };
}
