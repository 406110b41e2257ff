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

const WIDTH = 480;
const PAD = 4;
const FONT = 13;
const LINE = 16; // one line of label text
const BAR = 18;
const GAP = 10; // below each bar

/**
 * The width of `text` at `size` px in the page's sans-serif, estimated (the server has no font
 * metrics, and the browser's font is not known): CJK and full-width characters take one em, Latin
 * letters about half, narrow ones less, capitals and wide ones more. Errs on the wide side, so that a
 * label measured to fit does fit.
 */
export function textWidth(text: string, size = FONT): number {
  let em = 0;
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if (c >= 0x2e80 || (c >= 0xff00 && c <= 0xffef)) em += 1;
    else if (/[iIl.,:;'|!()[\] ]/.test(ch)) em += 0.3;
    else if (/[mwMW@%]/.test(ch)) em += 0.9;
    else if (/[A-Z]/.test(ch)) em += 0.68;
    else if (/[0-9¥$]/.test(ch)) em += 0.58;
    else em += 0.56;
  }
  return em * size;
}

/**
 * A label in at most `maxLines` lines of `width`: broken at spaces (or anywhere in CJK text); what
 * still does not fit ends in "…" (the full label is in the element's <title> and in the chart's
 * description and table).
 */
export function wrapLabel(label: string, width: number, maxLines = 2, size = FONT): string[] {
  const words = /\s/.test(label.trim()) ? label.trim().split(/\s+/) : [...label];
  const joiner = /\s/.test(label.trim()) ? ' ' : '';
  const lines: string[] = [];
  let line = '';
  for (const w of words) {
    const next = line ? `${line}${joiner}${w}` : w;
    if (textWidth(next, size) <= width || !line) line = next;
    else {
      lines.push(line);
      line = w;
    }
  }
  if (line) lines.push(line);
  const out = lines.slice(0, maxLines);
  const cut = lines.length > maxLines || textWidth(out[out.length - 1] ?? '', size) > width;
  if (cut) {
    let last = lines.length > maxLines ? `${out[out.length - 1]}${joiner}${lines[maxLines]}` : out[out.length - 1];
    while (last.length > 1 && textWidth(`${last}…`, size) > width) last = [...last].slice(0, -1).join('');
    out[out.length - 1] = `${last.trimEnd()}…`;
  }
  return out;
}

interface Layout {
  /** Top of each row's label, and of its bar. */
  rows: { labelY: number; barY: number; lines: string[] }[];
  /** Where the bars start: after a column of short labels, or at the left edge under long ones. */
  left: number;
  /** Where the legend starts, and its items' positions. */
  legend: { x: number; y: number; text: string }[];
  height: number;
  /** The widest value printed after a bar: the bars end before it. */
  span: number;
}

/**
 * Short labels (11月, Month 3, 财政资金) in a column left of the bars, measured; when one is longer than
 * a quarter of the width (Welfare-lottery public-welfare fund), every label goes above its bar, with
 * the whole width to wrap in. The legend flows in rows.
 */
function layout(labels: string[], values: string[], legendTexts: string[]): Layout {
  const reserve = Math.max(0, ...values.map((v) => textWidth(v))) + 8;
  const widest = Math.max(0, ...labels.map((l) => textWidth(l)));
  const beside = widest <= WIDTH / 4;
  const left = beside ? Math.ceil(widest) + 2 * PAD + 6 : PAD;
  const rows: Layout['rows'] = [];
  let y = PAD;
  for (const label of labels) {
    if (beside) {
      rows.push({ labelY: y + 2, barY: y, lines: [label] });
      y += BAR + GAP;
      continue;
    }
    const lines = wrapLabel(label, WIDTH - 2 * PAD);
    rows.push({ labelY: y, barY: y + lines.length * LINE + 2, lines });
    y += lines.length * LINE + 2 + BAR + GAP;
  }
  const legend: Layout['legend'] = [];
  let x = PAD;
  if (legendTexts.length) y += 2;
  for (const text of legendTexts) {
    const w = 16 + textWidth(text) + 18;
    if (x > PAD && x + w > WIDTH - PAD) {
      x = PAD;
      y += LINE + 6;
    }
    legend.push({ x, y, text });
    x += w;
  }
  if (legendTexts.length) y += LINE + 6;
  return { rows, left, legend, height: Math.ceil(y), span: Math.max(40, WIDTH - left - PAD - reserve) };
}

function frame(t: ChartText, l: Layout, body: string): string {
  const legend = l.legend
    .map(
      (item, i) =>
        `<rect x="${item.x}" y="${item.y + 2}" width="12" height="12" fill="${COLOURS[i % COLOURS.length]}"/><text x="${item.x + 16}" y="${item.y + 13}" font-size="${FONT}" fill="#1b1b1b">${esc(item.text)}</text>`,
    )
    .join('');
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="${t.id}-title ${t.id}-desc" viewBox="0 0 ${WIDTH} ${l.height}" width="100%" preserveAspectRatio="xMinYMin meet" class="chart">` +
    `<title id="${t.id}-title">${esc(t.title)}</title><desc id="${t.id}-desc">${esc(t.summary)}</desc>` +
    `<g aria-hidden="true">${body}${legend}</g></svg>`
  );
}

function scale(max: number, span: number): (fen: number) => number {
  return (fen) => (max > 0 ? Math.round((Math.max(0, fen) / max) * span * 10) / 10 : 0);
}

function rowLabel(label: string, row: Layout['rows'][number], l: Layout): string {
  // Beside the bar: right-aligned against it. Above: from the left edge, one tspan per line.
  if (l.left > PAD)
    return `<text x="${l.left - 6}" y="${row.labelY + 12}" font-size="${FONT}" text-anchor="end" fill="#1b1b1b">${esc(label)}</text>`;
  const full = row.lines.length > 1 || row.lines[0] !== label ? `<title>${esc(label)}</title>` : '';
  const lines = row.lines
    .map((line, k) => `<tspan x="${PAD}" dy="${k === 0 ? 0 : LINE}">${esc(line)}</tspan>`)
    .join('');
  return `<text x="${PAD}" y="${row.labelY + 12}" font-size="${FONT}" fill="#1b1b1b">${full}${lines}</text>`;
}

/** One horizontal bar per item. The description lists "label value" for every bar. */
export function barChart(bars: Bar[], t: ChartText): string {
  const l = layout(
    bars.map((b) => b.label),
    bars.map((b) => formatMoney(b.valueFen)),
    [],
  );
  const w = scale(Math.max(0, ...bars.map((b) => b.valueFen)), l.span);
  const body = bars
    .map((b, i) => {
      const row = l.rows[i];
      const width = w(b.valueFen);
      return `${rowLabel(b.label, row, l)}<rect x="${l.left}" y="${row.barY}" width="${width}" height="${BAR}" fill="${COLOURS[0]}" data-fen="${b.valueFen}"/><text x="${l.left + width + 4}" y="${row.barY + 14}" font-size="${FONT}" fill="#1b1b1b">${esc(formatMoney(b.valueFen))}</text>`;
    })
    .join('');
  const numbers = bars.map((b) => `${b.label} ${formatMoney(b.valueFen)}`).join(t.sep);
  return frame({ ...t, summary: `${t.summary}${numbers ? `：${numbers}` : ''}` }, l, body);
}

/** One horizontal bar per item, split into segments in `keys` order. The description lists every segment of every bar. */
export function stackedBarChart(bars: StackedBar[], keys: string[], t: ChartText): string {
  const total = (b: StackedBar) => b.segments.reduce((s, x) => s + Math.max(0, x.valueFen), 0);
  const l = layout(
    bars.map((b) => b.label),
    bars.map((b) => formatMoney(total(b))),
    keys.map((k) => t.legend?.[k] ?? k),
  );
  const w = scale(Math.max(0, ...bars.map(total)), l.span);
  const body = bars
    .map((b, i) => {
      const row = l.rows[i];
      let x = l.left;
      const rects = keys
        .map((k, j) => {
          const seg = b.segments.find((s) => s.key === k);
          const value = seg?.valueFen ?? 0;
          const width = w(value);
          const r = `<rect x="${Math.round(x * 10) / 10}" y="${row.barY}" width="${width}" height="${BAR}" fill="${COLOURS[j % COLOURS.length]}" data-key="${esc(k)}" data-fen="${value}"/>`;
          x += width;
          return r;
        })
        .join('');
      return `${rowLabel(b.label, row, l)}${rects}<text x="${Math.round((x + 4) * 10) / 10}" y="${row.barY + 14}" font-size="${FONT}" fill="#1b1b1b">${esc(formatMoney(total(b)))}</text>`;
    })
    .join('');
  const numbers = bars
    .map(
      (b) =>
        `${b.label}：${keys.map((k) => `${t.legend?.[k] ?? k} ${formatMoney(b.segments.find((s) => s.key === k)?.valueFen ?? 0)}`).join(t.sep)}`,
    )
    .join('；');
  return frame({ ...t, summary: `${t.summary}${numbers ? `。${numbers}` : ''}` }, l, body);
}
