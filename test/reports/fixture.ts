import ExcelJS from 'exceljs';
import { systemActor } from '../../src/audit/audit';
import type { FundSource } from '../../src/modules/funds';
import { approveProposal, proposePayment, proposeReversal, recordReturn } from '../../src/modules/payments/service';
import type { TestContext } from '../helpers/app';
import { closeWith, invoiceFor, payableContract } from '../payments/factory';

/** Awkward fen in every source: thirds, a single fen, a ¥0.01 remainder. */
export const AWKWARD: Record<FundSource, number> = {
  fiscal: 3_333_334,
  lottery: 1_000_001,
  development_fund: 666_667,
  donation: 1,
};

/**
 * A signed contract in a new street office, funded from all four sources with awkward amounts, paid
 * through the payments module: the advance, the mid-term milestone after an evaluation of 87.12, and
 * a reversal (追回) of a third of the advance (rounded down): every kind of row a report sums.
 */
export async function paidContract(ctx: TestContext) {
  const total = Object.values(AWKWARD).reduce((a, b) => a + b, 0);
  const c = await payableContract(ctx, {
    sources: AWKWARD,
    bids: [
      { priceFen: total - 2, scores: [[90, 90]] },
      { priceFen: total - 5, scores: [[70, 70]] },
    ],
  });
  await invoiceFor(ctx, c, 1);
  const advance = await approveProposal(
    ctx,
    systemActor,
    c.approver,
    await proposePayment(ctx, systemActor, c.manager, c.contractId, 1, {}),
  );
  await closeWith(ctx, c, 2, 8712);
  await invoiceFor(ctx, c, 2);
  await approveProposal(
    ctx,
    systemActor,
    c.approver,
    await proposePayment(ctx, systemActor, c.manager, c.contractId, 2, {}),
  );
  const released = Number((await ctx.db('payments').where({ id: advance }).first('amount_fen')).amount_fen);
  const clawback = await proposeReversal(
    ctx,
    systemActor,
    c.manager,
    advance,
    Math.floor(released / 3),
    '多付，追回三分之一',
  );
  await approveProposal(ctx, systemActor, c.approver, clawback);
  // Approving a clawback moves no money; recording its return does (payments README, Correct).
  const today = new Date(ctx.clock.now().getTime() + 8 * 3600_000).toISOString().slice(0, 10);
  await recordReturn(ctx, systemActor, c.approver, clawback, 'TH-2026-001', today);
  return c;
}

/** What the ledger says, summed here in the test, row by row (the independent oracle). */
export async function ledgerOracle(ctx: TestContext, streetOfficeId: number) {
  const entries: { source: string; kind: string; amount_fen: number; contract_id: number | null }[] = await ctx
    .db('fund_entries')
    .where({ street_office_id: streetOfficeId });
  const out: Record<string, { allocated: number; reserved: number; committed: number; paid: number }> = {};
  for (const e of entries) {
    const f = (out[e.source] ??= { allocated: 0, reserved: 0, committed: 0, paid: 0 });
    const a = Number(e.amount_fen);
    switch (e.kind) {
      case 'allocation':
        f.allocated += a;
        break;
      case 'reversal':
        f.allocated -= a;
        break;
      case 'reservation':
        f.reserved += a;
        break;
      case 'reservation_release':
        f.reserved -= a;
        break;
      case 'commitment':
        f.reserved -= a;
        f.committed += a;
        break;
      case 'commitment_increase':
        f.committed += a;
        break;
      case 'commitment_release':
        f.committed -= a;
        break;
      case 'payment':
        f.committed -= a;
        f.paid += a;
        break;
      case 'payment_reversal':
        f.committed += a;
        f.paid -= a;
        break;
    }
  }
  return out;
}

export const binary = (res: import('superagent').Response, cb: (err: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => cb(null, Buffer.concat(chunks)));
};

export async function readXlsx(body: Buffer) {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(body as unknown as ArrayBuffer);
  return wb;
}

/** A minimal RFC 4180 parser (quotes, doubled quotes, CRLF), for reading the CSV back. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += ch;
  }
  if (field !== '' || row.length) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}
