import type { z } from 'zod';
import type { TFunction } from 'i18next';

/**
 * Form error messages that say what is allowed, read from the schema itself (the range of a number,
 * the length of a text, the format), so that no page writes its own. A schema may still name its own
 * i18n key as an issue's message; that wins.
 */

interface Rules {
  min?: number;
  max?: number;
  int?: boolean;
  number?: boolean;
  minLength?: number;
  maxLength?: number;
  format?: string;
  /** An i18n key naming the expected format with an example (`.describe('validation.formats.phone')`). */
  formatKey?: string;
}

const looksLikeKey = (m: string) => /^[a-zA-Z][\w-]*(\.[\w-]+)+$/.test(m);

type Def = { type: string; checks?: { _zod: { def: Record<string, unknown> } }[]; [k: string]: unknown };
const defOf = (s: unknown): Def | undefined => (s as { _zod?: { def?: Def } } | undefined)?._zod?.def;
const WRAPPERS = ['optional', 'nullable', 'default', 'prefault', 'catch', 'readonly', 'nonoptional'];

/** The field's schema inside an object schema, through pipes, transforms and refinements. */
function fieldSchema(schema: unknown, field: string, depth = 0): unknown {
  const def = defOf(schema);
  if (!def || depth > 8) return undefined;
  if (def.type === 'object') return (def.shape as Record<string, unknown>)[field];
  if (def.type === 'pipe') return fieldSchema(def.in, field, depth + 1) ?? fieldSchema(def.out, field, depth + 1);
  if (WRAPPERS.includes(def.type)) return fieldSchema(def.innerType, field, depth + 1);
  return undefined;
}

/** What the schema allows for one field: every check on the way through pipes and wrappers. */
function rulesOf(schema: unknown, rules: Rules = {}, depth = 0): Rules {
  const def = defOf(schema);
  if (!def || depth > 8) return rules;
  if (def.type === 'number') rules.number = true;
  const description = (schema as { description?: string }).description;
  if (description && looksLikeKey(description) && !rules.formatKey) rules.formatKey = description;
  for (const c of def.checks ?? []) {
    const d = c._zod.def;
    if (d.check === 'greater_than') rules.min = d.value as number;
    else if (d.check === 'less_than') rules.max = d.value as number;
    else if (d.check === 'number_format') rules.int = String(d.format).includes('int');
    else if (d.check === 'min_length') rules.minLength = d.minimum as number;
    else if (d.check === 'max_length') rules.maxLength = d.maximum as number;
    else if (d.check === 'string_format') rules.format = String(d.format);
  }
  if (def.type === 'pipe') {
    rulesOf(def.in, rules, depth + 1);
    rulesOf(def.out, rules, depth + 1);
  } else if (WRAPPERS.includes(def.type)) rulesOf(def.innerType, rules, depth + 1);
  return rules;
}

/** "0 to 100", "at most 100", "a whole number": the allowed numbers, from the rules. */
function numberMessage(r: Rules, t: TFunction): string {
  const kind = r.int ? 'Int' : '';
  if (r.min !== undefined && r.max !== undefined) return t(`validation.range${kind}`, { min: r.min, max: r.max });
  if (r.min !== undefined) return t('validation.atLeast', { min: r.min });
  if (r.max !== undefined) return t('validation.atMost', { max: r.max });
  return t(r.int ? 'validation.wholeNumber' : 'validation.number');
}

export function messageFor(issue: z.core.$ZodIssue, t: TFunction, given: unknown, schema: unknown): string {
  const field = String(issue.path[0] ?? '');
  const rules = field ? rulesOf(fieldSchema(schema, field)) : {};
  const empty = given === undefined || (typeof given === 'string' && given.trim() === '');
  // A generic "wrong format" gives way to the field's own description of the format, where it has one.
  if (
    rules.formatKey &&
    (!issue.message || issue.message === 'validation.format' || issue.code === 'invalid_format') &&
    !empty
  )
    return t(rules.formatKey, { ...rules } as Record<string, unknown>);
  if (issue.message && looksLikeKey(issue.message)) {
    const own = t(issue.message, { defaultValue: '' });
    if (own) return own;
  }
  if (
    empty &&
    (issue.code === 'invalid_type' || issue.code === 'too_small' || issue.code === 'invalid_format' || rules.number)
  )
    return t('validation.required');
  // A number field (however it is written: digits checked by a pattern, then coerced) says its range.
  if (rules.number && ['too_small', 'too_big', 'invalid_format', 'invalid_type', 'custom'].includes(issue.code))
    return numberMessage(rules, t);
  const count = typeof given === 'string' ? [...given.trim()].length : 0;
  switch (issue.code) {
    case 'invalid_type':
      return t('validation.notText');
    case 'too_small':
      return rules.maxLength !== undefined
        ? t('validation.lengthBetween', { min: issue.minimum, max: rules.maxLength, count })
        : t('validation.tooShort', { min: issue.minimum });
    case 'too_big':
      return t('validation.tooLongCount', { max: issue.maximum, count });
    case 'invalid_value':
      return t('validation.choose');
    case 'invalid_format': {
      const format = (issue as { format?: string }).format ?? rules.format;
      if (format === 'email') return t('validation.email');
      if (format === 'url') return t('validation.url');
      return rules.maxLength !== undefined
        ? t('validation.formatWithLength', { max: rules.maxLength })
        : t('validation.format');
    }
    default:
      return t('validation.invalid');
  }
}
