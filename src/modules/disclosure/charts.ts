import { formatMoney } from '../../shared/money';

/**
 * Server-drawn SVG charts (no JavaScript): a bar chart and a stacked bar chart. Each is an
 * `<svg role="img">` labelled by its `<title>` and described by a `<desc>` that lists every number,
 * so a screen reader reads the same figures as the table printed beside it. Every bar or segment
 * carries its value in fen (`data-fen`), which the tests compare with the table and the ledger.
 * Colours are presentation attributes (the CSP forbids inline styles).
 */

export interface Bar {
  label: string;
  valueFen: number;
}

export interface StackedBar {
  label: string;
  segments: { key: string; valueFen: number }[];
}

export interface ChartText {
  id: string;
  title: string;
  /** How the bars are read, before the numbers (e.g. "每月支付金额，单位元"). */
  summary: string;
  /** Labels of the segments of a stacked chart, by key. */
  legend?: Record<string, string>;
  /** The list separator of the language (、 or ", "). */
  sep: string;
}

// Colour-blind-safe palette (Okabe–Ito), dark enough against white.
const COLOURS = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9'];

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const WIDTH = 640;
const LEFT = 130;
const RIGHT = 20;
const ROW = 28;
const TOP = 10;

function frame(t: ChartText, rows: number, body: string, legendKeys: string[]): string {
  const legendHeight = legendKeys.length ? 26 : 0;
  const height = TOP + rows * ROW + 10 + legendHeight;
  const legend = legendKeys
    .map((k, i) => {
      const x = LEFT + i * 120;
      const y = TOP + rows * ROW + 12;
      return `<rect x="${x}" y="${y}" width="12" height="12" fill="${COLOURS[i % COLOURS.length]}"/><text x="${x + 16}" y="${y + 11}" font-size="12" fill="#1b1b1b">${esc(t.legend?.[k] ?? k)}</text>`;
    })
    .join('');
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="${t.id}-title ${t.id}-desc" viewBox="0 0 ${WIDTH} ${height}" width="100%" preserveAspectRatio="xMinYMin meet" class="chart">` +
    `<title id="${t.id}-title">${esc(t.title)}</title><desc id="${t.id}-desc">${esc(t.summary)}</desc>` +
    `<g aria-hidden="true">${body}${legend}</g></svg>`
  );
}

function scale(max: number): (fen: number) => number {
  const span = WIDTH - LEFT - RIGHT - 90;
  return (fen) => (max > 0 ? Math.round((Math.max(0, fen) / max) * span * 10) / 10 : 0);
}

const rowLabel = (label: string, i: number) => `<text x="${LEFT - 6}" y="${TOP + i * ROW + 17}" font-size="12" text-anchor="end" fill="#1b1b1b">${esc(label)}</text>`;

/** One horizontal bar per item. The description lists "label value" for every bar. */
export function barChart(bars: Bar[], t: ChartText): string {
  const w = scale(Math.max(0, ...bars.map((b) => b.valueFen)));
  const body = bars
    .map((b, i) => {
      const y = TOP + i * ROW + 4;
      const width = w(b.valueFen);
      return `${rowLabel(b.label, i)}<rect x="${LEFT}" y="${y}" width="${width}" height="18" fill="${COLOURS[0]}" data-fen="${b.valueFen}"/><text x="${LEFT + width + 4}" y="${y + 13}" font-size="12" fill="#1b1b1b">${esc(formatMoney(b.valueFen))}</text>`;
    })
    .join('');
  const numbers = bars.map((b) => `${b.label} ${formatMoney(b.valueFen)}`).join(t.sep);
  return frame({ ...t, summary: `${t.summary}${numbers ? `：${numbers}` : ''}` }, bars.length, body, []);
}

/** One horizontal bar per item, split into segments in `keys` order. The description lists every segment of every bar. */
export function stackedBarChart(bars: StackedBar[], keys: string[], t: ChartText): string {
  const total = (b: StackedBar) => b.segments.reduce((s, x) => s + Math.max(0, x.valueFen), 0);
  const w = scale(Math.max(0, ...bars.map(total)));
  const body = bars
    .map((b, i) => {
      const y = TOP + i * ROW + 4;
      let x = LEFT;
      const rects = keys
        .map((k, j) => {
          const seg = b.segments.find((s) => s.key === k);
          const value = seg?.valueFen ?? 0;
          const width = w(value);
          const r = `<rect x="${x}" y="${y}" width="${width}" height="18" fill="${COLOURS[j % COLOURS.length]}" data-key="${esc(k)}" data-fen="${value}"/>`;
          x += width;
          return r;
        })
        .join('');
      return `${rowLabel(b.label, i)}${rects}<text x="${x + 4}" y="${y + 13}" font-size="12" fill="#1b1b1b">${esc(formatMoney(total(b)))}</text>`;
    })
    .join('');
  const numbers = bars.map((b) => `${b.label}：${keys.map((k) => `${t.legend?.[k] ?? k} ${formatMoney(b.segments.find((s) => s.key === k)?.valueFen ?? 0)}`).join(t.sep)}`).join('；');
  return frame({ ...t, summary: `${t.summary}${numbers ? `。${numbers}` : ''}` }, bars.length, body, keys);
}
