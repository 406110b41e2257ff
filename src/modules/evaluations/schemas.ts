import { parseScore } from './score';

export const TEXT_MAX = 5000;
export const COUNT_MAX = 1_000_000;
/** Evidence: photos, PDFs and spreadsheets (not every kind the shared upload setup knows). */
export const EVIDENCE_EXTENSIONS = ['jpg', 'jpeg', 'png', 'pdf', 'xlsx'];

/** A path number: digits only and small enough for an integer column; anything else finds nothing. */
export const pathNumber = (value: unknown): number =>
  typeof value === 'string' && /^\d{1,9}$/.test(value) ? Number(value) : 0;

/** The deliverables of a milestone, one per line (a milestone without lines has one, its whole text). */
export function deliverableLines(deliverables: string): string[] {
  const lines = deliverables
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
  return lines.length ? lines : [deliverables.trim() || '—'];
}

export interface ReportInput {
  delivered: { deliverable: string; delivered: string }[];
  peopleServed: number | null;
  sessionsHeld: number | null;
  problems: string | null;
  selfScore: number | null;
  selfComment: string | null;
  removeFileIds: number[];
}

type Errors = Record<string, string>;

const text = (body: Record<string, unknown>, name: string): string | undefined => {
  const v = body[name];
  return typeof v === 'string' ? v.trim() : undefined;
};

/**
 * The report form. A draft may leave anything empty; a submission needs every deliverable answered,
 * the two counts, the self-assessment score and its comment. Errors are i18n keys per field.
 */
export function parseReport(
  body: Record<string, unknown>,
  lines: string[],
  submit: boolean,
): { ok: true; data: ReportInput } | { ok: false; errors: Errors } {
  const errors: Errors = {};
  const need = (name: string) => {
    if (submit) errors[name] = 'validation.required';
  };
  const notText = (name: string) => body[name] !== undefined && typeof body[name] !== 'string';
  const delivered = lines.map((deliverable, i) => {
    const name = `delivered_${i}`;
    const v = text(body, name) ?? '';
    if (notText(name)) errors[name] = 'validation.notText';
    else if (v.length > TEXT_MAX) errors[name] = 'validation.tooLong';
    else if (!v) need(name);
    return { deliverable, delivered: v };
  });
  const count = (name: string): number | null => {
    const v = text(body, name) ?? '';
    if (notText(name)) errors[name] = 'validation.notText';
    else if (!v) need(name);
    else if (!/^\d{1,7}$/.test(v) || Number(v) > COUNT_MAX) errors[name] = 'evaluations.errors.count';
    else return Number(v);
    return null;
  };
  const peopleServed = count('peopleServed');
  const sessionsHeld = count('sessionsHeld');
  const optional = (name: string, required: boolean): string | null => {
    const v = text(body, name) ?? '';
    if (notText(name)) errors[name] = 'validation.notText';
    else if (v.length > TEXT_MAX) errors[name] = 'validation.tooLong';
    else if (!v && required) need(name);
    else return v || null;
    return null;
  };
  const problems = optional('problems', false);
  const selfComment = optional('selfComment', true);
  let selfScore: number | null = null;
  const s = text(body, 'selfScore') ?? '';
  if (notText('selfScore')) errors.selfScore = 'validation.notText';
  else if (!s) need('selfScore');
  else {
    const parsed = parseScore(s);
    if (parsed === undefined) errors.selfScore = 'evaluations.errors.score';
    else selfScore = parsed;
  }
  const removeFileIds = Object.keys(body)
    .map((k) => /^remove_(\d{1,9})$/.exec(k)?.[1])
    .filter((v): v is string => !!v)
    .map(Number);
  if (Object.keys(errors).length) return { ok: false, errors };
  return { ok: true, data: { delivered, peopleServed, sessionsHeld, problems, selfScore, selfComment, removeFileIds } };
}

