import fs from 'node:fs';
import path from 'node:path';
import * as fontkit from 'fontkit';
import { decompress } from 'wawoff2';

/**
 * The one CJK typeface of every generated document: Noto Sans SC from @fontsource/noto-sans-sc
 * (npm, never a system font). Its "chinese-simplified" file holds ASCII, full-width punctuation and
 * the 8,000-odd most used Han characters (including the capital numerals 壹贰叁…亿, 元角分整), so one
 * file per weight covers contract text and no Latin fallback is needed.
 *
 * The package ships only WOFF/WOFF2. pdfkit given a WOFF2 embeds the whole font (seconds, tens of MB),
 * so the files are decoded once per process to TrueType and parsed once by fontkit; every document
 * then shares the parsed fonts and pdfkit embeds only the glyphs it used (a subset, `ABCDEF+Name`).
 */
export const FONT_REGULAR = 'NotoSansSC';
export const FONT_BOLD = 'NotoSansSC-Bold';

export interface PdfFonts {
  regular: fontkit.Font;
  bold: fontkit.Font;
  /** How long the first use took to read, decode and parse both files (ms). */
  decodeMs: number;
}

function fontFile(weight: 400 | 700): string {
  // The package's exports map only allows *.css, so locate the folder through its main file.
  const main = require.resolve('@fontsource/noto-sans-sc');
  return path.join(path.dirname(main), 'files', `noto-sans-sc-chinese-simplified-${weight}-normal.woff2`);
}

async function decode(weight: 400 | 700): Promise<fontkit.Font> {
  const woff2 = await fs.promises.readFile(fontFile(weight));
  // wawoff2 returns a view of its WebAssembly heap, which its next call overwrites: copy it at once,
  // and never run two decodes at the same time (see loadFonts).
  const ttf = Buffer.from(await decompress(woff2));
  return fontkit.create(ttf);
}

let loading: Promise<PdfFonts> | null = null;

/** The decoded fonts, decoded at first use and shared by every later document of the process. */
export function loadFonts(): Promise<PdfFonts> {
  if (!loading) {
    const started = process.hrtime.bigint();
    const both = async () => {
      const regular = await decode(400);
      const bold = await decode(700); // after the first: wawoff2 cannot decode two files at once
      return { regular, bold, decodeMs: Number(process.hrtime.bigint() - started) / 1e6 };
    };
    loading = both().catch((err: unknown) => {
      loading = null; // a failed read may be retried
      throw err;
    });
  }
  return loading;
}
