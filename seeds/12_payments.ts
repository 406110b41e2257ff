import type { Knex } from 'knex';
import { userActor } from '../src/audit/audit';
import type { SeedContext } from '../src/db/seed';
import type { SessionUser } from '../src/modules/accounts/roles';
import {
  approveProposal,
  proposePayment,
  proposeReversal,
  recordVoucher,
  uploadInvoice,
} from '../src/modules/payments/service';
import { PdfWriter } from '../src/pdf';

// Demo payments, through the services (ledger, audit trail, notifications as the app writes them):
// - every street office with contracts has an approver (东山 has approver.dongshan; one is added
//   for any other street that has contracts and none);
// - DS-2026-0001's advance: 安心养老 uploaded its receipt, manager.dongshan proposed, approver.dongshan
//   approved (released from the fund) and recorded the bank transfer reference;
// - waiting in approver.dongshan's queue: manager.dongshan's correction (追回) of part of that
//   advance, so both sides of the four eyes can be explored.

const DAY = 24 * 60 * 60 * 1000;

async function sessionUser(trx: Knex.Transaction, username: string): Promise<SessionUser | undefined> {
  const u = await trx('users')
    .where({ username })
    .first('id', 'username', 'display_name', 'role', 'street_office_id', 'organization_id');
  if (!u) return undefined;
  const street = u.street_office_id === null ? null : Number(u.street_office_id);
  return {
    id: Number(u.id),
    username: u.username,
    displayName: u.display_name,
    role: u.role,
    streetOfficeId: street,
    streetOfficeName: null,
    organizationId: u.organization_id === null ? null : Number(u.organization_id),
    organizationName: null,
    streetOfficeIds: street ? [street] : [],
  };
}

async function receiptPdf(at: Date, amount: string): Promise<Buffer> {
  const w = await PdfWriter.create({ title: '收款收据', identifier: 'DS-2026-0001', createdAt: at.toISOString() });
  w.title('收款收据', ['南京市江宁区安心养老服务中心']);
  w.paragraph(`今收到东山街道办事处拨付 DS-2026-0001 首期款 ${amount}（示例数据）。`);
  return w.finish();
}

/** An approver for each street office that has contracts and none (same demo password). */
async function approversForStreets(trx: Knex.Transaction, at: string): Promise<void> {
  const template = await trx('users').where({ role: 'approver' }).first('password_hash');
  if (!template) return;
  const streets = await trx('street_offices as s')
    .whereExists(trx('contracts as c').whereRaw('c.street_office_id = s.id'))
    .whereNotExists(trx('users as u').whereRaw('u.street_office_id = s.id').where('u.role', 'approver'))
    .select('s.id', 's.name', 's.short_code');
  for (const s of streets) {
    await trx('users').insert({
      username: `approver.${String(s.short_code ?? s.id).toLowerCase()}`,
      display_name: `${s.name}审批人`,
      role: 'approver',
      password_hash: template.password_hash,
      street_office_id: s.id,
      organization_id: null,
      disabled_at: null,
      created_at: at,
      updated_at: at,
    });
  }
}

export async function seed({ trx, now, config }: SeedContext): Promise<void> {
  await approversForStreets(trx, now.toISOString());
  const contract = await trx('contracts').where({ number: 'DS-2026-0001', status: 'active' }).first('id');
  const [manager, approver, staff] = await Promise.all([
    sessionUser(trx, 'manager.dongshan'),
    sessionUser(trx, 'approver.dongshan'),
    sessionUser(trx, 'org.anxin'),
  ]);
  if (!contract || !manager || !approver || !staff) return;
  const contractId = Number(contract.id);
  const advance = await trx('contract_milestones')
    .where({ contract_id: contractId, advance: true })
    .first('seq', 'amount_fen', 'settlement');
  if (!advance || advance.settlement) return;
  const seq = Number(advance.seq);
  const amountFen = Number(advance.amount_fen);
  const at = (days: number) => new Date(now.getTime() - days * DAY);
  const deps = (when: Date) => ({ db: trx as unknown as Knex, clock: { now: () => when }, config });

  const pdf = await receiptPdf(at(13), `¥${(amountFen / 100).toFixed(2)}`);
  await uploadInvoice(
    deps(at(13)),
    userActor(staff),
    staff,
    contractId,
    seq,
    {
      fieldname: 'file',
      originalname: '首期款收据.pdf',
      mimetype: 'application/pdf',
      size: pdf.length,
      buffer: pdf,
    } as Express.Multer.File,
    'receipt',
    amountFen,
  );
  const proposalId = await proposePayment(deps(at(12.9)), userActor(manager), manager, contractId, seq, {});
  const paymentId = await approveProposal(deps(at(12)), userActor(approver), approver, proposalId);
  const paidOn = new Date(at(11).getTime() + 8 * 3600_000).toISOString().slice(0, 10);
  await recordVoucher(deps(at(11)), userActor(approver), approver, paymentId, 'JN-ZF-2026-0318', paidOn);
  await proposeReversal(
    deps(at(1)),
    userActor(manager),
    manager,
    paymentId,
    Math.min(120_000, amountFen),
    '首期款中列支的场地租金经核实由社区无偿提供，追回多付部分。',
  );
}
