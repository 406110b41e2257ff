/** Allowed upload types, checked by extension AND by the file's first bytes. A PNG renamed to .pdf,
 *  or a script renamed to .docx, is refused. Small enough to keep here rather than pull in file-type
 *  (ESM-only, which does not load under our CommonJS build and ts-jest). */
export interface FileKind {
  ext: string;
  mime: string;
  matches(head: Buffer): boolean;
}

const startsWith = (head: Buffer, bytes: number[]) => bytes.every((b, i) => head[i] === b);
// Office Open XML files are ZIPs whose first entry is [Content_Types].xml (as Word, Excel and WPS write them).
const isOoxml = (head: Buffer) =>
  startsWith(head, [0x50, 0x4b, 0x03, 0x04]) && head.subarray(0, 512).includes('[Content_Types].xml');

/**
 * A PDF is more than its first five bytes: `%PDF-` with a version, at least one indirect object, a
 * cross-reference pointer that points at a cross-reference, the `%%EOF` marker in the last kilobyte (where the format puts
 * it; some writers add a few bytes after it), and no HTML markup (at the start, where a polyglot puts
 * the page it wants a browser to render, or anywhere else). These are structural checks, not a full parse: parsing
 * untrusted PDFs in the web process (pdf.js behind pdf-parse) costs CPU on every upload and widens
 * what an attacker can reach; the tests parse real PDFs with pdf-parse to show these checks accept
 * them. Downloads are sent as attachments with nosniff, so a polyglot that passes is still never
 * rendered as a page of ours.
 */
export function looksLikePdf(content: Buffer): boolean {
  if (!/^%PDF-[12]\.\d/.test(content.subarray(0, 8).toString('latin1'))) return false;
  const head = content.subarray(0, 1024).toString('latin1');
  if (/<\s*(!doctype|html|head|body|script|iframe|svg|object|embed|meta|form|img)\b/i.test(head)) return false;
  if (!content.subarray(Math.max(0, content.length - 1024)).includes('%%EOF')) return false;
  const text = content.toString('latin1');
  // Markup anywhere: a polyglot can pad the start and hide its page further in. (Compressed streams
  // are binary; the chance of one spelling `<script` by accident is negligible.)
  if (/<\s*(!doctype\s+html|html|script|iframe|body)\b/i.test(text)) return false;
  if (!(/\d+\s+\d+\s+obj\b/.test(text) && text.includes('endobj'))) return false;
  return crossReferenceFound(text);
}

/** The last `startxref` must point at a cross-reference table (`xref`) or stream (`n g obj`), as
 *  every reader follows it; a file that only spells the words has no such pointer. */
function crossReferenceFound(text: string): boolean {
  const pointers = [...text.matchAll(/startxref\s+(\d+)/g)];
  const last = pointers[pointers.length - 1];
  if (!last) return false;
  const offset = Number(last[1]);
  if (!Number.isSafeInteger(offset) || offset >= text.length) return false;
  return /^\s*(xref\b|\d+\s+\d+\s+obj\b)/.test(text.slice(offset, offset + 64));
}

export const FILE_KINDS: FileKind[] = [
  { ext: 'pdf', mime: 'application/pdf', matches: looksLikePdf },
  { ext: 'png', mime: 'image/png', matches: (h) => startsWith(h, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]) },
  { ext: 'jpg', mime: 'image/jpeg', matches: (h) => startsWith(h, [0xff, 0xd8, 0xff]) },
  { ext: 'jpeg', mime: 'image/jpeg', matches: (h) => startsWith(h, [0xff, 0xd8, 0xff]) },
  { ext: 'docx', mime: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', matches: isOoxml },
  { ext: 'xlsx', mime: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', matches: isOoxml },
];

export const ALLOWED_EXTENSIONS = FILE_KINDS.map((k) => k.ext);

export function extensionOf(filename: string): string {
  const m = /\.([A-Za-z0-9]{1,8})$/.exec(filename);
  return m ? m[1].toLowerCase() : '';
}

export function kindForExtension(filename: string): FileKind | undefined {
  const ext = extensionOf(filename);
  return FILE_KINDS.find((k) => k.ext === ext);
}

/** The kind when both the extension and the content agree; undefined otherwise. */
export function detectKind(filename: string, content: Buffer): FileKind | undefined {
  const kind = kindForExtension(filename);
  return kind && kind.matches(content) ? kind : undefined;
}
