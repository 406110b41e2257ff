import type PDFDocumentClass from 'pdfkit';
import { FONT_BOLD, FONT_REGULAR, loadFonts, type PdfFonts } from './fonts';

/** pdfkit (and fontkit with it) is loaded on the first document, not at start-up: about a fifth of
 *  the app's module-loading time (bench/README.md, start-up profile). */
let pdfkitLoaded: typeof PDFDocumentClass | undefined;
function pdfkit(): typeof PDFDocumentClass {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  pdfkitLoaded ??= require('pdfkit') as typeof PDFDocumentClass;
  return pdfkitLoaded;
}

/**
 * The page frame and the building blocks of every generated document (contracts, assessment
 * reports, auditor reports): A4, a header with the document's title, a footer with the document's
 * identifier and 第 x 页 / 共 y 页, an optional diagonal watermark on every page, and blocks that
 * flow down the page and break onto the next one (headings, paragraphs, key-value blocks, tables
 * with their header row repeated, signature blocks).
 *
 *   const w = await PdfWriter.create({ title, identifier, createdAt });
 *   w.title('…'); w.heading('一、…'); w.paragraph('…'); w.table(columns, rows);
 *   const bytes = await w.finish();
 *
 * Deterministic: the same content and `createdAt` give the same bytes (no clock, no random id).
 */

export const PAGE = { width: 595.28, height: 841.89 }; // A4 in points
export const MARGINS = { top: 64, bottom: 62, left: 60, right: 60 };
const HEADER_Y = 30;
const FOOTER_Y = PAGE.height - 44;

export const TEXT_COLOR = '#1a1a1a';
const MUTED_COLOR = '#555555';
const RULE_COLOR = '#8c8c8c';
const HEADER_FILL = '#ececec';
const STAR_COLOR = '#b8860b';

export const FONT_SIZE = { body: 10.5, small: 9, table: 9, frame: 8, h1: 18, h2: 12.5, h3: 11 };
const LINE_GAP = 2.5;
const CELL_PAD = 4;

export interface DocumentFrame {
  /** The title in the header of every page and in the PDF's metadata. */
  title: string;
  /** What identifies the document, in the footer of every page (e.g. "合同编号 DS-2026-0007 · 第 1 版"). */
  identifier: string;
  /** ISO-8601 instant: the PDF's creation date, so that a re-render gives the same bytes. */
  createdAt: string;
  /** Drawn diagonally across every page (e.g. "草稿 DRAFT"). */
  watermark?: string | null;
  /** A short note at the right of the header (e.g. "公开版"). */
  headerNote?: string | null;
  author?: string;
  subject?: string;
  /** Page-number format; default Chinese 第 x 页 / 共 y 页. */
  pageLabel?: (page: number, pages: number) => string;
  /**
   * 'helvetica' draws with pdfkit's built-in Helvetica, which has no Chinese glyphs: only the
   * benchmark's baseline uses it (bench/pdf.ts). Default: the embedded Noto Sans SC.
   */
  typeface?: 'noto-sans-sc' | 'helvetica';
}

export interface TableColumn {
  header: string;
  /** Relative width: the columns share the text width in proportion. */
  width: number;
  align?: 'left' | 'center' | 'right';
}

export interface TableOptions {
  fontSize?: number;
  /** Rows drawn in bold after the body (totals), never separated from the last body row. */
  footerRows?: string[][];
}

export interface KeyValueOptions {
  labelWidth?: number;
  fontSize?: number;
}

export interface SignatureBlock {
  /** e.g. "甲方（盖章）" */
  partyLabel: string;
  partyName: string;
  /** Label/value lines under the party, e.g. ["法定代表人或授权代表（签字）", "张三"]; an empty value leaves a line to sign on. */
  lines: [string, string][];
}

interface RowStyle {
  bold: boolean;
  fontSize: number;
  fill: string | null;
  borders: boolean;
  aligns: ('left' | 'center' | 'right')[];
  padX: number;
  padY: number;
}

/**
 * pdfkit shapes every text run with fontkit (OpenType lookups) and caches the result per document.
 * The result depends only on the font and the text, so documents share one cache per font; it is
 * dropped every CACHE_DOCUMENTS documents so that it cannot grow without bound (measured: 19
 * different contracts add about 1 MB to the heap).
 */
