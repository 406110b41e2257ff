import { DomainError, NotFound } from '../../web/errors';
import { MIN_YEAR, PUBLIC_CONTRACT_STATUSES_LIST, type PublicContractStatus } from './deps-contracts';

/** 422: the request names something that cannot exist (a year outside the range, an ocid of another form). */
export class Unprocessable extends DomainError {
  constructor(messageKey: string, params?: Record<string, unknown>) {
    super(422, messageKey, params);
  }
}

/** The years the public pages cover: from the first fund year the system accepts to next year. */
export function yearRange(currentYear: number): { min: number; max: number } {
  return { min: MIN_YEAR, max: currentYear + 1 };
}

/** A path year: not four digits → 404 (no such page); four digits outside the range → 422 with the range. */
export function pathYear(raw: unknown, currentYear: number): number {
  const s = String(raw ?? '');
  if (!/^\d{4}$/.test(s)) throw new NotFound('disclosure.errors.noSuchYear');
  const year = Number(s);
  const { min, max } = yearRange(currentYear);
  if (year < min || year > max) throw new Unprocessable('disclosure.errors.yearOutOfRange', { year, min, max });
  return year;
}

/** A path id: digits only, within the integer column; otherwise 404. */
export function pathNumber(raw: unknown, messageKey: string): number {
  const s = String(raw ?? '');
  if (!/^[1-9]\d{0,9}$/.test(s) || Number(s) >= 2 ** 31) throw new NotFound(messageKey);
  return Number(s);
}

/** A query filter id: empty → undefined; anything but digits → undefined (a filter list ignores a bad value). */
export function queryId(raw: unknown): number | undefined {
  return typeof raw === 'string' && /^[1-9]\d{0,9}$/.test(raw) && Number(raw) < 2 ** 31 ? Number(raw) : undefined;
}

export function queryYear(raw: unknown, currentYear: number): number | undefined {
  if (typeof raw !== 'string' || raw === '') return undefined;
  if (!/^\d{4}$/.test(raw))
    throw new Unprocessable('disclosure.errors.yearOutOfRange', { year: raw, ...yearRange(currentYear) });
  return pathYear(raw, currentYear);
}

export function queryStatus(raw: unknown): PublicContractStatus | undefined {
  return (PUBLIC_CONTRACT_STATUSES_LIST as readonly string[]).includes(String(raw))
    ? (raw as PublicContractStatus)
    : undefined;
}
