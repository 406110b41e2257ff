import type { TFunction } from 'i18next';
import { formValues, type FormValues } from '../../web/forms';
import { parseMoney } from '../../shared/money';

/** The bid form: four texts, price, matching funds, a budget table of BUDGET_ROWS rows and the
 *  intent (save a draft, or submit). Drafts may be incomplete; submitting checks everything
 *  (service.ts, which also knows the call's budget and cap). */
export const BUDGET_ROWS = 8;
export const TEXT_FIELDS = ['servicePlan', 'staffing', 'schedule', 'expectedOutcomes'] as const;
export type TextField = (typeof TEXT_FIELDS)[number];
export const TEXT_MAX = 10000;
export const ITEM_MAX = 200;
export const FILE_KINDS = ['proposal', 'priceSheet', 'certificate'] as const;
export type BidFileKind = (typeof FILE_KINDS)[number];
/** Upload fields of the bid form and how many files each takes (within UPLOAD_MAX_FILES). */
export const FILE_FIELDS = [
  { name: 'proposal', maxCount: 1 },
  { name: 'priceSheet', maxCount: 1 },
  { name: 'certificate', maxCount: 3 },
];

export const itemField = (i: number) => `line${i}Item`;
export const amountField = (i: number) => `line${i}Amount`;

export interface BudgetLineInput {
  item: string;
  amountFen: number;
}

export interface BidInput {
  texts: Record<TextField, string | null>;
  priceFen: number | null;
  matchingFundsFen: number;
  lines: BudgetLineInput[];
  intent: 'draft' | 'submit';
}

/** field -> i18n key (and values); translated by the handler. */
import { translateWith, type Problems } from '../../web/problems';
export type { Problems };

export type BidFormResult = { ok: true; data: BidInput } | { ok: false; problems: Problems; values: FormValues };

function text(body: Record<string, unknown>, name: string, problems: Problems): string {
  const v = body[name];
  if (v === undefined) return '';
  if (typeof v !== 'string') {
    problems[name] = { key: 'validation.notText' };
    return '';
  }
  return v.trim();
}

function money(raw: string, name: string, problems: Problems): number | null {
  if (raw === '') return null;
  const r = parseMoney(raw);
  if (r.ok) return r.fen;
  problems[name] = { key: `validation.money.${r.error}` };
  return null;
}

/** Shape and format only: every field a string (a repeated field is refused), money parsed, each
 *  budget row either blank or complete. */
export function parseBidForm(body: unknown): BidFormResult {
  const b = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const problems: Problems = {};
  const texts = {} as Record<TextField, string | null>;
  for (const f of TEXT_FIELDS) {
    const v = text(b, f, problems);
    if (v.length > TEXT_MAX) problems[f] = { key: 'validation.tooLong', params: { max: TEXT_MAX } };
    texts[f] = v || null;
  }
  const priceFen = money(text(b, 'price', problems), 'price', problems);
  if (priceFen === 0 && !problems.price) problems.price = { key: 'bids.errors.pricePositive' };
  const matchingFundsFen = money(text(b, 'matchingFunds', problems), 'matchingFunds', problems) ?? 0;
  const lines: BudgetLineInput[] = [];
  for (let i = 1; i <= BUDGET_ROWS; i += 1) {
    const item = text(b, itemField(i), problems);
    const amountRaw = text(b, amountField(i), problems);
    const refused = problems[itemField(i)] || problems[amountField(i)];
    if (!item && !amountRaw && !refused) continue; // a blank row is ignored
    if (refused) continue;
    if (!item) problems[itemField(i)] = { key: 'bids.errors.lineItemMissing', params: { row: i } };
    else if (item.length > ITEM_MAX) problems[itemField(i)] = { key: 'validation.tooLong', params: { max: ITEM_MAX } };
    if (!amountRaw) problems[amountField(i)] = { key: 'bids.errors.lineAmountMissing', params: { row: i } };
    const amountFen = money(amountRaw, amountField(i), problems);
    if (item && amountFen !== null) lines.push({ item, amountFen });
  }
  const intentRaw = text(b, 'intent', problems);
  const intent = intentRaw === 'submit' ? 'submit' : intentRaw === 'draft' || intentRaw === '' ? 'draft' : null;
  if (!intent) problems.intent = { key: 'validation.choose' };
  if (Object.keys(problems).length) return { ok: false, problems, values: formValues(body) };
  return { ok: true, data: { texts, priceFen, matchingFundsFen, lines, intent: intent! } };
}

export function translateProblems(t: TFunction, problems: Problems): Record<string, string> {
  return translateWith(t, problems);
}

/** The exclusion form (manager): an organization and a reason; readmission: a reason. */
export function parseReason(body: unknown, problems: Problems): string {
  const b = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const v = text(b, 'reason', problems);
  if (!problems.reason && !v) problems.reason = { key: 'validation.required' };
  else if (v.length > 500) problems.reason = { key: 'validation.tooLong', params: { max: 500 } };
  return v;
}

export function parseOrganizationId(body: unknown, problems: Problems): number {
  const b = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const v = text(b, 'organizationId', problems);
  if (!problems.organizationId && !/^\d{1,9}$/.test(v)) problems.organizationId = { key: 'validation.choose' };
  return Number(v) || 0;
}
