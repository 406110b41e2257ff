import { sampleContract } from '../../bench/contract-sample';
import { loadFonts, PdfWriter, renderContractPdf } from '../../src/pdf';
import { closePdfText, pdfPages as pagesOf } from '../helpers/pdf-text';

const signed = { draft: false, redacted: false };

afterAll(closePdfText);

/** Text without any whitespace: a table cell wraps, but its characters come back in order. */
const flat = (text: string) => text.replace(/\s+/g, '');

describe('the contract PDF', () => {
  let pdf: Buffer;
  let pages: string[];
  let text: string;

  beforeAll(async () => {
    pdf = await renderContractPdf(sampleContract(), signed);
    pages = await pagesOf(pdf);
    text = flat(pages.join('\n'));
  });

  it('is a three-page A4 PDF whose Chinese text extracts back: title, number, parties, amounts', () => {
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(pages).toHaveLength(3);
    expect(pdf.toString('latin1')).toMatch(/\/MediaBox \[0 0 595\.28 841\.89\]/);
    for (const expected of [
      '东山街道社区居家养老服务项目购买合同',
      '合同编号：DS-2026-0007',
      '版本：第1版',
      '南京市江宁区东山街道办事处',
      '陈建国',
      '南京市江宁区东山街道上元大街88号',
      '南京市江宁区安心养老服务中心',
      '52320115MJ5123456X',
      '周慧敏',
      '李娜',
      '13812345678',
      '养老服务/社区居家养老服务',
      '本合同总金额为人民币贰拾万元整（¥200,000.00）',
      '2026年度东山街道公益服务专项资金¥140,000.00',
      '江宁区民政局福彩公益金补助¥60,000.00',
      '服务期限自2027年1月1日起至2027年12月31日止',
    ]) {
      expect(text).toContain(expected);
    }
  });

  it('has the schedule rows in order: seq, title, deliverables, due date, amount, condition', () => {
    const m = sampleContract().milestones;
    expect(text).toContain('期次里程碑交付成果到期日金额（元）付款条件');
    expect(text).toContain(
      `1首期款（预付款）${flat(m[0].deliverables)}2027-01-31¥60,000.00预付款：合同签订后支付，无需评估`,
    );
    expect(text).toContain(
      `2中期评估${flat(m[1].deliverables)}${m[1].dueDate}¥46,666.66合格分80分；60–80分之间按比例支付，不高于60分不予支付`,
    );
    expect(text).toContain(
      `3第2阶段服务${flat(m[2].deliverables)}${m[2].dueDate}¥46,666.66合格分80分；低于合格分不予支付`,
    );
    expect(text).toContain(`4末期评估${flat(m[3].deliverables)}2027-12-31¥46,666.68`);
    expect(text).toContain('合计¥200,000.00');
  });

  it('spells out the payment terms: evaluation, withholding below the pass score, the pro-rata rule, the advance', () => {
    expect(text).toContain('除预付款外，各期款项在对应里程碑的成果经评估后支付');
    expect(text).toContain(
      '第1期「首期款（预付款）」（金额¥60,000.00，人民币陆万元整）为预付款（首期款），于本合同签订后支付，无需评估',
    );
    expect(text).toContain('第3期「第2阶段服务」（金额¥46,666.66，人民币肆万陆仟陆佰陆拾陆元陆角陆分）');
    expect(text).toContain('综合得分不低于80分的，全额支付；低于80分的，该期款项不予支付。');
    expect(text).toContain(
      '支付金额=该期金额×（得分−60）÷（80−60），计算结果向下取整至分；得分不高于60分的，该期款项不予支付',
    );
    expect(text).toContain('自评10%、街道评价25%、同行评议15%、居民评价25%、第三方评估25%');
  });

  it('has signature blocks with names and dates in Asia/Shanghai, and 第 x 页 / 共 y 页 with the number on every page', () => {
    // Party A signed at 16:30 UTC on 1 December: already 2 December in Shanghai.
    expect(text).toContain('甲方（盖章）：南京市江宁区东山街道办事处');
    expect(text).toContain('法定代表人或授权代表（签字）：陈建国');
    expect(text).toContain('签署日期：2026年12月2日');
    expect(text).toContain('签署日期：2026年11月30日');
    pages.forEach((page, i) => {
      expect(flat(page)).toContain(`第${i + 1}页/共3页`);
      expect(flat(page)).toContain('合同编号DS-2026-0007·第1版');
      expect(flat(page)).toContain('东山街道社区居家养老服务项目购买合同');
    });
  });

  it('embeds the CJK font as a subset (ABCDEF+ tag, a font file far smaller than the 2.5 MB font)', () => {
    const raw = pdf.toString('latin1');
    const names = [...raw.matchAll(/\/BaseFont \/([A-Z]{6})\+([\w-]+)/g)].map((m) => m[2]);
    expect(names).toEqual(expect.arrayContaining(['NotoSansSCThin-Regular', 'NotoSansSCThin-Bold']));
    expect(raw).toMatch(/\/FontFile2 \d+ 0 R/);
    expect(raw).not.toMatch(/\/BaseFont \/Helvetica/); // nothing drawn in a font that cannot show Chinese
    expect(pdf.length).toBeLessThan(150_000);
  });

  it('renders the same input to the same bytes (creation date from generatedAt), so the signed PDF hash is stable', async () => {
    // Another document in between (documents share the fonts and their text-shaping cache).
    const other = await renderContractPdf(
      { ...sampleContract({ milestones: 9 }), generatedAt: '2026-12-02T08:00:00.000Z' },
      { draft: true, redacted: true },
    );
    const again = await renderContractPdf(sampleContract(), signed);
    expect(again.equals(pdf)).toBe(true);
    expect(pdf.toString('latin1')).toContain('(D:20261201163000Z)');
    expect(other.equals(pdf)).toBe(false);
    const later = await renderContractPdf({ ...sampleContract(), generatedAt: '2026-12-02T08:00:00.000Z' }, signed);
    expect(later.equals(pdf)).toBe(false);
  });

  it('decodes the fonts once per process, both weights intact, covering the capital numerals and full-width punctuation', async () => {
    const fonts = await loadFonts();
    expect(await loadFonts()).toBe(fonts);
    expect(fonts.regular.postscriptName).toMatch(/Regular$/);
    expect(fonts.bold.postscriptName).toMatch(/Bold$/);
    for (const font of [fonts.regular, fonts.bold]) {
      for (const c of '零壹贰叁肆伍陆柒捌玖拾佰仟万亿元角分整人民币，。、；：（）《》「」“”×÷−–·¥%ABCxyz0123456789') {
        expect([c, font.hasGlyphForCodePoint(c.codePointAt(0)!)]).toEqual([c, true]);
      }
    }
  });
});

