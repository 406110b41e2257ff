import fs from 'node:fs';
import path from 'node:path';

/** Every text exists in both languages: each locales/zh-CN/*.json has a locales/en/*.json with the same
 *  nested keys, the plural forms each language needs, and the same {{placeholders}}. */
const localesDir = path.join(__dirname, '..', '..', 'locales');
type Tree = { [key: string]: unknown };

const PLURAL = /_(zero|one|two|few|many|other)$/;

/** 'a.b_one' -> ['a.b', 'one']; a key without a plural suffix has form ''. */
function leaves(tree: Tree, prefix = ''): { key: string; form: string; text: unknown }[] {
  return Object.entries(tree).flatMap(([k, v]) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) return leaves(v as Tree, `${prefix}${k}.`);
    const m = PLURAL.exec(k);
    return [{ key: `${prefix}${m ? k.slice(0, m.index) : k}`, form: m ? m[1] : '', text: v }];
  });
}

const placeholders = (text: string) => [...text.matchAll(/\{\{\s*([^},\s]+)/g)].map((m) => m[1]);

/** The problems of one file pair, as sentences (empty when the two agree). */
function parityProblems(file: string, en: Tree, zh: Tree): string[] {
  const problems: string[] = [];
  const group = (tree: Tree) => {
    const byKey = new Map<string, { forms: Set<string>; vars: Set<string>; texts: unknown[] }>();
    for (const { key, form, text } of leaves(tree)) {
      const g = byKey.get(key) ?? { forms: new Set<string>(), vars: new Set<string>(), texts: [] };
      g.forms.add(form);
      g.texts.push(text);
      if (typeof text === 'string') for (const v of placeholders(text)) g.vars.add(v);
      byKey.set(key, g);
    }
    return byKey;
  };
  const e = group(en);
  const z = group(zh);
  for (const key of e.keys()) if (!z.has(key)) problems.push(`${file}: ${key} is missing in zh-CN`);
  for (const key of z.keys()) if (!e.has(key)) problems.push(`${file}: ${key} is missing in en`);
  for (const [key, eg] of e) {
    const zg = z.get(key);
    for (const text of [...eg.texts, ...(zg?.texts ?? [])]) {
      if (typeof text !== 'string' || text.trim() === '') problems.push(`${file}: ${key} is not a text`);
    }
    if (!zg) continue;
    // English counts one and other; Chinese has one form (other), or the plain key that i18next falls back to.
    const plural = [...eg.forms, ...zg.forms].some((f) => f !== '');
    if (plural && !(eg.forms.has('one') && eg.forms.has('other')))
      problems.push(`${file}: ${key} needs _one and _other in en`);
    if (plural && !(zg.forms.has('other') || zg.forms.has(''))) problems.push(`${file}: ${key} needs _other in zh-CN`);
    const ev = [...eg.vars].sort().join(', ');
    const zv = [...zg.vars].sort().join(', ');
    if (ev !== zv) problems.push(`${file}: ${key} has placeholders {${ev}} in en but {${zv}} in zh-CN`);
  }
  return problems;
}

const read = (lang: string, file: string): Tree =>
  JSON.parse(fs.readFileSync(path.join(localesDir, lang, file), 'utf8')) as Tree;
const filesOf = (lang: string) =>
  fs
    .readdirSync(path.join(localesDir, lang))
    .filter((f) => f.endsWith('.json'))
    .sort();

describe('zh-CN and en locale files', () => {
  it('are the same files', () => {
    expect(filesOf('en')).toEqual(filesOf('zh-CN'));
    expect(filesOf('zh-CN').length).toBeGreaterThan(20);
  });

  it.each(filesOf('zh-CN'))('%s has the same keys, plural forms and placeholders in both languages', (file) => {
    expect(parityProblems(file, read('en', file), read('zh-CN', file))).toEqual([]);
  });
});

describe('the parity check itself', () => {
  it('finds a missing key at any depth, in either language', () => {
    expect(parityProblems('x.json', { a: { b: 'B', c: 'C' } }, { a: { b: '乙' }, d: '丁' })).toEqual([
      'x.json: a.c is missing in zh-CN',
      'x.json: d is missing in en',
    ]);
  });

  it('finds a missing plural form, and accepts Chinese with one form or the plain key', () => {
    expect(parityProblems('x.json', { n_other: '{{count}} items' }, { n_other: '{{count}} 项' })).toEqual([
      'x.json: n needs _one and _other in en',
    ]);
    expect(parityProblems('x.json', { n_one: 'one', n_other: '{{count}}' }, { n_one: '一项' })).toEqual([
      'x.json: n needs _other in zh-CN',
      'x.json: n has placeholders {count} in en but {} in zh-CN',
    ]);
    expect(
      parityProblems('x.json', { n_one: '{{count}} item', n_other: '{{count}} items' }, { n: '{{count}} 项' }),
    ).toEqual([]);
  });

  it('finds a placeholder that one language lost, and an empty or non-text value', () => {
    expect(parityProblems('x.json', { a: 'Call {{call}} by {{who}}' }, { a: '公告 {{call}}' })).toEqual([
      'x.json: a has placeholders {call, who} in en but {call} in zh-CN',
    ]);
    expect(parityProblems('x.json', { a: '', b: 'B' }, { a: '甲', b: 3 })).toEqual([
      'x.json: a is not a text',
      'x.json: b is not a text',
    ]);
  });
});
