import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', URL: 'readonly', Buffer: 'readonly', AbortController: 'readonly', AbortSignal: 'readonly', TextDecoder: 'readonly', fetch: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    // Tests read JSON documents whose shape they assert on, and look for ANSI escapes.
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off', 'no-control-regex': 'off' },
  },
  {
    // Start-up (bin/apidoctor.js lists every trick): a module that most runs never need is loaded where it
    // is used, with import() or process.getBuiltinModule(), never by a static import, which every start
    // would pay for (the bench's startup and balance rows). Types may be imported: they vanish at build.
    // (no-restricted-syntax, not no-restricted-imports, so that it never overrides an import-direction rule.)
    files: ['src/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "ImportDeclaration[importKind!='type'][source.value=/^(node:)?(https?|http2|tls|crypto|zlib|child_process|dns|dns\\u002Fpromises|vm|v8|readline|inspector)$/]",
          message: "a heavy built-in module: load it where it is used, with process.getBuiltinModule('node:…') (start-up cost)",
        },
        {
          selector: "ImportDeclaration[importKind!='type'][source.value=/^(undici|ora|cosmiconfig|js-yaml|parse-json|import-fresh|typescript)$|vendor\\u002Fundici-slim/]",
          message: 'a package most runs never need: import it where it is used, with await import() (start-up cost)',
        },
      ],
    },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable', __dirname: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off', 'no-redeclare': 'off' },
  },
);
