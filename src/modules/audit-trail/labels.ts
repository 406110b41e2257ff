import fs from 'node:fs';
import path from 'node:path';
import { rootDir } from '../../config';
import { LANGUAGES, type Language } from '../../web/i18n';

/**
 * The sentence of every audited action, in both languages: `auditTrail.actions` in
 * locales/<lang>/auditTrail.json, a flat map from the action code (`call.publish`) to a sentence
 * with `{{actor}}` and `{{subject}}` ("{{actor}} 发布了项目公告 {{subject}}"). Read here rather than
 * through i18next, whose key separator is the dot the codes contain. test/audit/action-labels.test.ts
 * collects the actions the code base writes and fails when one has no sentence in either language.
 */
type Sentences = Record<string, string>;
const sentences: Record<Language, Sentences> = Object.fromEntries(
  LANGUAGES.map((lang) => {
    const file = JSON.parse(fs.readFileSync(path.join(rootDir, 'locales', lang, 'auditTrail.json'), 'utf8')) as {
      actions?: Sentences;
    };
    return [lang, file.actions ?? {}];
  }),
) as Record<Language, Sentences>;

export function hasActionSentence(action: string, lang: Language): boolean {
  return Object.prototype.hasOwnProperty.call(sentences[lang], action);
}

export function knownActions(): string[] {
  return Object.keys(sentences['zh-CN']).sort();
}

/** A sentence in parts, so a view can put links where actor and subject stand (each part escaped). */
export type SentencePart = { text: string } | { slot: 'actor' | 'subject' };

export function actionSentence(action: string, lang: Language): SentencePart[] {
  const template = sentences[lang][action];
  // An action nobody labelled yet (the test fails on it) still reads, with its code.
  if (!template) return [{ slot: 'actor' }, { text: ` · ${action} · ` }, { slot: 'subject' }];
  return template
    .split(/(\{\{actor\}\}|\{\{subject\}\})/)
    .filter((p) => p !== '')
    .map((p) =>
      p === '{{actor}}' ? { slot: 'actor' as const } : p === '{{subject}}' ? { slot: 'subject' as const } : { text: p },
    );
}

/** The action without its actor, the subject left as "…": "发布了项目公告 … 并预留了资金", for the filter's list. */
export function actionName(action: string, lang: Language): string {
  const template = sentences[lang][action];
  if (!template) return action;
  return template
    .replace(/\{\{actor\}\}/g, '')
    .replace(/\{\{subject\}\}/g, '…')
    .replace(/（\s*）|\(\s*\)/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}

/** The sentence as plain text (CSV): the names put in. */
export function sentenceText(action: string, lang: Language, actor: string, subject: string): string {
  return actionSentence(action, lang)
    .map((p) => ('text' in p ? p.text : p.slot === 'actor' ? actor : subject))
    .join('')
    .replace(/\s+/g, ' ')
    .trim();
}
