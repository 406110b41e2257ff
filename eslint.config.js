const js = require('@eslint/js');
const tseslint = require('typescript-eslint');
const fs = require('node:fs');
const path = require('node:path');

// Every module is used by the others only through its index.ts (and the shared role definitions):
// a file of module A that imports another module's queries, service, policy or schemas is refused,
// so each module's interface is the one list in its index.ts. One config block per module, since a
// relative path alone cannot tell a module's own sub-folder from another module.
const MODULES_DIR = path.join(__dirname, 'src', 'modules');
const modules = fs.readdirSync(MODULES_DIR).filter((name) => fs.statSync(path.join(MODULES_DIR, name)).isDirectory());
const OPEN_FILES = ['index', 'roles'];
const moduleBoundaries = modules.map((own) => ({
  files: [`src/modules/${own}/**/*.ts`],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          {
            group: modules
              .filter((other) => other !== own)
              .flatMap((other) =>
                ['../', '../../', '../../../'].flatMap((up) => [
                  `${up}${other}/*`,
                  ...OPEN_FILES.map((open) => `!${up}${other}/${open}`),
                ]),
              ),
            message: "Use the other module's index.ts: its interface lists what other modules may use.",
          },
        ],
      },
    ],
  },
}));

module.exports = tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'data/**', 'uploads/**', 'public/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  ...moduleBoundaries,
  {
    files: ['*.js'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { module: 'writable', require: 'readonly', __dirname: 'readonly', process: 'readonly' },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
