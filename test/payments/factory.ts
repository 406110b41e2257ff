import { systemActor } from '../../src/audit/audit';
import type { SessionUser } from '../../src/modules/accounts/roles';
import { paymentConsequence } from '../../src/modules/evaluations/weighting';
import { gradeOf, starsOf } from '../../src/modules/evaluations/weighting';
import type { TestContext } from '../helpers/app';
import type { CallSpec } from '../awards/factory';
import { signedContract } from '../contracts/factory';
import { staffUser } from '../contracts/factory';
import { minimalPdf } from '../helpers/pdf-fixture';

export const PDF = minimalPdf();

export const sessionUser = (row: {
  id: number;
  username: string;
  role: string;
  street_office_id?: number | null;
  organization_id?: number | null;
}): SessionUser => ({
  id: Number(row.id),
  username: row.username,
  displayName: row.username,
  role: row.role as SessionUser['role'],
  streetOfficeId: row.street_office_id ? Number(row.street_office_id) : null,
  streetOfficeName: null,
  organizationId: row.organization_id ? Number(row.organization_id) : null,
  organizationName: null,
  streetOfficeIds: row.street_office_id ? [Number(row.street_office_id)] : [],
});

/** A signed contract (advance, mid-term, final) with an approver of its street office. */
export async function payableContract(ctx: TestContext, spec: Partial<CallSpec> = {}) {
  const c = await signedContract(ctx, spec);
  const approverRow = await ctx.make.user('approver', { street_office_id: c.call.streetOfficeId });
  const milestones = (await ctx.db('contract_milestones').where({ contract_id: c.contractId }).orderBy('seq')).map(
    (m) => ({
      id: Number(m.id),
      seq: Number(m.seq),
      amountFen: Number(m.amount_fen),
      advance: Boolean(m.advance),
      passScore: m.pass_score === null ? null : Number(m.pass_score),
    }),
  );
  const contract = await ctx.db('contracts').where({ id: c.contractId }).first();
  return {
    ...c,
    awardItemId: Number(contract.award_item_id),
    streetOfficeId: c.call.streetOfficeId,
    organizationId: Number(contract.organization_id),
    approverRow,
    approver: sessionUser({ ...approverRow, role: 'approver' }),
    staff: staffUser(c.call),
    milestones,
  };
}

export type Payable = Awaited<ReturnType<typeof payableContract>>;

/** Writes a closed evaluation for milestone `seq` directly (the evaluation flow is tested in its
 *  module; here only its result matters): a submitted report and the closed row with `score`. */
export async function closeWith(ctx: TestContext, c: Payable, seq: number, score: number) {
  const m = await ctx.db('contract_milestones').where({ contract_id: c.contractId, seq }).first();
  const at = ctx.clock.now().toISOString();
  const [report] = await ctx
    .db('milestone_reports')
    .insert({
      contract_id: c.contractId,
      milestone_seq: seq,
      organization_id: c.organizationId,
      street_office_id: c.streetOfficeId,
      version: 1,
      status: 'submitted',
      delivered_json: '[]',
      people_served: 10,
      sessions_held: 2,
      self_comment: 'ok',
      self_score: score,
      created_by: c.staff.id,
      created_at: at,
      updated_at: at,
      submitted_by: c.staff.id,
      submitted_at: at,
    })
    .returning('id');
  const reportId = Number(typeof report === 'object' ? report.id : report);
  const passScore = Number(m.pass_score);
  await ctx.db('milestone_evaluations').insert({
    contract_id: c.contractId,
    milestone_seq: seq,
    street_office_id: c.streetOfficeId,
    organization_id: c.organizationId,
    report_id: reportId,
    status: 'closed',
    opened_at: at,
    manager_score: score,
    manager_comment: 'ok',
    manager_scored_by: c.manager.id,
    manager_scored_at: at,
    self_score: score,
    total_score: score,
    grade: gradeOf(score),
    stars: starsOf(score),
    pass_score: passScore,
    passed: score >= passScore * 100,
    weights_json: JSON.stringify({ used: [{ source: 'manager', score, weight: 100, usedWeight: 10000 }], missing: [] }),
    closed_by: c.manager.id,
    closed_at: at,
  });
  return paymentConsequence(
    Number(m.amount_fen),
    score,
    passScore,
    m.partial_rule,
    m.floor_score === null ? null : Number(m.floor_score),
  );
}

