import fs from 'node:fs';
import path from 'node:path';

// The first words of what must never reach a reader: an i18n key (its namespace: a locale file's
// name, `dashboard.queue.title`) or an audit action code (`call.publish`, `auth.sign_in`).
const localeDir = path.join(__dirname, '../../locales/zh-CN');
const CODE_PREFIXES = new Set([
  ...fs
    .readdirSync(localeDir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.replace(/\.json$/, '')),
  ...Object.keys(JSON.parse(fs.readFileSync(path.join(localeDir, 'auditTrail.json'), 'utf8')).actions).map(
    (a) => a.split('.')[0],
  ),
]);
const FILE_NAME = /\.(pdf|xlsx|csv|json|png|jpe?g|txt|zip|docx?)$/i;

/** The `word.word` codes and keys in a text: dotted lower-case words that start with a namespace or an
 *  action's first word, not part of an address, a path or a file name. Usernames (`org.anxin`) pass. */
export function rawCodes(text: string): string[] {
  const found = new Set<string>();
  for (const m of text.matchAll(/(?<![\w@./:-])([a-z][a-z0-9_]*)((?:\.[a-zA-Z_][a-zA-Z0-9_]*)+)(?![\w@/-]|\.\w)/g)) {
    if (CODE_PREFIXES.has(m[1]) && !FILE_NAME.test(m[0])) found.add(m[0]);
  }
  return [...found];
}
