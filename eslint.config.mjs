// @ts-check
// One lint setup for every workspace: typescript-eslint's type-aware recommended rules, with
// formatting left to Prettier (eslint-config-prettier turns off the rules that would fight it).
import eslint from '@eslint/js';
import prettier from 'eslint-config-prettier';
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
