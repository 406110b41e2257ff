import { parseMoney } from '../../shared/money';
import { FUND_SOURCES, type FundSource, type SourceAmount } from '../funds';

/** Form rules of the payment forms: pure functions from the posted body to typed input or field
 *  errors (i18n keys). Amounts are typed in yuan with at most two decimals and kept in fen. */
export const TEXT_MAX = 2000;
export const VOUCHER_MAX = 100;
export const INVOICE_EXTENSIONS = ['pdf', 'jpg', 'jpeg', 'png'];

type Body = Record<string, unknown>;
type Parsed<T> = { ok: true; data: T } | { ok: false; errors: Record<string, string> };

const text = (v: unknown) => (typeof v === 'string' ? v.trim() : '');

/** A path id: a positive safe integer, else NaN (which finds nothing: 404). */
export const pathNumber = (v: unknown) => (typeof v === 'string' && /^[1-9]\d{0,12}$/.test(v) ? Number(v) : NaN);

function money(v: unknown, field: string, errors: Record<string, string>): number | undefined {
  const r = parseMoney(v);
  if (!r.ok) {
    errors[field] = `validation.money.${r.error}`;
    return undefined;
  }
  return r.fen;
}

function reasonOf(v: unknown, field: string, errors: Record<string, string>, required: boolean): string | null {
  const r = text(v);
  if (!r) {
    if (required) errors[field] = 'validation.required';
    return null;
  }
  if (r.length > TEXT_MAX) errors[field] = 'payments.errors.textTooLong';
  return r;
}

/**
 * The proposal form: the amount (blank: what the evaluation allows), a reason, and optionally the
 * amount per source (all blank: the contract's split). A withheld milestone posts no amount.
 */
export function parseProposal(
  body: Body,
  withheld: boolean,
): Parsed<{ amountFen?: number; reason: string | null; sources?: SourceAmount[] }> {
  const errors: Record<string, string> = {};
  const reason = reasonOf(body.reason, 'reason', errors, false);
  if (withheld) return Object.keys(errors).length ? { ok: false, errors } : { ok: true, data: { reason } };
  const amountFen = text(body.amount) === '' ? undefined : money(body.amount, 'amount', errors);
  if (amountFen === 0) errors.amount = 'payments.errors.amountPositive';
  let sources: SourceAmount[] | undefined;
  if (FUND_SOURCES.some((s) => text(body[`source_${s}`]) !== '')) {
    sources = [];
    for (const s of FUND_SOURCES) {
      if (text(body[`source_${s}`]) === '') continue;
      const fen = money(body[`source_${s}`], `source_${s}`, errors);
      if (fen !== undefined) sources.push({ source: s as FundSource, amountFen: fen });
    }
  }
  return Object.keys(errors).length ? { ok: false, errors } : { ok: true, data: { amountFen, reason, sources } };
}

export function parseRejection(body: Body): Parsed<{ reason: string }> {
  const errors: Record<string, string> = {};
  const reason = reasonOf(body.reason, 'reason', errors, true);
  return Object.keys(errors).length ? { ok: false, errors } : { ok: true, data: { reason: reason! } };
}