const CACHE_DOCUMENTS = 20;
const layoutCaches = new WeakMap<object, { entries: Record<string, unknown>; documents: number }>();

function shareLayoutCache(doc: PDFKit.PDFDocument, name: string, font: object): void {
  let shared = layoutCaches.get(font);
  if (!shared || shared.documents >= CACHE_DOCUMENTS) {
    shared = { entries: Object.create(null) as Record<string, unknown>, documents: 0 };
    layoutCaches.set(font, shared);
  }
  shared.documents++;
  doc.font(name);
  // pdfkit's EmbeddedFont keeps `layoutCache` (a plain object keyed by text); without it, skip.
  const embedded = (doc as unknown as { _font?: { layoutCache?: Record<string, unknown> } })._font;
  if (embedded && embedded.layoutCache) embedded.layoutCache = shared.entries;
}

export class PdfWriter {
  readonly doc: PDFKit.PDFDocument;
  private readonly chunks: Buffer[] = [];
  private readonly done: Promise<Buffer>;
  private bold = false;
  private size = FONT_SIZE.body;
  private color = TEXT_COLOR;

  private constructor(
    private readonly frame: DocumentFrame,
    fonts: PdfFonts | null,
  ) {
    const createdAt = new Date(frame.createdAt);
    if (Number.isNaN(createdAt.getTime())) throw new Error(`createdAt must be an ISO instant, got ${frame.createdAt}`);
    this.doc = new (pdfkit())({
      size: 'A4',
      margins: MARGINS,
      bufferPages: true,
      autoFirstPage: false,
      // No default Helvetica: pdfkit would parse its metrics for every document, and never use it.
      font: null as unknown as string,
      lang: 'zh-CN',
      displayTitle: true,
      info: {
        Title: frame.title,
        // pdfkit hashes every info value into the file id: leave out what is not given.
        ...(frame.author ? { Author: frame.author } : {}),
        ...(frame.subject ? { Subject: frame.subject } : {}),
        Creator: 'Streetfund',
        Producer: 'Streetfund (pdfkit)',
        CreationDate: createdAt,
        ModDate: createdAt,
      },
    });
    if (fonts) {
      // pdfkit accepts a parsed fontkit font; sharing it keeps the decode and parse to once a process.
      this.doc.registerFont(FONT_REGULAR, fonts.regular as unknown as PDFKit.Mixins.PDFFontSource);
      this.doc.registerFont(FONT_BOLD, fonts.bold as unknown as PDFKit.Mixins.PDFFontSource);
      shareLayoutCache(this.doc, FONT_REGULAR, fonts.regular);
      shareLayoutCache(this.doc, FONT_BOLD, fonts.bold);
    } else {
      this.doc.registerFont(FONT_REGULAR, 'Helvetica');
      this.doc.registerFont(FONT_BOLD, 'Helvetica-Bold');
    }
    this.done = new Promise((resolve, reject) => {
      this.doc.on('data', (chunk: Buffer) => this.chunks.push(chunk));
      this.doc.on('end', () => resolve(Buffer.concat(this.chunks)));
      this.doc.on('error', reject);
    });
    // The watermark goes under the page's content, so it is drawn as each page starts.
    this.doc.on('pageAdded', () => this.drawWatermark());
    this.doc.addPage();
    this.use(false, FONT_SIZE.body);
  }

  static async create(frame: DocumentFrame): Promise<PdfWriter> {
    return new PdfWriter(frame, frame.typeface === 'helvetica' ? null : await loadFonts());
  }

  get left(): number {
    return MARGINS.left;
  }
  get width(): number {
    return PAGE.width - MARGINS.left - MARGINS.right;
  }
  get bottom(): number {
    return PAGE.height - MARGINS.bottom;
  }
  get y(): number {
    return this.doc.y;
  }

  /** Sets font, size and colour for what follows. */
  use(bold: boolean, size: number, color = TEXT_COLOR): this {
    this.bold = bold;
    this.size = size;
    this.color = color;
    this.doc
      .font(bold ? FONT_BOLD : FONT_REGULAR)
      .fontSize(size)
      .fillColor(color);
    return this;
  }

  newPage(): this {
    this.doc.addPage();
    this.doc.x = this.left;
    this.doc.y = MARGINS.top;
    return this;
  }

