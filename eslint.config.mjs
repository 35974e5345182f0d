// Lint rules: typescript-eslint's recommended set, plus the project's few house rules.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import featureBoundaries from './eslint/feature-boundaries.mjs';

export default tseslint.config(
  // clients/typescript/src is generated (npm run client:generate): the type checker and its tests check it.
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'bench/results/**', 'clients/typescript/src/**', 'clients/typescript/dist/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', require: 'readonly', module: 'writable', __dirname: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', setImmediate: 'readonly', fetch: 'readonly', AbortSignal: 'readonly', URL: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-require-imports': 'off',
      'no-console': ['error', { allow: ['error'] }],
    },
  },
  {
    // One owner per table: a feature reaches another's data only through its exported services
    // (eslint/feature-boundaries.mjs; the feature map is docs/architecture.md).
    files: ['src/**/*.ts'],
    ignores: ['src/**/*.spec.ts'],
    plugins: { features: featureBoundaries },
    rules: { 'features/no-foreign-data': 'error' },
  },
  {
    // The dashboard runs in the browser: its globals, not Node's.
    files: ['dashboard/**/*.{ts,tsx,mts}'],
    languageOptions: { globals: { window: 'readonly', document: 'readonly', location: 'readonly', history: 'readonly', sessionStorage: 'readonly', addEventListener: 'readonly', ResizeObserver: 'readonly', HTMLElement: 'readonly', HTMLDialogElement: 'readonly', HTMLInputElement: 'readonly', HTMLSelectElement: 'readonly', HTMLTextAreaElement: 'readonly', HTMLDivElement: 'readonly', HTMLAnchorElement: 'readonly', MouseEvent: 'readonly', Event: 'readonly', Response: 'readonly', URLSearchParams: 'readonly' } },
  },
  {
    files: ['**/*.spec.ts', 'test/**/*.ts', 'scripts/**/*.ts', 'bench/**/*.ts'],
    rules: { 'no-console': 'off', '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);
