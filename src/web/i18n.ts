import fs from 'node:fs';
import path from 'node:path';
import i18next, { type TFunction } from 'i18next';
import { rootDir } from '../config';

export const LANGUAGES = ['zh-CN', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];
export const DEFAULT_LANGUAGE: Language = 'zh-CN';

/** locales/<lang>/<module>.json, each file a top-level namespace-like key: t('accounts.users.title'). */
function loadResources(): Record<string, { translation: Record<string, unknown> }> {
  const resources: Record<string, { translation: Record<string, unknown> }> = {};
  for (const lang of LANGUAGES) {
    const dir = path.join(rootDir, 'locales', lang);
    const translation: Record<string, unknown> = {};
    for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.json'))) {
      translation[file.replace(/\.json$/, '')] = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
    }
    resources[lang] = { translation };
  }
  return resources;
}

const instance = i18next.createInstance();
void instance.init({
  resources: loadResources(),
  lng: DEFAULT_LANGUAGE,
  fallbackLng: DEFAULT_LANGUAGE,
  supportedLngs: [...LANGUAGES],
  initAsync: false,
  // EJS escapes on output (<%= %>), so i18next must not escape a second time.
  interpolation: { escapeValue: false },
  returnNull: false,
});

export function isLanguage(value: unknown): value is Language {
  return typeof value === 'string' && (LANGUAGES as readonly string[]).includes(value);
}

/** Plain texts (a key without options) remembered per language, at most this many: the pages ask
 *  for the same labels on every request, and i18next's lookup was 18 % of a page's CPU under load
 *  (bench/README.md). Bounded, so that keys built from data cannot grow it without end. */
const PLAIN_TEXTS_KEPT = 10_000;
const translators = new Map<Language, TFunction>();

export function translator(lang: Language): TFunction {
  const known = translators.get(lang);
  if (known) return known;
  const fixed = instance.getFixedT(lang);
  const call = fixed as unknown as (...args: unknown[]) => string;
  const plain = new Map<string, string>();
  const t = ((key: unknown, ...rest: unknown[]) => {
    if (rest.length || typeof key !== 'string') return call(key, ...rest);
    let text = plain.get(key);
    if (text === undefined) {
      text = call(key);
      if (plain.size < PLAIN_TEXTS_KEPT) plain.set(key, text);
    }
    return text;
  }) as unknown as TFunction;
  translators.set(lang, t);
  return t;
}

export function hasKey(key: string, lang: Language = DEFAULT_LANGUAGE): boolean {
  return instance.exists(key, { lng: lang });
}