  /** Starts a new page unless `height` points still fit on this one. */
  ensureSpace(height: number): this {
    if (this.doc.y + height > this.bottom) this.newPage();
    return this;
  }

  space(points: number): this {
    if (this.doc.y + points > this.bottom) this.newPage();
    else this.doc.y += points;
    return this;
  }

  /** The document title, centred, with optional lines under it (number, version). */
  title(text: string, subtitles: string[] = []): this {
    this.use(true, FONT_SIZE.h1);
    this.ensureSpace(this.doc.heightOfString(text, { width: this.width }) + 40);
    this.doc.text(text, this.left, this.doc.y, { width: this.width, align: 'center', lineGap: LINE_GAP });
    this.doc.y += 6;
    this.use(false, FONT_SIZE.body, MUTED_COLOR);
    for (const line of subtitles)
      this.doc.text(line, this.left, this.doc.y, { width: this.width, align: 'center', lineGap: LINE_GAP });
    this.doc.y += 12;
    this.use(false, FONT_SIZE.body);
    return this;
  }

  /** A section heading; kept on the same page as at least three lines of what follows. */
  heading(text: string, level: 2 | 3 = 2): this {
    const size = level === 2 ? FONT_SIZE.h2 : FONT_SIZE.h3;
    this.use(true, size);
    const height = this.doc.heightOfString(text, { width: this.width, lineGap: LINE_GAP });
    if (this.doc.y > MARGINS.top) this.doc.y += level === 2 ? 8 : 4;
    this.ensureSpace(height + 4 + 3 * this.lineHeight(FONT_SIZE.body));
    this.doc.text(text, this.left, this.doc.y, { width: this.width, lineGap: LINE_GAP });
    this.doc.y += 4;
    this.use(false, FONT_SIZE.body);
    return this;
  }

  /** Running text, wrapped (CJK breaks between characters), flowing onto the next pages. */
  paragraph(
    text: string,
    options: { indent?: boolean; fontSize?: number; color?: string; align?: 'left' | 'center' | 'right' } = {},
  ): this {
    const size = options.fontSize ?? FONT_SIZE.body;
    this.use(false, size, options.color ?? TEXT_COLOR);
    for (const [i, part] of text.split(/\r?\n/).entries()) {
      if (i > 0 && part === '') continue;
      this.ensureSpace(this.lineHeight(size));
      this.doc.text(part === '' ? ' ' : part, this.left, this.doc.y, {
        width: this.width,
        lineGap: LINE_GAP,
        indent: options.indent ? size * 2 : 0,
        // pdfkit justifies by widening spaces only, which gapes in Chinese text with a few spaces.
        align: options.align ?? 'left',
      });
    }
    this.doc.y += 4;
    this.use(false, FONT_SIZE.body);
    return this;
  }

  /** Label / value pairs in two columns without borders; a long value wraps under itself. */
  keyValues(rows: [string, string][], options: KeyValueOptions = {}): this {
    const fontSize = options.fontSize ?? FONT_SIZE.body;
    const labelWidth = options.labelWidth ?? 150;
    const widths = [labelWidth, this.width - labelWidth];
    const style: RowStyle = {
      bold: false,
      fontSize,
      fill: null,
      borders: false,
      aligns: ['left', 'left'],
      padX: 0,
      padY: 1.5,
    };
    for (const [label, value] of rows) this.drawRow(widths, [label, value], style, null, [true, false]);
    this.doc.y += 4;
    this.use(false, FONT_SIZE.body);
    return this;
  }

