import { seedIfEmpty } from '../../src/db/seed';
import { LANGUAGES, translator } from '../../src/web/i18n';
import { eventDiff, hasFieldLabel } from '../../src/modules/audit-trail/diff';
import { codedValue, isCode } from '../../src/modules/audit-trail/values';
import { createTestContext, type TestContext } from '../helpers/app';

/**
 * Every field the audited events write has a label, and every coded value a word, in both
 * languages (issue 13: "each event shows before and after as a readable diff"). The events are the
 * demo data's, which run the modules' own services from the call to the payment and the finding, so
 * a field added to an audited service without a label fails here. Free text is not a code, whatever
 * it looks like: these fields are left alone.
 */
const FREE_TEXT = new Set(['name', 'title', 'body', 'answer', 'reason', 'comment', 'username', 'note', 'ref']);

let ctx: TestContext;
let events: {
  id: number;
  action: string;
  subject_type: string;
  before_json: string | null;
  after_json: string | null;
}[];
beforeAll(async () => {
  ctx = await createTestContext();
  ctx.clock.set(new Date('2026-11-25T02:00:00.000Z'));
  await seedIfEmpty({ db: ctx.db, config: ctx.config, clock: ctx.clock });
  events = await ctx.db('audit_events').orderBy('id');
}, 60_000);
afterAll(() => ctx.close());

const snake = (f: string) => f.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();

/** Every (field, value) in a before/after, at any depth. */
function pairs(json: string | null): [string, unknown][] {
  const out: [string, unknown][] = [];
  const walk = (v: unknown, field: string) => {
    if (Array.isArray(v)) v.forEach((x) => walk(x, field));
    else if (v && typeof v === 'object')
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
        out.push([snake(k), x]);
        walk(x, snake(k));
      }
  };
  if (json) walk(JSON.parse(json), '');
  return out;
}

it.each(LANGUAGES)('labels every field of the audited events in %s', (lang) => {
  const t = translator(lang);
  expect(events.length).toBeGreaterThan(50);
  const missing = new Set<string>();
  for (const e of events)
    for (const [field] of [...pairs(e.before_json), ...pairs(e.after_json)])
      if (!hasFieldLabel(field, t)) missing.add(`${field} (${e.action})`);
  expect([...missing].sort()).toEqual([]);
});

it.each(LANGUAGES)('reads every coded value of the audited events as a word in %s', (lang) => {
  const t = translator(lang);
  const raw = new Set<string>();
  for (const e of events)
    for (const [field, value] of [...pairs(e.before_json), ...pairs(e.after_json)])
      if (isCode(value) && !FREE_TEXT.has(field) && codedValue(field, value, t, e.subject_type) === null)
        raw.add(`${field}=${value} (${e.action})`);
  expect([...raw].sort()).toEqual([]);
});

it('shows a payment approval in words, and an empty field as unchanged', () => {
  const e = events.find((x) => x.action === 'payment.approve')!;
  const zh = eventDiff(e.before_json, e.after_json, translator('zh-CN'), 'zh-CN', new Map(), e.subject_type);
  const row = (field: string) => zh.find((r) => r.field === field)!;
  expect(row('status')).toMatchObject({ label: '状态', before: '待审批', after: '已批准', changed: true });
  expect(row('sources').after).toBe('资金来源：财政资金，金额：¥27,000.00；资金来源：福彩公益金，金额：¥9,000.00');
  expect(row('reverses_payment_id')).toMatchObject({ before: '—', after: '—', changed: false });
  expect(row('proposal_id').changed).toBe(true);
  const en = eventDiff(e.before_json, e.after_json, translator('en'), 'en', new Map(), e.subject_type);
  expect(en.find((r) => r.field === 'sources')!.after).toMatch(/^Fund source: Fiscal funds, Amount: ¥27,000\.00; /);
  expect(en.find((r) => r.field === 'status')).toMatchObject({ before: 'Waiting for approval', after: 'Approved' });
});
