import { formatMoney, parseMoney } from '../../shared/money';
import { EVALUATION_SOURCES, type EvaluationSource, type EvaluationWeights } from '../calls';

/**
 * The terms of a contract version as typed in the form (period, service plan, milestone rows) and
 * the pure checks on them. Everything here is free of the database, so the awkward cases (shares
 * that do not sum, percents with three decimals, a due date outside the period) are unit-tested.
 */

export const MAX_MILESTONE_ROWS = 12;
export const BLANK_ROWS = 1;
export const SHARE_UNITS = ['yuan', 'percent'] as const;
export type ShareUnit = (typeof SHARE_UNITS)[number];
export const PARTIAL_RULES = ['none', 'pro_rata'] as const;
export type PartialRuleKind = (typeof PARTIAL_RULES)[number];

export interface Milestone {
  seq: number;
  title: string;
  deliverables: string;
  dueDate: string;
  amountFen: number;
  advance: boolean;
  /** null for an advance: paid on signing, without evaluation. */
  passScore: number | null;
  partialRule: PartialRuleKind;
  floorScore: number | null;
  weights: EvaluationWeights;
}

export interface Terms {
  amountFen: number;
  periodStart: string;
  periodEnd: string;
  servicePlan: string;
  milestones: Milestone[];
}

import type { Problem, Problems } from '../../web/problems';
export type { Problem, Problems };

/** Field names of milestone row i (1-based). */
export const mf = (i: number, name: string) => `m${i}_${name}`;
export const weightFieldOf = (i: number, s: EvaluationSource) => mf(i, `w_${s}`);

const text = (v: unknown) => (typeof v === 'string' ? v.trim() : '');

/** A calendar date typed as YYYY-MM-DD that exists (no 2026-02-30). */
export function parseDate(v: unknown): string | null {
  const s = text(v);
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return null;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === s ? s : null;
}

function parseScore(v: unknown): number | null | 'bad' {
  const s = text(v);
  if (s === '') return null;
  if (!/^\d{1,3}$/.test(s)) return 'bad';
  const n = Number(s);
  return n <= 100 ? n : 'bad';
}

/** "33.33" -> 3333 hundredths of a percent; more than two decimals, negatives and > 100 refused. */
export function parsePercent(v: unknown): { ok: true; hundredths: number } | { ok: false; key: string } {
  const s = text(v).replace(/%$/, '').trim();
  if (s === '') return { ok: false, key: 'contracts.errors.shareRequired' };
  const m = /^(\d{1,3})(?:\.(\d*))?$/.exec(s);
  if (!m) return { ok: false, key: 'contracts.errors.percentFormat' };
  if ((m[2] ?? '').length > 2) return { ok: false, key: 'contracts.errors.percentDecimals' };
  const hundredths = Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
  if (hundredths > 10000) return { ok: false, key: 'contracts.errors.percentFormat' };
  return { ok: true, hundredths };
}

/**
 * Percent shares (in hundredths of a percent, summing to 100.00%) -> fen that sum to the amount
 * exactly: each gets the floor of its exact share, the fen left over go one each to the largest
 * remainders (ties: the earlier row). BigInt so amount × share cannot lose precision.
 */
export function percentToFen(amountFen: number, hundredths: number[]): number[] {
  const total = BigInt(amountFen);
  const parts = hundredths.map((h, i) => {
    const exact = total * BigInt(h);
    return { i, fen: exact / 10000n, remainder: exact % 10000n };
  });
  let left = total - parts.reduce((s, p) => s + p.fen, 0n);
  const order = [...parts].sort((a, b) =>
    a.remainder === b.remainder ? a.i - b.i : a.remainder > b.remainder ? -1 : 1,
  );
  for (const p of order) {
    if (left <= 0n) break;
    p.fen += 1n;
    left -= 1n;
  }
  return parts.map((p) => Number(p.fen));
}

/** The largest advance a call allows on this amount (floor, in fen). */
export const maxAdvanceFen = (amountFen: number, maxAdvancePercent: number) =>
  Number((BigInt(amountFen) * BigInt(maxAdvancePercent)) / 100n);

export type FormBody = Record<string, unknown>;

/** How many milestone rows the form shows (the hidden "rows" field), within 1..MAX. */
export function rowCount(body: FormBody): number {
  const n = Number(text(body.rows));
  return Number.isInteger(n) && n >= 1 && n <= MAX_MILESTONE_ROWS ? n : BLANK_ROWS;
}

const rowIsBlank = (body: FormBody, i: number) =>
  ['title', 'deliverables', 'due', 'share', 'pass', 'floor'].every((f) => text(body[mf(i, f)]) === '') &&
  text(body[mf(i, 'advance')]) === '';