  /**
   * A key-value row whose value is a star rating: `filled` of `of` stars drawn as vector shapes, then
   * `caption` as text (say the number there: the stars are shapes, so text extraction does not see
   * them). Drawn, not typed: the embedded CJK subset has no ★/☆ glyph, so typed stars came out blank.
   */
  starRating(label: string, filled: number, caption: string, options: KeyValueOptions & { of?: number } = {}): this {
    const of = options.of ?? 5;
    const fontSize = options.fontSize ?? FONT_SIZE.body;
    const labelWidth = options.labelWidth ?? 150;
    const height = this.lineHeight(fontSize) + 3;
    this.ensureSpace(height);
    const top = this.doc.y + 1.5;
    this.use(true, fontSize);
    this.doc.text(label, this.left, top, { width: labelWidth, lineBreak: false });
    const outer = fontSize * 0.5;
    const cy = top + fontSize * 0.62;
    let x = this.left + labelWidth + outer;
    for (let i = 0; i < of; i++) {
      const points: [number, number][] = [];
      for (let k = 0; k < 10; k++) {
        const r = k % 2 === 0 ? outer : outer * 0.42;
        const a = -Math.PI / 2 + (k * Math.PI) / 5;
        points.push([x + r * Math.cos(a), cy + r * Math.sin(a)]);
      }
      this.doc
        .save()
        .lineWidth(0.7)
        .lineJoin('round')
        .polygon(...points);
      if (i < filled) this.doc.fillAndStroke(STAR_COLOR, STAR_COLOR);
      else this.doc.stroke(STAR_COLOR);
      this.doc.restore();
      x += outer * 2 + 2;
    }
    this.use(false, fontSize);
    this.doc.text(caption, x - outer + 4, top, {
      width: this.width - labelWidth - of * (outer * 2 + 2) - 4,
      lineBreak: false,
    });
    this.doc.x = this.left;
    this.doc.y = top + height - 1.5 + 4;
    this.use(false, FONT_SIZE.body);
    return this;
  }

  /**
   * A ruled table. A row that does not fit goes to the next page, after the header row repeated;
   * a row taller than a whole page is split across pages.
   */
  table(columns: TableColumn[], rows: string[][], options: TableOptions = {}): this {
    const fontSize = options.fontSize ?? FONT_SIZE.table;
    const total = columns.reduce((s, c) => s + c.width, 0);
    const widths = columns.map((c) => (c.width / total) * this.width);
    const aligns = columns.map((c) => c.align ?? 'left');
    const body: RowStyle = { bold: false, fontSize, fill: null, borders: true, aligns, padX: CELL_PAD, padY: CELL_PAD };
    const header: RowStyle = { ...body, bold: true, fill: HEADER_FILL, aligns: columns.map(() => 'center') };
    const headerCells = columns.map((c) => c.header);
    const repeatHeader = () => this.drawRow(widths, headerCells, header, null);

    // The header never stands alone at the foot of a page: it goes with the first row.
    const first = rows[0] ?? options.footerRows?.[0];
    const firstHeight = first
      ? Math.min(this.rowHeight(widths, first, body), this.lineHeight(fontSize) * 3 + 2 * CELL_PAD)
      : 0;
    this.ensureSpace(this.rowHeight(widths, headerCells, header) + firstHeight);
    repeatHeader();
    const footerStyle = { ...body, bold: true };
    const footerRows = options.footerRows ?? [];
    const footerHeight = footerRows.reduce((s, r) => s + this.rowHeight(widths, r, footerStyle), 0);
    rows.forEach((row, i) => {
      if (i === rows.length - 1 && footerRows.length > 0) {
        // The totals go with the last row: move it to the next page when both do not fit here.
        const both = this.rowHeight(widths, row, body) + footerHeight;
        if (this.doc.y + both > this.bottom && both <= this.bottom - MARGINS.top - 3 * this.lineHeight(fontSize)) {
          this.newPage();
          repeatHeader();
        }
      }
      this.drawRow(widths, row, body, repeatHeader);
    });
    for (const row of footerRows) this.drawRow(widths, row, footerStyle, repeatHeader);
    this.doc.y += 8;
    this.use(false, FONT_SIZE.body);
    return this;
  }

