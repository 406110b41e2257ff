import type { Request, Response } from 'express';
import type { AppDeps } from '../../../deps';
import { sendStoredFile } from '../../../files/storage';
import { uploadedFiles } from '../../../files/uploads';
import { extensionOf } from '../../../files/signatures';
import { DomainError, Forbidden, InvalidState, NotFound, ValidationFailed } from '../../../web/errors';
import { type FormValues } from '../../../web/forms';
import type { Problem } from '../../../web/problems';
import { submitForm, type Refusal } from '../../../web/submit';
import { once } from '../../../web/once';
import { contractMilestone, type ContractMilestone } from '../../contracts';
import { holdingsOf, FUND_SOURCES } from '../../funds';
import { partialArithmetic } from '../amounts';
import { canPropose, canReadPayments, canUploadInvoice, isPayee } from '../policy';
import { paymentsOfContract, proposalsOfContract, settlingPayment, openSettlingProposal } from '../queries';
import { INVOICE_EXTENSIONS, parseInvoice, parseProposal, pathNumber, TEXT_MAX } from '../schemas';
import { allowanceOf, proposedSources, proposePayment, uploadInvoice } from '../service';

/** The milestone's payment page: what the evaluation allows (with the arithmetic), the invoices, the
 *  proposal form, and every proposal and payment of the milestone. */
