/** `attachment; filename="ascii"; filename*=UTF-8''<utf-8>`: browsers that read RFC 6266 take the
 *  Chinese name, older ones the ASCII fallback. */
export function contentDisposition(utf8Name: string, asciiFallback: string): string {
  return `attachment; filename="${asciiFallback.replace(/[^\x20-\x7e]|["\\]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(utf8Name)}`;
}
