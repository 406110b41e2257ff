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

/** The street payment list's filters from the query string (odd values ignored). */
export function parseFilters(q: Record<string, unknown>) {
  const kind = q.kind === 'release' || q.kind === 'withheld' || q.kind === 'reversal' ? q.kind : undefined;
  const date = (v: unknown) => (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v) ? v : undefined);
  const contractNumber =
    typeof q.contract === 'string' && /^[A-Z]{2,6}-\d{4}-\d{4}$/.test(q.contract.trim())
      ? q.contract.trim()
      : undefined;
  const voucher = q.voucher === 'recorded' || q.voucher === 'missing' ? q.voucher : undefined;
  return { kind, from: date(q.from), to: date(q.to), contractNumber, voucher } as const;
}
