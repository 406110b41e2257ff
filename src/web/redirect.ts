import { hasForbiddenCharacters } from './text-guard';

/** A `next` or `returnTo` value is followed only when it is a path on this site. */
export function safeLocalPath(value: unknown, fallback: string): string {
  if (typeof value !== 'string' || !value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\'))
    return fallback;
  // A control character would make the Location header invalid (a 500) or smuggle a second header.
  if (hasForbiddenCharacters(value) || /[\t\r\n]/.test(value)) return fallback;
  return value.length > 500 ? fallback : value;
}