export interface TermsContext {
  amountFen: number;
  maxAdvancePercent: number;
  callWeights: EvaluationWeights;
  /** An amendment of a contract whose advance is already paid/settled: the cap no longer applies to it (what is paid is the floor instead). */
  advanceSettled?: boolean;
}

/**
 * Reads the period, service plan and milestone rows of the form and checks them: rows marked
 * "remove" and blank rows are dropped, the rest ordered by their order field (then position);
 * shares in yuan must sum to the amount to the fen, in percent to 100.00% (then split by largest
 * remainder); due dates within the period; pass scores 0–100; pro rata needs a floor below the pass
 * score; weights whole numbers summing to 100 (blank = the call's); only the first milestone may be
 * an advance, and at most the call's share.
 */
export function readTerms(body: FormBody, ctx: TermsContext): { terms: Terms; problems: Problems } {
  const problems: Problems = {};
  const periodStart = parseDate(body.periodStart);
  const periodEnd = parseDate(body.periodEnd);
  if (!periodStart) problems.periodStart = { key: 'contracts.errors.date' };
  if (!periodEnd) problems.periodEnd = { key: 'contracts.errors.date' };
  if (periodStart && periodEnd && periodStart > periodEnd) problems.periodEnd = { key: 'contracts.errors.periodOrder' };
  const servicePlan = text(body.servicePlan);
  if (!servicePlan) problems.servicePlan = { key: 'validation.required' };
  else if (servicePlan.length > 20000) problems.servicePlan = { key: 'validation.tooLong', params: { max: 20000 } };
  const unit: ShareUnit = body.shareUnit === 'percent' ? 'percent' : 'yuan';

  const rows: { i: number; order: number }[] = [];
  for (let i = 1; i <= rowCount(body); i += 1) {
    if (text(body[mf(i, 'remove')]) !== '' || rowIsBlank(body, i)) continue;
    const order = Number(text(body[mf(i, 'order')]));
    rows.push({ i, order: Number.isFinite(order) && text(body[mf(i, 'order')]) !== '' ? order : i });
  }
  rows.sort((a, b) => a.order - b.order || a.i - b.i);
  if (!rows.length) problems.milestones = { key: 'contracts.errors.noMilestones' };

  const shares: number[] = [];
  const milestones: Milestone[] = rows.map(({ i }, index) => {
    const title = text(body[mf(i, 'title')]);
    if (!title) problems[mf(i, 'title')] = { key: 'contracts.errors.milestoneTitle', params: { row: i } };
    else if (title.length > 200) problems[mf(i, 'title')] = { key: 'validation.tooLong', params: { max: 200 } };
    const deliverables = text(body[mf(i, 'deliverables')]);
    if (deliverables.length > 5000)
      problems[mf(i, 'deliverables')] = { key: 'validation.tooLong', params: { max: 5000 } };
    const dueDate = parseDate(body[mf(i, 'due')]);
    if (!dueDate) problems[mf(i, 'due')] = { key: 'contracts.errors.dueDate', params: { row: i } };
    else if (periodStart && periodEnd && (dueDate < periodStart || dueDate > periodEnd)) {
      problems[mf(i, 'due')] = {
        key: 'contracts.errors.dueOutsidePeriod',
        params: { row: i, start: periodStart, end: periodEnd },
      };
    }
    const advance = text(body[mf(i, 'advance')]) !== '';
    if (advance && index > 0) problems[mf(i, 'advance')] = { key: 'contracts.errors.advanceFirst', params: { row: i } };
    if (advance && ctx.maxAdvancePercent === 0)
      problems[mf(i, 'advance')] = { key: 'contracts.errors.advanceOff', params: { row: i } };

    let share = 0;
    if (unit === 'percent') {
      const p = parsePercent(body[mf(i, 'share')]);
      if (p.ok) share = p.hundredths;
      else problems[mf(i, 'share')] = { key: p.key, params: { row: i } };
    } else {
      const r = parseMoney(text(body[mf(i, 'share')]));
      if (r.ok) share = r.fen;
      else
        problems[mf(i, 'share')] = {
          key: r.error === 'required' ? 'contracts.errors.shareRequired' : `validation.money.${r.error}`,
          params: { row: i },
        };
    }
    if (!problems[mf(i, 'share')] && share <= 0)
      problems[mf(i, 'share')] = { key: 'contracts.errors.sharePositive', params: { row: i } };
    shares.push(share);

    let passScore: number | null = null;
    let partialRule: PartialRuleKind = 'none';
    let floorScore: number | null = null;
    if (!advance) {
      const pass = parseScore(body[mf(i, 'pass')]);
      if (pass === null || pass === 'bad')
        problems[mf(i, 'pass')] = { key: 'contracts.errors.passScore', params: { row: i } };
      else passScore = pass;
      partialRule = body[mf(i, 'rule')] === 'pro_rata' ? 'pro_rata' : 'none';
      if (partialRule === 'pro_rata') {
        const floor = parseScore(body[mf(i, 'floor')]);
        if (floor === null || floor === 'bad')
          problems[mf(i, 'floor')] = { key: 'contracts.errors.floorScore', params: { row: i } };
        else if (passScore !== null && floor >= passScore)
          problems[mf(i, 'floor')] = { key: 'contracts.errors.floorBelowPass', params: { row: i, pass: passScore } };
        else floorScore = floor;
      }
    }

    const typed = EVALUATION_SOURCES.map((s) => text(body[weightFieldOf(i, s)]));
    let weights = ctx.callWeights;
    if (typed.some((w) => w !== '')) {
      const parsed = typed.map((w) => (/^\d{1,3}$/.test(w) ? Number(w) : NaN));
      const sum = parsed.reduce((a, b) => a + b, 0);
      if (parsed.some((w) => Number.isNaN(w) || w > 100))
        problems[mf(i, 'weights')] = { key: 'contracts.errors.weightsFormat', params: { row: i } };
      else if (sum !== 100)
        problems[mf(i, 'weights')] = { key: 'contracts.errors.weightsSum', params: { row: i, sum } };
      else weights = Object.fromEntries(EVALUATION_SOURCES.map((s, k) => [s, parsed[k]])) as EvaluationWeights;
    }
    return {
      seq: index + 1,
      title,
      deliverables,
      dueDate: dueDate ?? '',
      amountFen: 0,
      advance,
      passScore,
      partialRule,
      floorScore,
      weights,
    };
  });

  const shareProblems = Object.keys(problems).some((k) => k.endsWith('_share'));
  if (milestones.length && !shareProblems) {
    const sum = shares.reduce((a, b) => a + b, 0);
    if (unit === 'percent') {
      if (sum !== 10000)
        problems.milestones = { key: 'contracts.errors.percentSum', params: { sum: (sum / 100).toFixed(2) } };
      else
        percentToFen(ctx.amountFen, shares).forEach((fen, k) => {
          milestones[k].amountFen = fen;
          // A positive percent of a small amount can still round to nothing.
          if (fen <= 0)
            problems[mf(rows[k].i, 'share')] = { key: 'contracts.errors.sharePositive', params: { row: rows[k].i } };
        });
    } else if (sum !== ctx.amountFen) {
      problems.milestones = {
        key: 'contracts.errors.yuanSum',
        params: { sum: formatMoney(sum), amount: formatMoney(ctx.amountFen) },
      };
    } else {
      shares.forEach((fen, k) => (milestones[k].amountFen = fen));
    }
  }
  const first = milestones[0];
  if (first?.advance && !problems.milestones && ctx.maxAdvancePercent > 0 && !ctx.advanceSettled) {
    const cap = maxAdvanceFen(ctx.amountFen, ctx.maxAdvancePercent);
    if (first.amountFen > cap)
      problems[mf(rows[0].i, 'share')] = {
        key: 'contracts.errors.advanceTooLarge',
        params: { percent: ctx.maxAdvancePercent, cap: formatMoney(cap) },
      };
  }
  return {
    terms: {
      amountFen: ctx.amountFen,
      periodStart: periodStart ?? '',
      periodEnd: periodEnd ?? '',
      servicePlan,
      milestones,
    },
    problems,
  };
}

