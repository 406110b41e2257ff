import { contractFrame, drawContract, loadFonts, PdfWriter, renderContractPdf } from '../src/pdf';
import type { ContractPdfInput, ContractPdfOptions } from '../src/pdf';
import { sampleContract } from './contract-sample';

/**
 * The contract PDF benchmark (`npm run bench:pdf`, no database): first-use font decode, then the
 * median render time and size of a three-page contract after warm-up, against the same layout drawn
 * in pdfkit's built-in Helvetica with ASCII text of the same length (Helvetica cannot draw Chinese).
 * Targets (issue 10): < 100 ms median, < 100 KB, at most 3x Helvetica.
 */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 50);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 10);

const pageCount = (pdf: Buffer) => (pdf.toString('latin1').match(/\/Type \/Page\n/g) ?? []).length;

async function helvetica(input: ContractPdfInput, options: ContractPdfOptions): Promise<Buffer> {
  const w = await PdfWriter.create({ ...contractFrame(input, options), typeface: 'helvetica' });
  drawContract(w, input, options);
  return w.finish();
}

interface Figures {
  wall: number;
  wallP95: number;
  cpu: number;
  bytes: number;
  pages: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const p95 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.95))];

/**
 * Renders every case once per round, interleaved, so that the load of a shared machine falls on all
 * of them alike; reports the median wall time and the median CPU time of this process per render.
 */
async function measure(cases: [string, () => Promise<Buffer>][]): Promise<[string, Figures][]> {
  const wall = cases.map(() => [] as number[]);
  const cpu = cases.map(() => [] as number[]);
  const last: Buffer[] = [];
  for (let round = 0; round < WARMUP + ROUNDS; round++) {
    for (const [i, [, render]] of cases.entries()) {
      const c = process.cpuUsage();
      const t = performance.now();
      last[i] = await render();
      const w = performance.now() - t;
      const d = process.cpuUsage(c);
      if (round >= WARMUP) {
        wall[i].push(w);
        cpu[i].push((d.user + d.system) / 1000);
      }
    }
  }
  return cases.map(([name], i) => [
    name,
    {
      wall: median(wall[i]),
      wallP95: p95(wall[i]),
      cpu: median(cpu[i]),
      bytes: last[i].length,
      pages: pageCount(last[i]),
    },
  ]);
}

async function main() {
  const signed = { draft: false, redacted: false };
  const fonts = await loadFonts();
  console.log(`first use: font decode (WOFF2 -> TrueType, 400 + 700) and parse: ${fonts.decodeMs.toFixed(0)} ms`);
  const t = performance.now();
  const first = await renderContractPdf(sampleContract(), signed);
  console.log(
    `first contract after the decode (cold caches): ${(performance.now() - t).toFixed(0)} ms, ${pageCount(first)} pages`,
  );
  console.log(`${WARMUP} warm-up rounds, then ${ROUNDS} rounds, the cases interleaved\n`);

  const rows = await measure([
    ['contract, Noto Sans SC (signed)', () => renderContractPdf(sampleContract(), signed)],
    [
      'contract, Noto Sans SC (draft, watermark)',
      () => renderContractPdf(sampleContract(), { draft: true, redacted: false }),
    ],
    ['contract, Noto Sans SC (redacted)', () => renderContractPdf(sampleContract(), { draft: false, redacted: true })],
    ["same layout, Helvetica, ASCII 'W' per char", () => helvetica(sampleContract({ ascii: 'wide' }), signed)],
    ["same layout, Helvetica, ASCII 'x' per char", () => helvetica(sampleContract({ ascii: 'narrow' }), signed)],
    ['40 milestones, Noto Sans SC', () => renderContractPdf(sampleContract({ milestones: 40 }), signed)],
  ]);
  console.log(
    `${'document'.padEnd(44)} ${'pages'.padStart(5)} ${'p50 ms'.padStart(7)} ${'p95 ms'.padStart(7)} ${'cpu ms'.padStart(7)} ${'KB'.padStart(7)}`,
  );
  for (const [name, r] of rows) {
    console.log(
      `${name.padEnd(44)} ${String(r.pages).padStart(5)} ${r.wall.toFixed(1).padStart(7)} ${r.wallP95.toFixed(1).padStart(7)} ${r.cpu.toFixed(1).padStart(7)} ${(r.bytes / 1024).toFixed(1).padStart(7)}`,
    );
  }
  const cjk = rows[0][1];
  const base = rows[3][1];
  const ratio = cjk.wall / base.wall;
  console.log(
    `\nNoto Sans SC / Helvetica (same 3 pages): ${ratio.toFixed(2)}x wall time, ${(cjk.cpu / base.cpu).toFixed(2)}x CPU time, ${(cjk.bytes / base.bytes).toFixed(1)}x size`,
  );
  const ok = cjk.wall < 100 && cjk.bytes < 100 * 1024 && ratio <= 3;
  console.log(`targets (< 100 ms median, < 100 KB, <= 3x Helvetica): ${ok ? 'met' : 'NOT met'}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
