import { barChart, stackedBarChart, textWidth, wrapLabel } from '../../src/modules/disclosure/charts';

/** The public charts' labels fit their SVG (issue: English labels were cut off at the left edge). */
const t = { id: 'c', title: 'T', summary: 'S', sep: ', ' };
const viewWidth = (svg: string) => Number(/viewBox="0 0 (\d+) /.exec(svg)![1]);
const texts = (svg: string) =>
  [...svg.matchAll(/<text x="([\d.]+)"([^>]*)>(?:<title>[^<]*<\/title>)?(.*?)<\/text>/g)].map((m) => ({
    x: Number(m[1]),
    end: m[2].includes('text-anchor="end"'),
    lines: m[3].includes('<tspan') ? [...m[3].matchAll(/<tspan[^>]*>([^<]*)<\/tspan>/g)].map((x) => x[1]) : [m[3]],
  }));

/** Every label starts inside the chart and, by the estimate, ends inside it. */
function expectInside(svg: string) {
  const width = viewWidth(svg);
  for (const text of texts(svg)) {
    for (const line of text.lines) {
      const w = textWidth(line.replace(/&amp;/g, '&'));
      const [from, to] = text.end ? [text.x - w, text.x] : [text.x, text.x + w];
      expect([line, from >= 0, to <= width]).toEqual([line, true, true]);
    }
  }
}

it('puts long English labels above their bars, inside the chart, and keeps short ones beside', () => {
  const long = barChart(
    [
      { label: 'Elderly care and disability help', valueFen: 123_456_789 },
      { label: 'Community culture and education', valueFen: 3_600_000 },
    ],
    t,
  );
  expectInside(long);
  expect(long).not.toContain('text-anchor="end"');
  const short = barChart(
    [
      { label: '11月', valueFen: 3_600_000 },
      { label: 'Month 12', valueFen: 0 },
    ],
    t,
  );
  expectInside(short);
  expect(
    texts(short)
      .filter((x) => x.end)
      .map((x) => x.lines[0]),
  ).toEqual(['11月', 'Month 12']);
});

it('wraps a label too long for one line into two, and shortens a longer one with … and its full text as a tooltip', () => {
  expect(wrapLabel('Social-organization development fund of the street office and the district', 200)).toHaveLength(2);
  const label = 'A very long service category name that would need far more than two lines at this width to be shown';
  const lines = wrapLabel(label, 200);
  expect(lines).toHaveLength(2);
  expect(lines[1].endsWith('…')).toBe(true);
  for (const line of lines) expect(textWidth(line)).toBeLessThanOrEqual(200);
  const svg = barChart([{ label: label.repeat(3), valueFen: 1 }], t);
  expect(svg).toContain(`<title>${label.repeat(3)}</title>`);
  expectInside(svg);
  // Chinese without spaces breaks between characters.
  expect(
    wrapLabel('养老助残社会救助法律援助慈善救济社区服务养老助残社会救助法律援助', 120).every(
      (l) => textWidth(l) <= 120,
    ),
  ).toBe(true);
});

it('flows a long English legend into rows without overlap, and every figure stays inside', () => {
  const legend = {
    paid: 'Paid',
    committed: 'Committed, unpaid',
    reserved: 'Reserved by calls',
    available: 'Available',
    extra: 'Welfare-lottery public-welfare fund',
  };
  const keys = Object.keys(legend);
  const svg = stackedBarChart(
    [
      {
        label: 'Welfare-lottery public-welfare fund',
        segments: keys.map((key, i) => ({ key, valueFen: (i + 1) * 100_000_00 })),
      },
    ],
    keys,
    { ...t, legend },
  );
  expectInside(svg);
  const items = [...svg.matchAll(/<rect x="([\d.]+)" y="([\d.]+)" width="12" height="12"/g)].map((m) => ({
    x: Number(m[1]),
    y: Number(m[2]),
  }));
  expect(items).toHaveLength(keys.length);
  for (let i = 1; i < items.length; i++) {
    if (items[i].y === items[i - 1].y)
      expect(items[i].x).toBeGreaterThanOrEqual(items[i - 1].x + 16 + textWidth(Object.values(legend)[i - 1]));
  }
  expect(new Set(items.map((i) => i.y)).size).toBeGreaterThan(1); // it did wrap
});