/** The form's text values for saved terms (shares in yuan), with one blank row to add. */
export function termsToValues(terms: Terms, fenToInput: (fen: number) => string): Record<string, string> {
  const values: Record<string, string> = {
    periodStart: terms.periodStart,
    periodEnd: terms.periodEnd,
    servicePlan: terms.servicePlan,
    shareUnit: 'yuan',
    rows: String(Math.min(MAX_MILESTONE_ROWS, terms.milestones.length + BLANK_ROWS)),
  };
  terms.milestones.forEach((m, k) => {
    const i = k + 1;
    values[mf(i, 'title')] = m.title;
    values[mf(i, 'deliverables')] = m.deliverables;
    values[mf(i, 'due')] = m.dueDate;
    values[mf(i, 'share')] = fenToInput(m.amountFen);
    values[mf(i, 'order')] = String(i);
    if (m.advance) values[mf(i, 'advance')] = '1';
    values[mf(i, 'pass')] = m.passScore === null ? '' : String(m.passScore);
    values[mf(i, 'rule')] = m.partialRule;
    values[mf(i, 'floor')] = m.floorScore === null ? '' : String(m.floorScore);
    for (const s of EVALUATION_SOURCES) values[weightFieldOf(i, s)] = String(m.weights[s]);
  });
  return values;
}
