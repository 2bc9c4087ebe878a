// ESLint (flat config): the Nest CLI's default pairing, typescript-eslint's recommended rules plus
// eslint-config-prettier (formatting is Prettier's job, see .prettierrc.json). `npm run lint`.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      '.stack/**',
      'reports/**',
      'coverage/**',
      'bench/results/**',
      '.venv-fuzz/**',
      'stack/ferretdb/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      // `_`-prefixed names are deliberately unused (callback positions, destructuring).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
    },
  },
  {
    // Node scripts and the stack are CommonJS.
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    // `const crypto = require('node:crypto')` is a module binding, not a redeclared global.
    rules: { '@typescript-eslint/no-require-imports': 'off', 'no-redeclare': ['error', { builtinGlobals: false }] },
  },
  {
    // The inbox page runs in the browser.
    files: ['apps/notifications/web/**'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    // Tests, benchmarks and their support code handle untyped JSON answers and fixtures.
    files: ['test/**', 'bench/**', '**/*.spec.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);