export function milestoneHandlers(deps: AppDeps) {
  async function load(req: Request): Promise<ContractMilestone> {
    const m = await contractMilestone(deps.db, pathNumber(req.params.contractId), pathNumber(req.params.seq));
    if (
      !m ||
      !['active', 'completed', 'terminated'].includes(m.contract_status) ||
      !(canReadPayments(req.user, m) || isPayee(req.user, m))
    )
      throw new NotFound();
    return m;
  }

  async function render(
    req: Request,
    res: Response,
    m: ContractMilestone,
    status: number,
    typed?: FormValues,
    errors: Record<string, string> = {},
    formError?: string,
  ) {
    const user = req.user!;
    const payee = isPayee(user, m);
    let allowance: Awaited<ReturnType<typeof allowanceOf>> | undefined;
    let allowanceProblem: string | undefined;
    try {
      allowance = await allowanceOf(deps.db, m);
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      allowanceProblem = req.t(err.messageKey);
    }
    const c = await deps.db('contracts').where({ id: m.contract_id }).first('award_item_id');
    const holdings = await holdingsOf(deps.db, Number(c.award_item_id));
    const settled = Boolean(m.settlement) || Boolean(await settlingPayment(deps.db, m.contract_id, m.seq));
    const open = await openSettlingProposal(deps.db, m.contract_id, m.seq);
    const invoices = await deps
      .db('payment_invoices as i')
      .join('stored_files as f', 'f.id', 'i.file_id')
      .where({ 'i.contract_id': m.contract_id, 'i.milestone_seq': m.seq })
      .orderBy('i.id', 'desc')
      .select('i.id', 'i.kind', 'i.amount_fen', 'i.uploaded_at', 'f.original_name', 'f.sha256');
    const ofMilestone = (await proposalsOfContract(deps.db, m.contract_id)).filter((p) => p.milestone_seq === m.seq);
    const proposals = payee ? [] : ofMilestone;
    // Approved corrections whose money has not come back: shown to everyone, the organization too.
    const toReturn = ofMilestone.filter((p) => p.kind === 'reversal' && p.status === 'approved' && !p.payment_id);
    const payments = (await paymentsOfContract(deps.db, m.contract_id)).filter((p) => p.milestoneSeq === m.seq);
    const canProposeNow = canPropose(user, m) && m.contract_status === 'active' && !settled && !open && !!allowance;
    const defaults =
      canProposeNow && allowance && allowance.allowedFen > 0
        ? await proposedSources(deps.db, m, Number(c.award_item_id), allowance.allowedFen)
        : [];
    res.status(status).render('payments/milestone', {
      title: req.t('payments.milestone.title', { number: m.contract_number, seq: m.seq }),
      m,
      allowance,
      allowanceProblem,
      arithmetic: allowance ? partialArithmetic(allowance) : null,
      holdings,
      sources: FUND_SOURCES,
      defaults,
      settled,
      open,
      invoices,
      proposals,
      toReturn,
      payments,
      payee,
      canProposeNow,
      canUpload: canUploadInvoice(user, m) && m.contract_status === 'active' && !settled,
      values: typed ?? {},
      errors,
      formError,
      textMax: TEXT_MAX,
      allowed: INVOICE_EXTENSIONS.join(', '),
      maxMb: Math.round(deps.config.uploadMaxBytes / 1024 / 1024),
    });
  }

  const path = (m: ContractMilestone) => `/contracts/${m.contract_id}/milestones/${m.seq}/payment`;

  async function show(req: Request, res: Response) {
    await render(req, res, await load(req), 200);
  }

  /** Re-shows the milestone's page with the refused form (422 with the fields, or 409 as a form message). */
  const againOn =
    (req: Request, res: Response, m: ContractMilestone) =>
    ({ status, errors, values, formError }: Refusal) =>
      render(req, res, m, status, values, errors, formError ?? undefined);

  async function propose(req: Request, res: Response) {
    const m = await load(req);
    if (!canPropose(req.user, m)) throw new Forbidden('payments.errors.notManager');
    let withheld = false;
    await submitForm(req, res, {
      again: againOn(req, res, m),
      onForm: [InvalidState],
      run: async () => {
        // What the evaluation allows decides the form (a withheld milestone asks no amount).
        withheld = (await allowanceOf(deps.db, m)).kind === 'withheld';
        const parsed = parseProposal(req.body ?? {}, withheld);
        if (!parsed.ok) throw new ValidationFailed(parsed.errors);
        const id = await once(req, deps.db, 'payment.propose', (actor) =>
          proposePayment(deps, actor, req.user!, m.contract_id, m.seq, parsed.data),
        );
        return {
          redirect: `/payments/proposals/${id}`,
          flash: req.t(withheld ? 'payments.proposal.withheldProposed' : 'payments.proposal.proposed'),
        };
      },
    });
  }

  async function upload(req: Request, res: Response) {
    const m = await load(req);
    if (!canUploadInvoice(req.user, m)) throw new Forbidden('payments.errors.notPayee');
    await submitForm(req, res, {
      again: againOn(req, res, m),
      uploadField: 'file',
      onForm: [InvalidState],
      run: async () => {
        const parsed = parseInvoice(req.body ?? {});
        const files = uploadedFiles(req, 'file');
        const problems: Record<string, string | Problem> = parsed.ok ? {} : { ...parsed.errors };
        if (files.length !== 1) problems.file = 'payments.errors.invoiceFile';
        else if (!INVOICE_EXTENSIONS.includes(extensionOf(files[0].originalname)))
          problems.file = { key: 'payments.errors.invoiceType', params: { allowed: INVOICE_EXTENSIONS.join(', ') } };
        if (!parsed.ok || Object.keys(problems).length) throw new ValidationFailed(problems);
        await once(req, deps.db, 'payment.invoice', (actor) =>
          uploadInvoice(
            deps,
            actor,
            req.user!,
            m.contract_id,
            m.seq,
            files[0],
            parsed.data.kind,
            parsed.data.amountFen,
          ),
        );
        return { redirect: path(m), flash: req.t('payments.invoice.uploaded') };
      },
    });
  }

  async function invoice(req: Request, res: Response) {
    const m = await load(req);
    const file = await deps
      .db('payment_invoices as i')
      .join('stored_files as f', 'f.id', 'i.file_id')
      .where({ 'i.id': pathNumber(req.params.invoiceId), 'i.contract_id': m.contract_id, 'i.milestone_seq': m.seq })
      .first('f.*');
    if (!file) throw new NotFound();
    await sendStoredFile(res, deps.config.uploadDir, {
      ...file,
      id: Number(file.id),
      size_bytes: Number(file.size_bytes),
    });
  }

  return { show, propose, upload, invoice };
}