/** The organization's invoice for milestone `seq` (through the service, content-checked). */
export async function invoiceFor(ctx: TestContext, c: Payable, seq: number, amountFen?: number) {
  const { uploadInvoice } = await import('../../src/modules/payments/service');
  const m = c.milestones.find((x) => x.seq === seq)!;
  const file = {
    fieldname: 'file',
    originalname: 'invoice.pdf',
    mimetype: 'application/pdf',
    size: PDF.length,
    buffer: PDF,
  } as Express.Multer.File;
  return uploadInvoice(ctx, systemActor, c.staff, c.contractId, seq, file, 'invoice', amountFen ?? m.amountFen);
}

/** Opens a review (复核) of the closed evaluation of milestone `seq`, as the organization's request
 *  would (written directly: the review flow is the evaluations module's and tested there). */
export async function openReview(ctx: TestContext, c: Payable, seq: number) {
  const e = await ctx.db('milestone_evaluations').where({ contract_id: c.contractId, milestone_seq: seq }).first();
  const at = ctx.clock.now().toISOString();
  const [file] = await ctx
    .db('stored_files')
    .insert({
      storage_key: `k${Math.random().toString(16).slice(2)}`,
      original_name: 'r.pdf',
      mime_type: 'application/pdf',
      size_bytes: 1,
      sha256: '0'.repeat(64),
      uploaded_by: c.staff.id,
      created_at: at,
    })
    .returning('id');
  const [report] = await ctx
    .db('evaluation_reports')
    .insert({
      evaluation_id: e.id,
      file_id: Number(typeof file === 'object' ? file.id : file),
      sha256: '0'.repeat(64),
      created_at: at,
    })
    .returning('id');
  await ctx.db('evaluation_reviews').insert({
    evaluation_id: e.id,
    assessment_report_id: Number(typeof report === 'object' ? report.id : report),
    closed_at: e.closed_at,
    result_json: '{}',
    status: 'open',
    reasons: '评分有误',
    requested_by: c.staff.id,
    requested_at: at,
  });
}

/** A venture call whose `n` winners each sign a contract of `priceFen`, all drawing on one fiscal
 *  source of exactly their total (nothing spare), with an approver of the street. */
export async function sharedSourceContracts(ctx: TestContext, n: number, priceFen = 100_000) {
  const { finalAward } = await import('../contracts/factory');
  const { createContract } = await import('../../src/modules/contracts/service/drafting');
  const { sendContract, acceptContract, signContract } = await import('../../src/modules/contracts/service/signing');
  const bids = Array.from({ length: n }, (_, i) => ({ priceFen, scores: [[90 - i, 90 - i]] }));
  const award = await finalAward(
    ctx,
    { venture: true, sources: { fiscal: n * priceFen }, capFen: priceFen, bids },
    (call) =>
      Object.fromEntries(
        call.bids.flatMap((b) => [
          [`select_${b.bidRef}`, '1'],
          [`amount_${b.bidRef}`, String(priceFen / 100)],
        ]),
      ),
  );
  const approverRow = await ctx.make.user('approver', { street_office_id: award.call.streetOfficeId });
  const out: Payable[] = [];
  for (let i = 0; i < award.items.length; i++) {
    const contractId = await createContract(ctx, systemActor, award.manager, award.awardId, award.items[i].id);
    await sendContract(ctx, systemActor, award.manager, contractId);
    const staff = staffUser(
      award.call,
      award.call.bids.findIndex((b) => b.bidId === award.items[i].bidId),
    );
    await acceptContract(ctx, systemActor, staff, contractId);
    await signContract(ctx, systemActor, award.manager, contractId);
    const contract = await ctx.db('contracts').where({ id: contractId }).first();
    const milestones = (await ctx.db('contract_milestones').where({ contract_id: contractId }).orderBy('seq')).map(
      (m) => ({
        id: Number(m.id),
        seq: Number(m.seq),
        amountFen: Number(m.amount_fen),
        advance: Boolean(m.advance),
        passScore: m.pass_score === null ? null : Number(m.pass_score),
      }),
    );
    out.push({
      ...award,
      contractId,
      sha256: '',
      awardItemId: Number(contract.award_item_id),
      streetOfficeId: award.call.streetOfficeId,
      organizationId: Number(contract.organization_id),
      approverRow,
      approver: sessionUser({ ...approverRow, role: 'approver' }),
      staff,
      milestones,
    });
  }
  return out;
}
