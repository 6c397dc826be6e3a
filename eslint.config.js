// Lint rules that hold the architecture of DESIGN §1 by construction; each message says why.
import globals from 'globals';
import tseslint from 'typescript-eslint';

const BROWSER_GLOBALS = ['chrome', 'browser', 'window', 'document', 'navigator', 'localStorage', 'XMLHttpRequest'];

export default tseslint.config(
  { ignores: ['dist/**', 'dist-test/**', 'node_modules/**', 'test-results/**', 'bench/out/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'webextension-polyfill',
              message: 'Import `browser` from src/platform/browser.ts: the polyfill is used in src/platform only, so browser quirks stay in one place (DESIGN §1).',
            },
          ],
        },
      ],
    },
  },
  {
    // Header values from any server on the web are shown in privileged extension pages: they are
    // rendered as text, never parsed as HTML.
    files: ['src/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-syntax': [
        'error',
        { selector: "JSXAttribute[name.name='dangerouslySetInnerHTML']", message: 'Never render HTML from data: header values are untrusted (issue 7). Render text nodes.' },
        { selector: "AssignmentExpression[left.property.name=/^(innerHTML|outerHTML)$/]", message: 'Never assign innerHTML/outerHTML: header values are untrusted. Use textContent or Preact text nodes.' },
        { selector: "CallExpression[callee.property.name='insertAdjacentHTML']", message: 'Never insert HTML: header values are untrusted.' },
        { selector: "CallExpression[callee.name='eval'], NewExpression[callee.name='Function']", message: 'No eval/new Function: MV3 forbids it and header values are untrusted.' },
      ],
    },
  },
  {
    // typescript-eslint turns `no-undef` off (tsc checks .ts), which left the scripts, benches and
    // test harnesses in plain JS unchecked: an undefined name in bench/capture.mjs broke the
    // Firefox capture benchmark unnoticed (2026-12-02). Node globals, plus the page's for the
    // callbacks these scripts hand to a browser (page.evaluate, the playground page).
    files: ['**/*.{js,mjs,cjs}'],
    languageOptions: { globals: { ...globals.node, ...globals.browser, chrome: 'readonly', browser: 'readonly' } },
    rules: { 'no-undef': 'error' },
  },
  {
    files: ['src/platform/**'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    files: ['src/core/**'],
    ignores: ['src/core/**/*.test.ts'],
    rules: {
      'no-restricted-globals': [
        'error',
        ...BROWSER_GLOBALS.map((name) => ({
          name,
          message: `src/core is the pure engine: it must run under plain Node (the CLI) and in every browser, so \`${name}\` is not available here. Convert browser data in src/platform (DESIGN §1).`,
        })),
      ],
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['webextension-polyfill', 'preact', 'preact/*', 'node:*', '../platform/*', '../background/*', '../devtools/*', '../popup/*', '../shared/*', '../cli/*'],
              message: 'src/core imports nothing outside src/core: no browser API, no DOM, no Preact, no Node built-in (DESIGN §1).',
            },
          ],
        },
      ],
    },
  },
);