  /**
   * Signature blocks side by side (two to a line), each pair kept whole on one page; a heading given
   * here is kept with the first pair (its height reserved, never left alone at a page's foot). The
   * two columns' rows line up: each pair's lines start below the taller of its party names.
   */
  signatures(blocks: SignatureBlock[], heading?: string): this {
    const gap = 24;
    const colWidth = (this.width - gap) / 2;
    const lineH = this.lineHeight(FONT_SIZE.body) + 10;
    const seal = 30;
    const nameText = (b: SignatureBlock) => `${b.partyLabel}：${b.partyName}`;
    const measure = (pair: SignatureBlock[]) => {
      this.use(true, FONT_SIZE.body);
      const names = Math.max(
        lineH,
        ...pair.map((b) => this.doc.heightOfString(nameText(b), { width: colWidth, lineGap: LINE_GAP }) + 6),
      );
      const lines = Math.max(...pair.map((b) => b.lines.length)) * lineH;
      return { names, height: names + seal + lines + 14 };
    };
    const pairs: SignatureBlock[][] = [];
    for (let i = 0; i < blocks.length; i += 2) pairs.push(blocks.slice(i, i + 2));
    if (heading) {
      this.use(true, FONT_SIZE.h2);
      const headingHeight = 8 + this.doc.heightOfString(heading, { width: this.width, lineGap: LINE_GAP }) + 4;
      this.ensureSpace(headingHeight + 10 + (pairs.length ? measure(pairs[0]).height : 0));
      this.heading(heading);
    }
    for (const pair of pairs) {
      const { names, height } = measure(pair);
      this.doc.y += 10;
      this.ensureSpace(height);
      const top = this.doc.y;
      pair.forEach((block, j) => {
        const x = this.left + j * (colWidth + gap);
        this.use(true, FONT_SIZE.body);
        this.doc.text(nameText(block), x, top, { width: colWidth, lineGap: LINE_GAP });
        let y = top + names + seal; // room for the seal, at the same height in both columns
        for (const [label, value] of block.lines) {
          this.use(false, FONT_SIZE.body);
          const labelText = `${label}：`;
          this.doc.text(labelText, x, y, { width: colWidth, lineBreak: false });
          const valueX = x + this.doc.widthOfString(labelText);
          if (value) this.doc.text(value, valueX, y, { width: Math.max(20, x + colWidth - valueX), lineBreak: false });
          else {
            const lineY = y + FONT_SIZE.body + 2;
            this.doc
              .moveTo(valueX, lineY)
              .lineTo(Math.min(valueX + 110, x + colWidth), lineY)
              .lineWidth(0.6)
              .strokeColor(TEXT_COLOR)
              .stroke();
          }
          y += lineH;
        }
      });
      this.doc.x = this.left;
      this.doc.y = top + height;
    }
    this.use(false, FONT_SIZE.body);
    return this;
  }

  /** Draws the header, footer and page numbers on every page and returns the PDF's bytes. */
  async finish(): Promise<Buffer> {
    const range = this.doc.bufferedPageRange();
    const label = this.frame.pageLabel ?? ((p: number, n: number) => `第 ${p} 页 / 共 ${n} 页`);
    for (let i = range.start; i < range.start + range.count; i++) {
      this.doc.switchToPage(i);
      const savedBottom = this.doc.page.margins.bottom;
      this.doc.page.margins.bottom = 0; // text in the footer band must not start a new page
      const right = PAGE.width - MARGINS.right;
      this.use(false, FONT_SIZE.frame, MUTED_COLOR);
      this.doc.text(this.frame.title, this.left, HEADER_Y, {
        width: this.width * 0.7,
        lineBreak: false,
        ellipsis: true,
        height: 12,
      });
      if (this.frame.headerNote)
        this.doc.text(this.frame.headerNote, this.left, HEADER_Y, {
          width: this.width,
          align: 'right',
          lineBreak: false,
        });
      this.doc
        .moveTo(this.left, HEADER_Y + 14)
        .lineTo(right, HEADER_Y + 14)
        .lineWidth(0.5)
        .strokeColor(RULE_COLOR)
        .stroke();
      this.doc
        .moveTo(this.left, FOOTER_Y - 6)
        .lineTo(right, FOOTER_Y - 6)
        .lineWidth(0.5)
        .strokeColor(RULE_COLOR)
        .stroke();
      this.use(false, FONT_SIZE.frame, MUTED_COLOR);
      this.doc.text(this.frame.identifier, this.left, FOOTER_Y, { width: this.width * 0.7, lineBreak: false });
      this.doc.text(label(i - range.start + 1, range.count), this.left, FOOTER_Y, {
        width: this.width,
        align: 'right',
        lineBreak: false,
      });
      this.doc.page.margins.bottom = savedBottom;
    }
    this.doc.end();
    return this.done;
  }

  /** The height of one line of body text at `size` (regular weight), including the line gap. */
  private lineHeight(size: number): number {
    this.doc.font(FONT_REGULAR).fontSize(size);
    const h = this.doc.currentLineHeight(true) + LINE_GAP;
    this.use(this.bold, this.size, this.color);
    return h;
  }

