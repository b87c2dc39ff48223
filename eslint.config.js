import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * The layers of src/, lowest first (ARCHITECTURE.md). A folder imports only from the layers below its own: never
 * from its own layer's other folders, never from above, never from the entry files at src/ (cli.ts, run.ts, lib.ts,
 * make-context.ts). src/esm.ts and src/version.ts (import nothing, build-time glue) and src/vendor/ may be
 * imported from anywhere. The one exception: logs/ (explain's log reading, a command body) uses the command
 * contract's types from commands/context.ts, which imports types only.
 */
export const LAYERS = [['core', 'vendor'], ['config', 'http'], ['diagnosis'], ['readers'], ['api'], ['checks'], ['render'], ['logs'], ['commands']];
const ENTRY = ['cli', 'run', 'lib', 'make-context'];
const EXCEPTIONS = { logs: ['../commands/context.js'] };

/** no-restricted-imports (static) and no-restricted-syntax (import()) for each folder of src/. */
function layerRules() {
  return LAYERS.flatMap((group, level) =>
    group.map((folder) => {
      const below = LAYERS.slice(0, level).flat();
      const banned = LAYERS.slice(level).flat().filter((f) => f !== folder && f !== 'vendor');
      const message = `src/${folder}/ may import only from ${below.length ? below.map((f) => `src/${f}/`).join(', ') : 'node: modules and packages'} (the layer order in ARCHITECTURE.md and eslint.config.js)`;
      const patterns = [...banned.map((f) => `../${f}/*`), ...ENTRY.map((f) => `../${f}.js`), ...(EXCEPTIONS[folder] ?? []).map((e) => `!${e}`)];
      const dynamic = `^\\.\\.\\/(${[...banned, ...ENTRY.map((f) => `${f}\\.js$`)].join('|')})`;
      return {
        files: [`src/${folder}/**/*.ts`],
        rules: {
          'no-restricted-imports': ['error', { patterns: [{ group: patterns, message }] }],
          'no-restricted-syntax': ['error', { selector: `ImportExpression[source.value=/${dynamic}/]`, message }],
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
    languageOptions: { globals: { process: 'readonly', console: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', URL: 'readonly', Buffer: 'readonly', AbortController: 'readonly', AbortSignal: 'readonly', TextDecoder: 'readonly', fetch: 'readonly' } },
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
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable', __dirname: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off', 'no-redeclare': 'off' },
  },
);
