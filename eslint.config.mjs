import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const nodeGlobals = {
  process: 'readonly',
  console: 'readonly',
  __dirname: 'readonly',
  require: 'readonly',
  module: 'writable',
  Buffer: 'readonly',
};

export default tseslint.config(
  { ignores: ['node_modules/', 'data/', 'coverage/', 'test-results/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: nodeGlobals },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-control-regex': 'off',
    },
  },
  // Layers: every import points down. The lifecycle is pure (xstate only); the kernel (core),
  // mail and letters never reach up into the services; the services never reach the web or the API.
  {
    files: ['src/workflow/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ regex: '^(?!xstate(/|$)|\\./)', message: 'The lifecycle machine imports only xstate.' }] },
      ],
    },
  },
  {
    files: ['src/core/**/*.ts', 'src/mail/**/*.ts', 'src/letters/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '(^|/)(services|recommendations/service|recommendations/themeTags|web|api)(/|$)',
              message: 'core, mail and letters sit below the services: they never import them.',
            },
          ],
        },
      ],
    },
  },
  {
    files: [
      'src/services/**/*.ts',
      'src/recommendations/**/*.ts',
      'src/clocks/**/*.ts',
      'src/distribution/**/*.ts',
      'src/qa/**/*.ts',
      'src/intake/**/*.ts',
    ],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [{ regex: '(^|/)(web|api)(/|$)', message: 'The services never import the web pages or the API.' }],
        },
      ],
    },
  },
  {
    files: ['**/*.js'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // The pages' own script runs in the browser, as a module.
    files: ['src/web/static/**/*.js'],
    languageOptions: {
      sourceType: 'module',
      globals: {
        document: 'readonly',
        window: 'readonly',
        fetch: 'readonly',
        URLSearchParams: 'readonly',
        setInterval: 'readonly',
        HTMLDialogElement: 'readonly',
      },
    },
  },
);
