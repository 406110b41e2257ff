import { formatMoney, parseMoney } from '../../shared/money';
import type { RankedBid } from './ranking';

/**
 * The award proposal form, read and checked against the ranking.
 * Fields: a tender has one radio `winner` (a bid id; its amount is its price); a venture call has a
 * checkbox `select_<bidRef>` and an amount `amount_<bidRef>` per bid. Either has `reason_<bidRef>`, the
 * written reason for passing over a bid ranked above a chosen one (required for those, published).
 */
export interface Proposal {
  items: { bidId: number; bidRef: string; rank: number; amountFen: number }[];
  skips: { bidId: number; bidRef: string; reason: string }[];
}

import type { Problem, Problems } from '../../web/problems';
export type { Problem, Problems };

export interface CallTerms {
  method: string;
  budget_fen: number;
  per_project_cap_fen: number | null;
}

export const isVenture = (call: { method: string }) => call.method === 'venture';
export const REASON_MAX = 2000;

/** A field's text, or a problem when it came as a list (a repeated field) rather than text. */
function text(body: Record<string, unknown>, name: string, problems: Problems): string {
  const v = body[name];
  if (v === undefined) return '';
  if (typeof v !== 'string') {
    problems[name] = { key: 'validation.notText' };
    return '';
  }
  return v.trim();
}

/**
 * The bids a form's choice passes over: ranked above the lowest-ranked chosen bid and not chosen
 * themselves. The form shows a reason box only for these (the rest are hidden until the choice
 * changes); readProposal requires a reason for exactly these among the valid choices.
 */
export function passedOver(ranking: RankedBid[], values: Record<string, unknown>, venture: boolean): Set<string> {
  const chosen = new Set(
    ranking
      .filter((b) => (venture ? Boolean(values[`select_${b.bidRef}`]) : values.winner === b.bidRef))
      .map((b) => b.bidRef),
  );
  const lowest = Math.max(0, ...ranking.filter((b) => chosen.has(b.bidRef)).map((b) => b.rank));
  return new Set(ranking.filter((b) => b.rank < lowest && !chosen.has(b.bidRef)).map((b) => b.bidRef));
}

export function readProposal(
  body: unknown,
  call: CallTerms,
  ranking: RankedBid[],
): { proposal: Proposal; problems: Problems } {
  const form = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const problems: Problems = {};
  const items: Proposal['items'] = [];
  const venture = isVenture(call);

  if (venture) {
    for (const bid of ranking) {
      const selected = text(form, `select_${bid.bidRef}`, problems);
      if (!selected) continue;
      const field = `amount_${bid.bidRef}`;
      const parsed = parseMoney(text(form, field, problems));
      if (problems[field]) continue;
      if (!parsed.ok) problems[field] = { key: `validation.money.${parsed.error}` };
      else if (parsed.fen <= 0) problems[field] = { key: 'awards.errors.amountZero' };
      else if (parsed.fen > bid.priceFen)
        problems[field] = { key: 'awards.errors.abovePrice', params: { price: formatMoney(bid.priceFen) } };
      else if (call.per_project_cap_fen !== null && parsed.fen > call.per_project_cap_fen)
        problems[field] = { key: 'awards.errors.aboveCap', params: { cap: formatMoney(call.per_project_cap_fen) } };
      else items.push({ bidId: bid.bidId, bidRef: bid.bidRef, rank: bid.rank, amountFen: parsed.fen });
    }
    if (!items.length && !Object.keys(problems).length) problems.selection = { key: 'awards.errors.noneChosen' };
  } else {
    const winner = text(form, 'winner', problems);
    const bid = winner ? ranking.find((b) => b.bidRef === winner) : undefined;
    if (!problems.winner) {
      if (!bid) problems.winner = { key: winner ? 'validation.choose' : 'awards.errors.noneChosen' };
      else items.push({ bidId: bid.bidId, bidRef: bid.bidRef, rank: bid.rank, amountFen: bid.priceFen });
    }
  }

  const total = items.reduce((s, i) => s + i.amountFen, 0);
  if (total > call.budget_fen)
    problems[venture ? 'selection' : 'winner'] = {
      key: 'awards.errors.abovePool',
      params: { pool: formatMoney(call.budget_fen), total: formatMoney(total) },
    };

  // Every bid ranked above the lowest-ranked chosen one and not chosen itself is a skip.
  const skips: Proposal['skips'] = [];
  const chosen = new Set(items.map((i) => i.bidId));
  const lowest = Math.max(0, ...items.map((i) => i.rank));
  for (const bid of ranking) {
    const field = `reason_${bid.bidRef}`;
    const reason = text(form, field, problems);
    if (bid.rank >= lowest || chosen.has(bid.bidId) || problems[field]) continue;
    if (!reason) problems[field] = { key: 'awards.errors.skipReasonRequired', params: { rank: bid.rank } };
    else if (reason.length > REASON_MAX) problems[field] = { key: 'validation.tooLong', params: { max: REASON_MAX } };
    else skips.push({ bidId: bid.bidId, bidRef: bid.bidRef, reason });
  }
  return { proposal: { items, skips }, problems };
}
