// Start-up trick: `apidoctor --version` and `apidoctor --help` alone are answered by bin/apidoctor.js from
// dist/fast.json without loading the CLI. Measured back to back (CPU time of the process, as a ratio to
// `node -e 0`): 0.96–1.05× with it on Node 20, 22, 24 and 26; 1.38–1.57× without it (the CLI loaded, even
// with Node's compile cache), past the 1.3× budget of the bench's startup rows. The text is taken from the
// real program for each of the 301 help widths commander can lay out (a terminal wider falls back to the
// CLI), so it cannot drift; test/e2e/fast-path.test.ts compares it with commander's output.
import { build } from 'esbuild';
import { rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/** Help widths precomputed; a terminal wider than this falls back to commander itself. */
const MAX_WIDTH = 300;

/**
 * Runs main() in this process with stdout faked as a terminal of `width` columns (undefined: not a
 * terminal), which is all commander looks at to lay out help.
 */
async function capture(main, args, width) {
  const saved = {
    isTTY: Object.getOwnPropertyDescriptor(process.stdout, 'isTTY'),
    columns: Object.getOwnPropertyDescriptor(process.stdout, 'columns'),
  };
  Object.defineProperty(process.stdout, 'isTTY', { value: width !== undefined, configurable: true, writable: true });
  Object.defineProperty(process.stdout, 'columns', { value: width, configurable: true, writable: true });
  let out = '';
  let err = '';
  try {
    const code = await main(args, {
      // The width as the CLI reads it when stdout is not a terminal (help follows the width of the rest of the output).
      env: width !== undefined ? { COLUMNS: String(width) } : {},
      cwd: process.cwd(),
      stdout: { write: (s) => ((out += s), true), isTTY: false },
      stderr: { write: (s) => ((err += s), true), isTTY: false },
      stdin: process.stdin,
      signal: new AbortController().signal,
    });
    if (code !== 0 || err !== '') throw new Error(`apidoctor ${args.join(' ')} (width ${width}) exited ${code}: ${err}`);
    return out;
  } finally {
    for (const [k, d] of Object.entries(saved)) {
      if (d) Object.defineProperty(process.stdout, k, d);
      else delete process.stdout[k];
    }
  }
}

/**
 * Writes dist/fast.json: `--version` and `--help` as the real program prints them (src/entry/cli.ts main(),
 * bundled to a temporary file with `options`), for every help width, for bin/apidoctor.js to answer
 * without loading the CLI.
 */
export async function writeFastAnswers(options) {
  // Inside dist/ so that the external packages resolve as they do for dist/run.cjs; removed below.
  const tmp = new URL('../../dist/.fast-gen/', import.meta.url);
  try {
    const file = new URL('cli.cjs', tmp);
    await build({ ...options, entryPoints: ['src/entry/cli.ts'], outfile: file.pathname });
    const { main } = createRequire(import.meta.url)(file.pathname);

    const version = await capture(main, ['--version'], undefined);
    if ((await capture(main, ['-V'], undefined)) !== version) throw new Error('-V and --version differ');

    const lines = [];
    const lineIndex = new Map();
    const variants = [];
    const variantIndex = new Map();
    const encode = (text) => {
      let v = variantIndex.get(text);
      if (v === undefined) {
        const ids = text.split('\n').map((l) => {
          let i = lineIndex.get(l);
          if (i === undefined) lineIndex.set(l, (i = lines.push(l) - 1));
          return i;
        });
        variantIndex.set(text, (v = variants.push(ids) - 1));
      }
      return v;
    };
    // byWidth[w] is the help for commander's help width w (a terminal of w columns); not a terminal means 80.
    const byWidth = [];
    for (let w = 0; w <= MAX_WIDTH; w++) {
      const text = await capture(main, ['--help'], w);
      if ((await capture(main, ['-h'], w)) !== text) throw new Error(`-h and --help differ at width ${w}`);
      byWidth.push(encode(text));
    }
    if ((await capture(main, ['--help'], undefined)) !== (await capture(main, ['--help'], 80)))
      throw new Error('help without a terminal is not the 80-column help');
    writeFileSync(new URL('../../dist/fast.json', import.meta.url), JSON.stringify({ version, help: { lines, variants, byWidth } }));
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
