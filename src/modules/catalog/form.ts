import type { z } from 'zod';
import type { TFunction } from 'i18next';
import { parseForm, type FormResult } from '../../web/forms';

/** parseForm translates only messages under `validation.`; this also translates this module's own
 *  message keys (catalog.*, calls.*) set by its schemas, so a field gets its precise message. */
export function parseModuleForm<S extends z.ZodType>(
  schema: S,
  body: unknown,
  t: TFunction,
  prefixes = ['catalog.', 'calls.'],
): FormResult<z.infer<S>> {
  const result = parseForm(schema, body, t);
  if (result.ok) return result;
  const parsed = schema.safeParse(body ?? {});
  if (!parsed.success) {
    const own: Record<string, string> = {};
    const seen = new Set<string>();
    for (const issue of parsed.error.issues) {
      const field = String(issue.path[0] ?? '_form');
      // Only the field's first issue counts, as in parseForm ("required" before "wrong format").
      if (!seen.has(field) && prefixes.some((p) => issue.message?.startsWith(p))) own[field] = t(issue.message);
      seen.add(field);
    }
    Object.assign(result.errors, own);
  }
  return result;
}