describe('a draft', () => {
  it('is watermarked 草稿 / DRAFT on every page and says it is not binding; a signed contract is not', async () => {
    const draft = await pagesOf(await renderContractPdf(sampleContract(), { draft: true, redacted: false }));
    expect(draft.length).toBeGreaterThanOrEqual(3);
    for (const page of draft) expect(flat(page)).toContain('草稿DRAFT');
    expect(flat(draft[0])).toContain('本文本为草稿，尚未经双方签署，不具有合同效力');
    const final = (await pagesOf(await renderContractPdf(sampleContract(), signed))).join('');
    expect(final).not.toContain('DRAFT');
    expect(final).not.toContain('草稿');
  });

  it('leaves lines to sign on when nobody has signed yet', async () => {
    const input = {
      ...sampleContract(),
      signatures: { partyA: { signerName: null, signedAt: null }, partyB: { signerName: null, signedAt: null } },
    };
    const text = flat((await pagesOf(await renderContractPdf(input, { draft: true, redacted: false }))).join(''));
    expect(text).toContain('法定代表人或授权代表（签字）：签署日期：');
    expect(text).not.toContain('2026年12月2日');
  });
});

describe('the redacted (public) version', () => {
  it('has no phone number or ID number, keeps the credit code, names and amounts', async () => {
    const pdf = await renderContractPdf(sampleContract(), { draft: false, redacted: true });
    const text = flat((await pagesOf(pdf)).join('\n'));
    expect(text).not.toContain('13812345678'); // party B contact
    expect(text).not.toContain('025-52281234'); // in the service description
    expect(text).not.toContain('11010519491231002X'); // in the service description
    expect(text).not.toMatch(/1[3-9]\d{9}/);
    expect(text).toContain('[电话已隐去]');
    expect(text).toContain('[证件号已隐去]');
    expect(text).toContain('52320115MJ5123456X');
    expect(text).toContain('人民币贰拾万元整（¥200,000.00）');
    expect(text).toContain('南京市江宁区安心养老服务中心');
    expect(text).toContain('本文本为公开版');
    // The unredacted render of the same contract has them (the test above is not vacuous).
    const full = flat((await pagesOf(await renderContractPdf(sampleContract(), signed))).join('\n'));
    expect(full).toContain('1381234' + '5678');
    expect(full).toContain('11010519491231002X');
  });
});

