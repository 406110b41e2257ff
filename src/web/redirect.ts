/** A `next` or `returnTo` value is followed only when it is a path on this site. */
export function safeLocalPath(value: unknown, fallback: string): string {
  if (typeof value !== 'string' || !value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return fallback;
  return value.length > 500 ? fallback : value;
}
