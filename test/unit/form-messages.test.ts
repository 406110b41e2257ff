import { z } from 'zod';
import { parseForm, field } from '../../src/web/forms';
import { translator } from '../../src/web/i18n';
import { sheetSchema } from '../../src/modules/reviews/schemas';
import { profileSchema } from '../../src/modules/organizations/schemas';

const zh = translator('zh-CN');
const en = translator('en');
const errorsOf = (schema: z.ZodType, body: Record<string, unknown>, t = zh) => {
  const r = parseForm(schema, body, t);
  if (r.ok) throw new Error('expected a refusal');
  return r.errors;
};

describe('form messages say what is allowed, read from the schema', () => {
  const sheet = sheetSchema([{ id: 1, name: '专业性', weight: 100, position: 1 } as never]);

  it('a score of 101, -1, 85.5 or "abc" says scores run from 0 to 100, in both languages', () => {
    for (const score of ['101', '-1', '85.5', 'abc'])
      expect(errorsOf(sheet, { score_1: score, comment_1: '好' }).score_1).toBe('请填写 0 到 100 之间的整数');
    expect(errorsOf(sheet, { score_1: '101', comment_1: '好' }, en).score_1).toBe('Enter a whole number from 0 to 100');
    expect(errorsOf(sheet, { score_1: '', comment_1: '好' }).score_1).toBe('此项为必填项');
  });

  it('a text too long names the limit and how long it is', () => {
    expect(errorsOf(z.object({ note: field.text(10) }), { note: '一二三四五六七八九十壹' }).note).toBe(
      '不能超过 10 个字符（现为 11 个）',
    );
    expect(errorsOf(z.object({ code: z.string().min(2).max(6) }), { code: 'A' }).code).toBe(
      '应为 2 到 6 个字符（现为 1 个）',
    );
  });

  it('numbers with only one bound say that bound', () => {
    expect(errorsOf(z.object({ n: z.coerce.number().int().min(1) }), { n: '0' }).n).toBe('不能小于 1');
    expect(errorsOf(z.object({ n: z.coerce.number().max(5) }), { n: '9' }).n).toBe('不能大于 5');
  });

  it('formats name themselves with an example (e-mail, phone, date, count)', () => {
    const errors = errorsOf(profileSchema, {
      contactPhone: 'call me',
      contactEmail: 'not-an-email',
      foundedOn: '2015/6/1',
      certifiedSocialWorkers: '-1',
    });
    expect(errors.contactPhone).toContain('例如 025-5212 3456');
    expect(errors.contactEmail).toContain('name@example.org');
    expect(errors.foundedOn).toContain('例如 2015-06-01');
    expect(errors.certifiedSocialWorkers).toContain('0 到 999999');
    expect(errorsOf(z.object({ mail: z.email() }), { mail: 'x' }).mail).toContain('name@example.org');
  });

  it("a schema's own message key still wins", () => {
    expect(errorsOf(z.object({ kind: z.enum(['a', 'b'], { message: 'validation.choose' }) }), { kind: 'c' }).kind).toBe(
      '请从列表中选择',
    );
  });
});
