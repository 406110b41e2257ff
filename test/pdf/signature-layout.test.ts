import { PdfWriter, type SignatureBlock } from '../../src/pdf';

/** Where the writer draws each string, and on which page (pdfkit's text calls, recorded). */
async function recorded() {
  const w = await PdfWriter.create({ title: '测试文档', identifier: 'T-1', createdAt: '2026-12-01T00:00:00.000Z' });
  const drawn: { text: string; x: number; y: number; page: number }[] = [];
  let page = 1;
  w.doc.on('pageAdded', () => (page += 1));
  const text = w.doc.text.bind(w.doc) as (...args: unknown[]) => unknown;
  (w.doc as unknown as { text: (...args: unknown[]) => unknown }).text = (...args: unknown[]) => {
    if (typeof args[0] === 'string' && typeof args[1] === 'number' && typeof args[2] === 'number')
      drawn.push({ text: args[0], x: args[1], y: args[2], page });
    return text(...args);
  };
  return { w, drawn };
}

const blocks = (nameB: string): SignatureBlock[] => [
  {
    partyLabel: '甲方（盖章）',
    partyName: '东山街道办事处',
    lines: [
      ['法定代表人或授权代表（签字）', '李建国'],
      ['签署日期', '2026年12月2日'],
    ],
  },
  {
    partyLabel: '乙方（盖章）',
    partyName: nameB,
    lines: [
      ['法定代表人或授权代表（签字）', '王秀英'],
      ['签署日期', '2026年11月30日'],
    ],
  },
];
const LONG = '南京市江宁区东山街道安心居家养老服务中心暨社区公益服务发展促进会（民办非企业单位）';

describe('the signature page', () => {
  it("lines up the two columns' rows when party B's name wraps", async () => {
    const { w, drawn } = await recorded();
    w.signatures(blocks(LONG), '签署');
    await w.finish();
    const dates = drawn.filter((d) => d.text === '签署日期：');
    const signers = drawn.filter((d) => d.text === '法定代表人或授权代表（签字）：');
    expect(dates).toHaveLength(2);
    expect(dates[0].x).toBeLessThan(dates[1].x);
    expect(dates[0].y).toBe(dates[1].y);
    expect(signers[0].y).toBe(signers[1].y);
    // Below party B's wrapped name, not over it.
    const nameB = drawn.find((d) => d.text.startsWith('乙方（盖章）'))!;
    w.use(true, 11);
    expect(signers[1].y).toBeGreaterThan(nameB.y + 2 * 11);
  });

  it('keeps the heading with the whole block: never alone at the foot of a page', async () => {
    const { w, drawn } = await recorded();
    // Fill the page until the heading and three lines would still fit, but not the block.
    while (w.y < w.bottom - 90) w.paragraph('正文内容。');
    const before = drawn.length;
    w.signatures(blocks(LONG), '签署');
    await w.finish();
    const mine = drawn.slice(before);
    const heading = mine.find((d) => d.text === '签署')!;
    expect(heading).toBeDefined();
    const pagesOfBlock = new Set(mine.filter((d) => d.text !== '签署').map((d) => d.page));
    expect([...pagesOfBlock]).toEqual([heading.page]);
    expect(heading.page).toBe(2);
  });

  it('stays on the page when everything fits', async () => {
    const { w, drawn } = await recorded();
    w.paragraph('正文内容。');
    w.signatures(blocks('安心养老服务中心'), '签署');
    await w.finish();
    expect(new Set(drawn.map((d) => d.page))).toEqual(new Set([1]));
  });
});
