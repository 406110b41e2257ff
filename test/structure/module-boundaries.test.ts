import path from 'node:path';
import { ESLint } from 'eslint';

/** The lint rule of eslint.config.js that keeps every module behind its index.ts: proven here on
 *  made-up files, so that a change to the config that silently stops refusing is caught. */
const root = path.join(__dirname, '..', '..');
// The config is handed over rather than looked up: ESLint loads config files with a dynamic import,
// which jest's module sandbox does not allow.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const eslint = new ESLint({ cwd: root, overrideConfigFile: true, overrideConfig: require('../../eslint.config.js') });

async function messagesFor(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
  return result.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('module boundaries (no-restricted-imports)', () => {
  jest.setTimeout(30_000);

  it.each([
    ['src/modules/calls/example.ts', "import { reserveForCall } from '../funds/reservations';\nreserveForCall;\n"],
    ['src/modules/awards/example.ts', "import { findCallRow } from '../calls/queries';\nfindCallRow;\n"],
    [
      'src/modules/contracts/handlers/example.ts',
      "import { canManageCall } from '../../calls/policy';\ncanManageCall;\n",
    ],
    [
      'src/modules/organizations/example.ts',
      "import { createUserSchema } from '../accounts/schemas';\ncreateUserSchema;\n",
    ],
  ])('%s may not reach into another module: %s', async (file, code) => {
    const messages = await messagesFor(file, code);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(/index\.ts/);
  });

  it.each([
    ['src/modules/calls/example.ts', "import { reserveForCall } from '../funds';\nreserveForCall;\n"],
    ['src/modules/calls/example.ts', "import { reserveForCall } from '../funds/index';\nreserveForCall;\n"],
    ['src/modules/calls/example.ts', "import type { Role } from '../accounts/roles';\nexport type R = Role;\n"],
    ['src/modules/calls/example.ts', "import { findCallRow } from './queries';\nfindCallRow;\n"],
    ['src/modules/contracts/handlers/example.ts', "import { x } from '../service/amendments';\nx;\n"],
    ['src/modules/contracts/handlers/example.ts', "import { y } from '../queries';\ny;\n"],
  ])('%s may use another module through its index, or its own files: %s', async (file, code) => {
    expect(await messagesFor(file, code)).toEqual([]);
  });
});
