// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

/** Files of electron/ allowed to import `electron`: the thin shell. Everything else must run under plain Node. */
const ELECTRON_SHELL = ['electron/shell/**'];

const RENDERER_ONLY_COMMON = 'renderer/ may import common/ only; it talks to the main process through window.klaxon.';

const noImport = (/** @type {string[]} */ groups, /** @type {string} */ message) => ({
  'no-restricted-imports': ['error', { patterns: [{ group: groups, message }] }],
});

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      'dist/**',
      'release/**',
      '.test-results/**',
      'test-results/**',
      'playwright-report/**',
      'build/**/*.cjs',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      '@typescript-eslint/consistent-type-imports': 'off',
      'no-control-regex': 'off',
    },
  },
  // The architecture's one rule: server/, electron/, renderer/ meet only in common/.
  // Folders reach each other through the package.json import aliases (#common/…, #server/…); a
  // relative path into another top-level folder is refused too, so the rule cannot be side-stepped.
  // The patterns use gitignore syntax, where a leading # starts a comment: hence '\\#'.
  {
    files: ['common/**'],
    rules: noImport(
      ['electron', '\\#*', '../**', 'node:*', 'fastify*', 'react*'],
      'common/ is the contract: zod only.',
    ),
  },
  {
    files: ['server/**'],
    rules: noImport(
      [
        'electron',
        '\\#electron/*',
        '\\#renderer/*',
        '\\#dev/*',
        '\\#test/*',
        '**/electron/**',
        '**/renderer/**',
        '**/dev/**',
      ],
      'server/ may import common/ only (plus its own files).',
    ),
  },
  {
    files: ['renderer/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['\\#server/*', '\\#electron/*', '\\#dev/*', '\\#test/*', '**/server/**', '**/dev/**', 'node:*'],
              message: RENDERER_ONLY_COMMON,
            },
            {
              // `electron` and any path through an electron/ folder; the one exception is the Sentry
              // SDK's renderer half, browser code that imports no `electron` (renderer/error-reports/).
              regex: '^(?!@sentry/electron/renderer$)(.*/)?electron(/.*)?$',
              message: RENDERER_ONLY_COMMON,
            },
          ],
        },
      ],
    },
  },
  {
    files: ['electron/**'],
    ignores: ELECTRON_SHELL,
    rules: noImport(
      [
        'electron',
        '\\#server/*',
        '\\#renderer/*',
        '\\#dev/*',
        '\\#test/*',
        '**/server/**',
        '**/renderer/**',
        '**/dev/**',
      ],
      'Only electron/shell/ may import electron; decisions live in Electron-free modules. electron/ may import common/ only.',
    ),
  },
  {
    files: ELECTRON_SHELL,
    rules: noImport(
      ['\\#server/*', '\\#renderer/*', '\\#dev/*', '\\#test/*', '**/server/**', '**/renderer/**', '**/dev/**'],
      'electron/ may import common/ only.',
    ),
  },
  {
    files: ['dev/**'],
    rules: noImport(
      ['electron', '\\#electron/*', '\\#renderer/*', '\\#test/*', '**/electron/**', '**/renderer/**'],
      'dev/ may import common/ and server/ only.',
    ),
  },
);
