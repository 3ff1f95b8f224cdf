// @ts-check
// One lint setup for every workspace: typescript-eslint's type-aware recommended rules, with
// formatting left to Prettier (eslint-config-prettier turns off the rules that would fight it), and the
// house rules that keep the layout as it is: no import circle, short functions, test helpers for tests.
import eslint from '@eslint/js';
import prettier from 'eslint-config-prettier';
import house from './eslint/no-import-cycle.mjs';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  // test/fresh-app is an app outside the workspace, compiled by its own tsconfig inside the package's pack test.
  { ignores: ['**/dist/', '**/node_modules/', '**/coverage/', '.keys/', '.logs/', 'packages/keys/test/fresh-app/'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
  },
  {
    files: ['**/*.ts'],
    plugins: { house },
    rules: {
      // An import circle inside a package, types included: each file's imports point one way.
      'house/no-import-cycle': 'error',
      // A function over 80 lines is several steps with one name: give each step its own.
      'max-lines-per-function': ['error', { max: 80, skipBlankLines: true, skipComments: true, IIFEs: true }],
      // A testing entry serves specs: code that runs for users imports what it needs from a package of its own.
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: '^@jwt-blast-radius/[^/]+/testing$', message: 'testing entries are for specs and other testing entries' },
            // Vulnerable-by-design code runs as a process of its own: nothing imports it.
            { regex: '(^|/)vulnerable/', message: 'vulnerable-by-design code is started as a process, never imported' },
          ],
        },
      ],
    },
  },
  {
    // Specs are tables of cases inside describe blocks; testing entries are the specs' own helpers.
    files: ['**/*.spec.ts', '**/*.e2e-spec.ts', '**/src/testing/**/*.ts'],
    rules: { 'max-lines-per-function': 'off', 'no-restricted-imports': 'off' },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: { module: 'writable', require: 'readonly', __dirname: 'readonly', process: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // supertest types a response body as any: tests read it as the JSON they expect.
    files: ['**/*.spec.ts', '**/*.e2e-spec.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
    },
  },
  prettier,
);
