/**
 * The smallest file that passes the upload check for a PDF: a version, one object, a cross-reference
 * table that the `startxref` pointer really points at, a trailer and `%%EOF`. Tests that upload "a
 * PDF" use this instead of spelling the words, since the check follows the pointer.
 */
export function minimalPdf(version = '1.4', comment = ''): Buffer {
  const head = `%PDF-${version}\n${comment ? `%${comment}\n` : ''}`;
  const body = `${head}1 0 obj<<>>endobj\n`;
  const xrefAt = body.length;
  const entry = (offset: number, gen: string, kind: 'f' | 'n') =>
    `${String(offset).padStart(10, '0')} ${gen} ${kind} \n`;
  return Buffer.from(
    `${body}xref\n0 2\n${entry(0, '65535', 'f')}${entry(head.length, '00000', 'n')}trailer<</Size 2>>\nstartxref\n${xrefAt}\n%%EOF\n`,
    'latin1',
  );
}
