/**
 * Content-Disposition for a download with a Chinese name: `filename*` (RFC 5987/6266, UTF-8,
 * percent-encoded) for browsers, and an ASCII `filename` fallback for the rest.
 */
export function attachment(chineseName: string, asciiName: string): string {
  const ascii = asciiName.replace(/[^A-Za-z0-9._-]/g, '_');
  const encoded = encodeURIComponent(chineseName).replace(
    /['()*]/g,
    (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}