/** Voucher number or bank reference (letters, digits, - _ / .), and the Beijing date it was paid. */
export function parseVoucher(body: Body): Parsed<{ voucherRef: string; paidOn: string }> {
  const errors: Record<string, string> = {};
  const voucherRef = text(body.voucherRef);
  if (!voucherRef) errors.voucherRef = 'validation.required';
  else if (voucherRef.length > VOUCHER_MAX || !/^[\p{L}\p{N}\-_/.#]+$/u.test(voucherRef))
    errors.voucherRef = 'payments.errors.voucherFormat';
  const paidOn = text(body.paidOn);
  if (
    !/^\d{4}-\d{2}-\d{2}$/.test(paidOn) ||
    Number.isNaN(Date.parse(`${paidOn}T00:00:00Z`)) ||
    new Date(`${paidOn}T00:00:00Z`).toISOString().slice(0, 10) !== paidOn
  )
    errors.paidOn = 'payments.errors.dateFormat';
  return Object.keys(errors).length ? { ok: false, errors } : { ok: true, data: { voucherRef, paidOn } };
}

export function parseReversal(body: Body): Parsed<{ amountFen: number; reason: string }> {
  const errors: Record<string, string> = {};
  const amountFen = money(body.amount, 'amount', errors);
  if (amountFen === 0) errors.amount = 'payments.errors.amountPositive';
  const reason = reasonOf(body.reason, 'reason', errors, true);
  return Object.keys(errors).length
    ? { ok: false, errors }
    : { ok: true, data: { amountFen: amountFen!, reason: reason! } };
}

export function parseWithheldDecision(body: Body): Parsed<{ decision: 'continue' | 'terminate'; reason: string }> {
  const errors: Record<string, string> = {};
  const decision = body.decision === 'continue' || body.decision === 'terminate' ? body.decision : undefined;
  if (!decision) errors.decision = 'validation.choose';
  const reason = reasonOf(body.reason, 'reason', errors, true);
  return Object.keys(errors).length
    ? { ok: false, errors }
    : { ok: true, data: { decision: decision!, reason: reason! } };
}

export function parseInvoice(body: Body): Parsed<{ kind: 'invoice' | 'receipt'; amountFen: number }> {
  const errors: Record<string, string> = {};
  const kind = body.kind === 'invoice' || body.kind === 'receipt' ? body.kind : undefined;
  if (!kind) errors.kind = 'validation.choose';
  const amountFen = money(body.amount, 'amount', errors);
  if (amountFen === 0) errors.amount = 'payments.errors.amountPositive';
  return Object.keys(errors).length
    ? { ok: false, errors }
    : { ok: true, data: { kind: kind!, amountFen: amountFen! } };
}

export interface ListFilters {
  kind?: 'release' | 'withheld' | 'reversal';
  from?: string;
  to?: string;
  contractNumber?: string;
  voucher?: 'recorded' | 'missing';
}

/** A real calendar date written YYYY-MM-DD (2026-02-30 is not). */
const calendarDate = (v: string) =>
  /^\d{4}-\d{2}-\d{2}$/.test(v) && new Date(`${v}T00:00:00Z`).toISOString().slice(0, 10) === v;

/**
 * The street payment list's filters from the query string. A value that is not one the form
 * offers (an unknown kind, a date that is not a date, a range ending before it starts, a contract
 * number not shaped like one, a page that is not a number) is an error keyed by its field, for a 422
 * that shows the form again with what was typed; an empty value means "all".
 */
export function parseFilters(q: Record<string, unknown>): {
  values: Record<string, string>;
  filters: ListFilters;
  errors: Record<string, string>;
} {
  const text = (v: unknown) => (typeof v === 'string' ? v.trim().slice(0, 40) : Array.isArray(v) ? '\u0000' : '');
  const values = {
    kind: text(q.kind),
    contract: text(q.contract),
    from: text(q.from),
    to: text(q.to),
    voucher: text(q.voucher),
    page: text(q.page),
  };
  const errors: Record<string, string> = {};
  const filters: ListFilters = {};
  if (values.kind) {
    if (values.kind === 'release' || values.kind === 'withheld' || values.kind === 'reversal')
      filters.kind = values.kind;
    else errors.kind = 'payments.errors.filterKind';
  }
  if (values.contract) {
    if (/^[A-Z]{2,6}-\d{4}-\d{4}$/.test(values.contract)) filters.contractNumber = values.contract;
    else errors.contract = 'payments.errors.filterContract';
  }
  for (const k of ['from', 'to'] as const) {
    if (!values[k]) continue;
    if (calendarDate(values[k])) filters[k] = values[k];
    else errors[k] = 'payments.errors.filterDate';
  }
  if (filters.from && filters.to && filters.to < filters.from) errors.to = 'payments.errors.filterRange';
  if (values.voucher) {
    if (values.voucher === 'recorded' || values.voucher === 'missing') filters.voucher = values.voucher;
    else errors.voucher = 'payments.errors.filterVoucher';
  }
  if (values.page && !/^[1-9]\d{0,5}$/.test(values.page)) errors.page = 'payments.errors.filterPage';
  return { values, filters, errors };
}
