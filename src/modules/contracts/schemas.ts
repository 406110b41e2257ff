import { z } from 'zod';
import { field } from '../../web/forms';
import { CONTRACT_STATUSES, type ListFilters } from './queries';

export const COMMENT_MAX = 2000;
export const returnSchema = z.object({ comment: field.text(COMMENT_MAX) });
export const terminateSchema = z.object({ reason: field.text(COMMENT_MAX) });
export const rejectSchema = z.object({ comment: field.text(COMMENT_MAX) });

/** A path id: digits only and small enough for an integer column; anything else finds nothing. */
import { pathId } from '../../web/path-id';
export { pathId };

/** ?status=&year=&organization= -> filters; anything odd is ignored rather than an error. */
export function listFilters(query: Record<string, unknown>): ListFilters {
  const status = (CONTRACT_STATUSES as readonly string[]).includes(String(query.status))
    ? (query.status as ListFilters['status'])
    : undefined;
  const year = /^\d{4}$/.test(String(query.year)) ? Number(query.year) : undefined;
  const organizationId = pathId(query.organization) || undefined;
  return { status, year, organizationId };
}