/** The manager's reason for returning a report. */
export function parseReason(
  body: Record<string, unknown>,
): { ok: true; reason: string } | { ok: false; errors: Errors } {
  const v = body.reason;
  if (v !== undefined && typeof v !== 'string') return { ok: false, errors: { reason: 'validation.notText' } };
  const reason = (v ?? '').trim();
  if (!reason) return { ok: false, errors: { reason: 'validation.required' } };
  if (reason.length > TEXT_MAX) return { ok: false, errors: { reason: 'validation.tooLong' } };
  return { ok: true, reason };
}

/** The manager's score (0–100, at most two decimals) with a comment. */
export function parseManagerScore(
  body: Record<string, unknown>,
): { ok: true; score: number; comment: string } | { ok: false; errors: Errors } {
  const errors: Errors = {};
  const s = body.score;
  let score: number | undefined;
  if (s !== undefined && typeof s !== 'string') errors.score = 'validation.notText';
  else if (!(s ?? '').trim()) errors.score = 'validation.required';
  else if ((score = parseScore(s as string)) === undefined) errors.score = 'evaluations.errors.score';
  const c = body.comment;
  const comment = typeof c === 'string' ? c.trim() : '';
  if (c !== undefined && typeof c !== 'string') errors.comment = 'validation.notText';
  else if (!comment) errors.comment = 'validation.required';
  else if (comment.length > TEXT_MAX) errors.comment = 'validation.tooLong';
  if (Object.keys(errors).length || score === undefined) return { ok: false, errors };
  return { ok: true, score, comment };
}

/** The manager's assignment: which source, and the organization or evaluator (by id). */
export function parseAssignment(
  body: Record<string, unknown>,
): { ok: true; source: 'peer' | 'third_party'; targetId: number } | { ok: false; errors: Errors } {
  const source = body.source === 'peer' || body.source === 'third_party' ? body.source : undefined;
  const target = typeof body.target === 'string' && /^\d{1,9}$/.test(body.target) ? Number(body.target) : 0;
  if (!source) return { ok: false, errors: { source: 'validation.choose' } };
  if (!target) return { ok: false, errors: { [`target_${source}`]: 'validation.choose' } };
  return { ok: true, source, targetId: target };
}

/** The assessor's declaration: "conflict" or "none". */
export function parseDeclaration(
  body: Record<string, unknown>,
): { ok: true; hasConflict: boolean } | { ok: false; errors: Errors } {
  if (body.declaration === 'conflict') return { ok: true, hasConflict: true };
  if (body.declaration === 'none') return { ok: true, hasConflict: false };
  return { ok: false, errors: { declaration: 'validation.choose' } };
}

/** A text field required and at most TEXT_MAX long (an i18n key per field on failure). */
function requiredText(
  body: Record<string, unknown>,
  name: string,
): { ok: true; value: string } | { ok: false; error: string } {
  const v = body[name];
  if (v !== undefined && typeof v !== 'string') return { ok: false, error: 'validation.notText' };
  const value = (v ?? '').trim();
  if (!value) return { ok: false, error: 'validation.required' };
  if (value.length > TEXT_MAX) return { ok: false, error: 'validation.tooLong' };
  return { ok: true, value };
}

/** The organization's request for a review (复核): its reasons. */
export function parseReviewRequest(
  body: Record<string, unknown>,
): { ok: true; reasons: string } | { ok: false; errors: Errors } {
  const r = requiredText(body, 'reasons');
  return r.ok ? { ok: true, reasons: r.value } : { ok: false, errors: { reasons: r.error } };
}

/** The manager's written answer: uphold (reopens the evaluation) or reject (final). */
export function parseReviewAnswer(
  body: Record<string, unknown>,
): { ok: true; decision: 'upheld' | 'rejected'; answer: string } | { ok: false; errors: Errors } {
  const errors: Errors = {};
  const decision = body.decision === 'upheld' || body.decision === 'rejected' ? body.decision : undefined;
  if (!decision) errors.decision = 'validation.choose';
  const a = requiredText(body, 'answer');
  if (!a.ok) errors.answer = a.error;
  if (!decision || !a.ok) return { ok: false, errors };
  return { ok: true, decision, answer: a.value };
}
