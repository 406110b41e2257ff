import type { Knex } from 'knex';
import type { Queryable } from '../../db/knex';
import type { FundSource } from '../funds/service';
import type { ContractPdfInput, ContractPdfOptions } from '../../pdf/contract-input';

/**
 * The two things this module takes from its neighbours, in one place:
 * - money, from the funds module (`holdingsOf`, `increaseCommitment`, `releaseCommitment`: committed
 *   money per award item and contract, per source), and
 * - the PDF, from src/pdf (`renderContractPdf`).
 * Both are built on their own branches (funds, pdf). Until they are merged these are stand-ins that
 * only read what exists today (the award item's amount split over the call's sources, nothing paid)
 * or refuse to move money; merging replaces each body with a re-export of the real function.
 */

export interface Holding {
  source: FundSource;
  /** Committed to this award item / contract and not yet paid. */
  committedFen: number;
  paidFen: number;
}

export async function holdingsOf(db: Queryable, awardItemId: number): Promise<Holding[]> {
  const item = await db('award_items as i').join('awards as a', 'a.id', 'i.award_id').where('i.id', awardItemId).first('i.amount_fen', 'a.call_id');
  if (!item) return [];
  const sources = await db('call_fund_sources').where({ call_id: item.call_id }).orderBy('id').select('source', 'amount_fen');
  const { splitByShares } = await import('../awards/split');
  return splitByShares(Number(item.amount_fen), sources.map((s: { source: FundSource; amount_fen: number }) => ({ source: s.source, amountFen: Number(s.amount_fen) }))).map((s) => ({
    source: s.source,
    committedFen: s.amountFen,
    paidFen: 0,
  }));
}

export interface CommitmentArgs {
  awardItemId: number;
  contractId: number;
  amountFen: number;
  userId: number | null;
  now: Date;
}

export async function increaseCommitment(_trx: Knex.Transaction, _args: CommitmentArgs): Promise<void> {
  throw new Error('increaseCommitment comes with the funds branch');
}

export async function releaseCommitment(_trx: Knex.Transaction, _args: Omit<CommitmentArgs, 'amountFen'> & { amountFen: number | 'all_unpaid' }): Promise<void> {
  throw new Error('releaseCommitment comes with the funds branch');
}

export async function renderContractPdf(input: ContractPdfInput, options: ContractPdfOptions): Promise<Buffer> {
  const PDFDocument = (await import('pdfkit')).default;
  const doc = new PDFDocument({ size: 'A4', info: { Title: input.number } });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve) => doc.on('end', () => resolve(Buffer.concat(chunks))));
  doc.fontSize(16).text(`${options.draft ? 'DRAFT ' : ''}Contract ${input.number} v${input.version}`);
  doc.fontSize(11).text(`Amount (fen): ${input.amountFen}`).text(`Period: ${input.periodStart} - ${input.periodEnd}`);
  for (const m of input.milestones) doc.text(`${m.seq}. ${m.dueDate} ${m.amountFen}`);
  doc.end();
  return done;
}
