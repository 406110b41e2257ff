import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import readline from 'node:readline';

/**
 * The text of each page of a PDF, extracted by pdf-parse (pdf.js). pdf.js loads its worker with a
 * dynamic import(), which jest's CommonJS sandbox cannot run, so the extraction runs in a plain
 * Node.js child process, started once per test file: one line of base64 in, one line of JSON out.
 * Call `closePdfText()` in afterAll.
 */
const SCRIPT = `
const { PDFParse } = require('pdf-parse');
const rl = require('node:readline').createInterface({ input: process.stdin });
let queue = Promise.resolve();
rl.on('line', (line) => {
  queue = queue.then(async () => {
    const parser = new PDFParse({ data: new Uint8Array(Buffer.from(line, 'base64')) });
    try {
      const result = await parser.getText();
      process.stdout.write(JSON.stringify({ pages: result.pages.map((p) => p.text) }) + '\\n');
    } catch (err) {
      process.stdout.write(JSON.stringify({ error: String(err && err.message || err) }) + '\\n');
    } finally {
      await parser.destroy();
    }
  });
});`;

let child: ChildProcessWithoutNullStreams | null = null;
let waiting: { resolve: (pages: string[]) => void; reject: (err: Error) => void }[] = [];

function worker(): ChildProcessWithoutNullStreams {
  if (child) return child;
  const proc = spawn(process.execPath, ['-e', SCRIPT], { cwd: process.cwd() });
  readline.createInterface({ input: proc.stdout }).on('line', (line) => {
    const next = waiting.shift();
    const reply = JSON.parse(line) as { pages?: string[]; error?: string };
    if (reply.pages) next?.resolve(reply.pages);
    else next?.reject(new Error(`pdf-parse failed: ${reply.error}`));
  });
  let stderr = '';
  proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  proc.on('exit', (code) => {
    for (const w of waiting) w.reject(new Error(`pdf-parse process exited (${code}): ${stderr}`));
    waiting = [];
    child = null;
  });
  child = proc;
  return proc;
}

export function pdfPages(pdf: Buffer): Promise<string[]> {
  return new Promise((resolve, reject) => {
    waiting.push({ resolve, reject });
    worker().stdin.write(pdf.toString('base64') + '\n');
  });
}

export async function closePdfText(): Promise<void> {
  const proc = child;
  if (!proc) return;
  await new Promise<void>((resolve) => {
    proc.once('exit', () => resolve());
    proc.stdin.end();
  });
}
