import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import patrimoine from './eslint/boundaries.js';

export default tseslint.config(
  { ignores: ['**/node_modules/**', 'web/dist/**', 'web/public/**', '.data/**', '.vitest-tmp/**', 'server/src/db/migrations/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    plugins: { patrimoine },
    rules: {
      'patrimoine/boundaries': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
);