describe('tables across pages', () => {
  it('repeat the header row on every page the schedule continues on, with every row intact', async () => {
    const input = sampleContract({ milestones: 40 });
    const pages = (await pagesOf(await renderContractPdf(input, signed))).map(flat);
    const header = '期次里程碑交付成果到期日金额（元）付款条件';
    const scheduleStart = pages.findIndex((p) => p.includes('四、里程碑与付款计划'));
    const scheduleEnd = pages.findIndex((p) => p.includes('五、评估与付款'));
    expect(scheduleEnd - scheduleStart).toBeGreaterThanOrEqual(3);
    // The frame is drawn last, so a page's text starts with what the page body starts with.
    for (let i = scheduleStart + 1; i <= scheduleEnd; i++) {
      if (i === scheduleEnd && pages[i].startsWith('五、')) continue; // the table ended with the page before
      expect(pages[i].startsWith(header)).toBe(true);
      expect(pages[i].split(header)).toHaveLength(2); // once per page
    }
    const all = pages.join('');
    for (const m of input.milestones)
      expect(all).toContain(`${m.seq}${flat(m.title)}${flat(m.deliverables)}${m.dueDate}`);
  });

  it('split a row taller than a page, keeping all of its text in order', async () => {
    const long = Array.from({ length: 140 }, (_, i) => `第${i + 1}项成果说明：社区走访与服务记录。`).join('');
    const w = await PdfWriter.create({ title: '测试文档', identifier: 'T-1', createdAt: '2026-12-01T00:00:00.000Z' });
    w.table(
      [
        { header: '序号', width: 1 },
        { header: '说明', width: 6 },
      ],
      [
        ['1', '短行'],
        ['2', long],
        ['3', '最后一行'],
      ],
    );
    const pages = (await pagesOf(await w.finish())).map(flat);
    expect(pages.length).toBeGreaterThanOrEqual(2);
    for (const page of pages) expect(page).toContain('序号说明');
    const all = pages.map((p) => p.replace(/序号说明/g, '').replace(/测试文档|T-1|第\d+页\/共\d+页/g, '')).join('');
    expect(all).toContain(flat(long).slice(0, 200));
    for (let i = 1; i <= 140; i++) expect(all).toContain(`第${i}项成果说明：社区走访与服务记录。`);
    expect(all).toContain('3最后一行');
  });
});

describe('the page frame for other documents', () => {
  it('takes its own page label, header note and watermark, and leaves out empty party fields', async () => {
    const w = await PdfWriter.create({
      title: 'Assessment report',
      identifier: 'PG-2027-0001',
      createdAt: '2027-03-30T00:00:00.000Z',
      headerNote: '内部',
      watermark: 'SAMPLE',
      pageLabel: (p, n) => `page ${p} of ${n}`,
    });
    w.heading('Scores');
    w.keyValues([['总分', '86.5']]);
    w.newPage();
    w.paragraph('第二页');
    const pages = (await pagesOf(await w.finish())).map(flat);
    expect(pages).toHaveLength(2);
    pages.forEach((p, i) => {
      expect(p).toContain(`page${i + 1}of2`);
      expect(p).toContain('内部');
      expect(p).toContain('SAMPLE');
      expect(p).toContain('PG-2027-0001');
    });
    expect(pages[0]).toContain('总分86.5');

    const input = sampleContract();
    const bare = {
      ...input,
      partyA: { ...input.partyA, address: '' },
      partyB: { ...input.partyB, contactName: undefined, contactPhone: undefined },
    };
    const text = flat((await pagesOf(await renderContractPdf(bare, signed))).join(''));
    expect(text).toContain('法定代表人陈建国乙方');
    expect(text).toContain('地址南京市江宁区东山街道竹山路16号甲乙双方依据'); // no 联系人 / 联系电话 rows
  });
});
