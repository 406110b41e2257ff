import { execFile } from 'node:child_process';

/**
 * The text of each page of a PDF, extracted by pdf-parse (pdf.js). pdf.js loads its worker with a
 * dynamic import(), which jest's CommonJS sandbox cannot run, so the extraction runs in a plain
 * Node.js child process that reads the PDF on stdin and prints the pages as JSON.
 */
const SCRIPT = `
const { PDFParse } = require('pdf-parse');
const chunks = [];
process.stdin.on('data', (c) => chunks.push(c));
process.stdin.on('end', async () => {
  const parser = new PDFParse({ data: new Uint8Array(Buffer.concat(chunks)) });
  try {
    const result = await parser.getText();
    process.stdout.write(JSON.stringify(result.pages.map((p) => p.text)));
  } finally {
    await parser.destroy();
  }
});`;

export function pdfPages(pdf: Buffer): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = execFile(process.execPath, ['-e', SCRIPT], { cwd: process.cwd(), maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`pdf-parse failed: ${stderr || err.message}`));
      else resolve(JSON.parse(stdout) as string[]);
    });
    child.stdin!.end(pdf);
  });
}
