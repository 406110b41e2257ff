import fs from 'node:fs';
import path from 'node:path';
import { LANGUAGES } from '../../src/web/i18n';
import { actionName, actionSentence, hasActionSentence, sentenceText } from '../../src/modules/audit-trail/labels';
import { RESOLVED_SUBJECT_TYPES } from '../../src/modules/audit-trail/describe';
import { SEALED_LOG_OPENED } from '../../src/audit/sealed';
import { TRANSITIONS } from '../../src/modules/organizations/policy';

/**
 * Every audit action the code base writes must read as a sentence in both languages (issue 9). The
 * actions are collected from the source: each string literal `'word.word'` in the value of an
 * `action:` or in the arguments of one of the modules' small audit helpers. A template literal (`call.${kind}`)
 * must be listed in DYNAMIC with what it expands to, so a new one fails here until it is.
 */
const HELPERS = /\b(bidEvent|audit|amendAudit)\(/g;
const DYNAMIC: Record<string, string[]> = {
  'call.${kind}': ['call.amendment', 'call.deadline_extension'],
  'organization.${decision}': Object.keys(TRANSITIONS).map((d) => `organization.${d}`),
  "objection.${input.decision === 'upheld' ? 'uphold' : 'reject'}": ['objection.uphold', 'objection.reject'],
};

/** The text of an `action:` / `action =` value (up to the next comma, semicolon or closing brace at
 *  its own depth) or of a helper call's arguments (up to its closing parenthesis), over line breaks,
 *  so that a formatter wrapping a call does not hide its action. */
function spanFrom(text: string, start: number, untilClose: boolean): string {
  let depth = 0;
  for (let i = start; i < text.length; i++) {
    const ch = text[i];
    if (ch === "'" || ch === '`' || ch === '"') {
      const end = text.indexOf(ch, i + 1);
      if (end < 0) break;
      i = end;
    } else if ('([{'.includes(ch)) depth++;
    else if (')]}'.includes(ch)) {
      if (depth === 0) return text.slice(start, i);
      depth--;
      if (untilClose && depth === 0) return text.slice(start, i);
    } else if (!untilClose && depth === 0 && (ch === ',' || ch === ';')) return text.slice(start, i);
  }
  return text.slice(start);
}

function collect(): { actions: Set<string>; subjectTypes: Set<string>; unknownTemplates: string[] } {
  const actions = new Set<string>([SEALED_LOG_OPENED]);
  const subjectTypes = new Set<string>();
  const unknownTemplates: string[] = [];
  const read = (span: string, p: string) => {
    for (const m of span.matchAll(/'([a-z][a-z_]*(?:\.[a-z][a-z_]*)+)'/g)) actions.add(m[1]);
    for (const m of span.matchAll(/`([a-z][a-z_]*\.\$\{[^`]*\})`/g)) {
      if (DYNAMIC[m[1]]) DYNAMIC[m[1]].forEach((a) => actions.add(a));
      else unknownTemplates.push(`${m[1]} in ${p}`);
    }
  };
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (p.endsWith('.ts')) {
        const text = fs.readFileSync(p, 'utf8');
        for (const m of text.matchAll(/subjectType:\s*'([a-z_]+)'/g)) subjectTypes.add(m[1]);
        for (const m of text.matchAll(/\baction\s*(?::|=(?!=))/g))
          read(spanFrom(text, m.index + m[0].length, false), p);
        for (const m of text.matchAll(HELPERS)) read(spanFrom(text, m.index + m[0].length - 1, true), p);
      }
    }
  };
  walk(path.join(__dirname, '../../src'));
  walk(path.join(__dirname, '../../seeds'));
  return { actions, subjectTypes, unknownTemplates };
}

const { actions, subjectTypes, unknownTemplates } = collect();

describe('audit action sentences', () => {
  it('finds the actions the services write (the scan itself works)', () => {
    for (const a of [
      'auth.sign_in',
      'auth.sign_in_failed',
      'call.publish',
      'call.amendment',
      'contract.amend.accept',
      'bid.submit',
      'organization.approve',
      'objection.uphold',
      'funds.allocate',
      'audit.export',
      'audit.sealed_log_opened',
      'demo.seed',
    ]) {
      expect(actions).toContain(a);
    }
    expect(actions.size).toBeGreaterThan(80);
  });

  it('knows what every template literal action expands to', () => {
    expect(unknownTemplates).toEqual([]);
  });

  it.each(LANGUAGES)('has a sentence for every action in %s, naming the actor', (lang) => {
    const missing = [...actions].filter((a) => !hasActionSentence(a, lang)).sort();
    expect(missing).toEqual([]);
    for (const a of actions) {
      expect(actionSentence(a, lang).some((p) => 'slot' in p && p.slot === 'actor')).toBe(true);
      expect(actionName(a, lang)).not.toMatch(/\{\{/);
    }
  });

  it('puts the names into the sentence', () => {
    expect(sentenceText('call.publish', 'zh-CN', '王主管', '《养老服务》')).toBe(
      '王主管 发布了项目公告 《养老服务》 并预留了资金',
    );
    expect(sentenceText('call.publish', 'en', 'Wang', '“Care”')).toBe(
      'Wang published the call “Care” and reserved its funds',
    );
    expect(actionName('call.publish', 'zh-CN')).toBe('发布了项目公告 … 并预留了资金');
  });

  it('names the subject of every subject type the code base writes', () => {
    const unnamed = [...subjectTypes].filter(
      (t) => !RESOLVED_SUBJECT_TYPES.includes(t) && !['system', 'audit_trail'].includes(t),
    );
    expect(unnamed).toEqual([]);
  });
});
