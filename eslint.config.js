import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * The layers of src/, lowest first (ARCHITECTURE.md). A folder imports only from the layers below its own: never
 * from its own layer's other folders, never from above. entry/ (the CLI's start: cli.ts, run.ts, argv.ts,
 * make-context.ts) is the top; src/lib.ts (the library's entry) stands beside it. src/vendor/ may be imported
 * from anywhere. The one exception: logs/ (explain's log reading, a command body) uses the command contract's
 * types from commands/context.ts, which imports types only.
 */
export const LAYERS = [
  ['core', 'vendor'],
  ['config', 'http'],
  ['diagnosis'],
  ['readers'],
  ['api'],
  ['checks'],
  ['render'],
  ['logs'],
  ['commands'],
  ['entry'],
];
const ENTRY = ['lib'];
const EXCEPTIONS = { logs: ['../commands/context.js'] };

/**
 * Start-up (bin/apidoctor.js lists every trick): a module that most runs never need is loaded where it is
 * used, with import() or process.getBuiltinModule(), never by a static import, which every start would pay
 * for (the bench's startup and balance rows). Types may be imported: they vanish at build. These selectors
 * join each folder's own no-restricted-syntax entries (a later block's rule would replace an earlier one's).
 */
const HEAVY = [
  {
    selector:
      "ImportDeclaration[importKind!='type'][source.value=/^(node:)?(https?|http2|tls|crypto|zlib|child_process|dns|dns\\u002Fpromises|vm|v8|readline|inspector)$/]",
    message: "a heavy built-in module: load it where it is used, with process.getBuiltinModule('node:…') (start-up cost)",
  },
  {
    selector:
      "ImportDeclaration[importKind!='type'][source.value=/^(undici|ora|cosmiconfig|js-yaml|parse-json|import-fresh|typescript)$|vendor\\u002Fundici-slim/]",
    message: 'a package most runs never need: import it where it is used, with await import() (start-up cost)',
  },
];

/**
 * One command shape (ARCHITECTURE.md): a command body returns its result and a reporter (src/render/) makes the
 * text that main() has the Output write. A body writes only what it says while it runs: out.progress(),
 * spinner(), debug(), a streamed body (outChunk).
 */
const NO_PRINTING = [
  {
    selector:
      "CallExpression[callee.type='MemberExpression'][callee.property.name=/^(out|err|warn|jsonDocument)$/]:not([callee.object.property.name='style'])",
    message:
      'a command body does not print: return the view and a reporter (src/render/); what it says while it runs goes through out.progress() (ARCHITECTURE.md)',
  },
];

/** no-restricted-imports (static) and no-restricted-syntax (import()) for each folder of src/. */
function layerRules() {
  return LAYERS.flatMap((group, level) =>
    group.map((folder) => {
      const below = LAYERS.slice(0, level).flat();
      const banned = LAYERS.slice(level)
        .flat()
        .filter((f) => f !== folder && f !== 'vendor');
      const message = `src/${folder}/ may import only from ${below.length ? below.map((f) => `src/${f}/`).join(', ') : 'node: modules and packages'} (the layer order in ARCHITECTURE.md and eslint.config.js)`;
      const patterns = [
        ...banned.map((f) => `../${f}/*`),
        ...ENTRY.map((f) => `../${f}.js`),
        ...(EXCEPTIONS[folder] ?? []).map((e) => `!${e}`),
      ];
      const dynamic = `^\\.\\.\\/(${[...banned, ...ENTRY.map((f) => `${f}\\.js$`)].join('|')})`;
      return {
        files: [`src/${folder}/**/*.ts`],
        rules: {
          'no-restricted-imports': ['error', { patterns: [{ group: patterns, message }] }],
          'no-restricted-syntax': [
            'error',
            { selector: `ImportExpression[source.value=/${dynamic}/]`, message },
            ...HEAVY,
            ...(folder === 'commands' ? NO_PRINTING : []),
          ],
        },
      };
    }),
  );
}

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        URL: 'readonly',
        Buffer: 'readonly',
        AbortController: 'readonly',
        AbortSignal: 'readonly',
        TextDecoder: 'readonly',
        fetch: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  ...layerRules(),
  {
    // Tests read JSON documents whose shape they assert on, and look for ANSI escapes.
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off', 'no-control-regex': 'off' },
  },
  {
    // Start-up: the `performance` global loads perf_hooks and eight modules behind it on first use (Node 20);
    // durations use core/clock.ts.
    files: ['src/**/*.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'performance', property: 'now', message: 'Use nowMs() from src/core/clock.ts: `performance` loads perf_hooks at start.' },
      ],
    },
  },
  {
    // The files outside the layer folders (src/lib.ts) keep the start-up rule too.
    files: ['src/*.ts'],
    rules: { 'no-restricted-syntax': ['error', ...HEAVY] },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable', __dirname: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off', 'no-redeclare': 'off' },
  },
);