  private drawWatermark(): void {
    const text = this.frame.watermark;
    if (!text) return;
    const { x, y } = this.doc;
    const angle = (-Math.atan2(PAGE.height, PAGE.width) * 180) / Math.PI;
    const size = 72;
    this.doc.save();
    this.doc.font(FONT_BOLD).fontSize(size).fillColor('#c8102e').fillOpacity(0.1);
    const w = this.doc.widthOfString(text);
    this.doc.rotate(angle, { origin: [PAGE.width / 2, PAGE.height / 2] });
    this.doc.text(text, PAGE.width / 2 - w / 2, PAGE.height / 2 - size / 2, { lineBreak: false });
    this.doc.restore();
    this.doc.x = x;
    this.doc.y = y;
    this.use(this.bold, this.size, this.color);
  }

  private cellHeight(text: string, width: number, style: RowStyle, bold: boolean): number {
    this.use(bold, style.fontSize);
    return (
      this.doc.heightOfString(text === '' ? ' ' : text, { width: width - 2 * style.padX, lineGap: LINE_GAP }) +
      2 * style.padY
    );
  }

  private rowHeight(widths: number[], cells: string[], style: RowStyle, boldCells?: boolean[]): number {
    return Math.max(
      ...cells.map((c, i) => this.cellHeight(c, widths[i], style, style.bold || (boldCells?.[i] ?? false))),
    );
  }

  /** The longest start of `text` that fits in `height` at `width` (at least one character). */
  private fitPrefix(text: string, width: number, height: number, style: RowStyle, bold: boolean): number {
    if (this.cellHeight(text, width, style, bold) <= height) return text.length;
    let lo = 0;
    let hi = text.length;
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if (this.cellHeight(text.slice(0, mid), width, style, bold) <= height) lo = mid;
      else hi = mid - 1;
    }
    return Math.max(lo, 1);
  }

  /** One row at the current position; breaks to a new page (calling `onNewPage`) when it does not fit. */
  private drawRow(
    widths: number[],
    cells: string[],
    style: RowStyle,
    onNewPage: (() => void) | null,
    boldCells?: boolean[],
  ): void {
    let remaining = cells.map((c) => c ?? '');
    let onFreshPage = false;
    for (;;) {
      const height = this.rowHeight(widths, remaining, style, boldCells);
      if (this.doc.y + height <= this.bottom) {
        this.paintRow(widths, remaining, height, style, boldCells);
        return;
      }
      const roomHere = this.bottom - this.doc.y;
      const roomOnFreshPage = this.bottom - MARGINS.top - (onNewPage ? 3 * this.lineHeight(style.fontSize) : 0);
      const tooLittleHere = roomHere < 2 * this.lineHeight(style.fontSize) + 2 * style.padY;
      if (!onFreshPage && (height <= roomOnFreshPage || tooLittleHere)) {
        // Move the whole row to the next page (after the repeated header).
        this.newPage();
        onNewPage?.();
        onFreshPage = true;
        continue;
      }
      // Taller than a page: draw what fits here, continue the rest on the next page.
      const cut = remaining.map((text, i) =>
        this.fitPrefix(text, widths[i], roomHere, style, style.bold || (boldCells?.[i] ?? false)),
      );
      this.paintRow(
        widths,
        remaining.map((t, i) => t.slice(0, cut[i])),
        roomHere,
        style,
        boldCells,
      );
      remaining = remaining.map((t, i) => t.slice(cut[i]));
      this.newPage();
      onNewPage?.();
      onFreshPage = true;
    }
  }

  private paintRow(widths: number[], cells: string[], height: number, style: RowStyle, boldCells?: boolean[]): void {
    const top = this.doc.y;
    let x = this.left;
    cells.forEach((text, i) => {
      const w = widths[i];
      if (style.fill) this.doc.rect(x, top, w, height).fillColor(style.fill).fill();
      if (style.borders) this.doc.rect(x, top, w, height).lineWidth(0.5).strokeColor(RULE_COLOR).stroke();
      if (text !== '') {
        this.use(style.bold || (boldCells?.[i] ?? false), style.fontSize);
        this.doc.text(text, x + style.padX, top + style.padY, {
          width: w - 2 * style.padX,
          height: height - style.padY + 1,
          align: style.aligns[i] ?? 'left',
          lineGap: LINE_GAP,
        });
      }
      x += w;
    });
    this.doc.x = this.left;
    this.doc.y = top + height;
  }
}
