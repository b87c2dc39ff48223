/** A command body prints nothing (ARCHITECTURE.md, "One command shape"): eslint (NO_PRINTING in eslint.config.js) fails a print in src/commands/. */
import { resolve } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const eslint = new ESLint({ cwd: root });

async function problems(file: string, code: string): Promise<string[]> {
  const [r] = await eslint.lintText(code, { filePath: resolve(root, file) });
  return r!.messages.map((m) => `${m.ruleId}: ${m.message}`);
}

const body = (line: string) =>
  `import type { Context } from './context.js';\nexport function f(ctx: Context): void {\n  const out = ctx.out;\n  ${line}\n}\n`;

describe('commands return results; reporters print', () => {
  it('out.out, out.err, out.warn and out.jsonDocument in a command body are errors', async () => {
    for (const line of ["out.out('x');", "ctx.out.err('x');", "out.warn('x');", 'out.jsonDocument({});']) {
      expect((await problems('src/commands/printing.ts', body(line))).join('\n'), line).toMatch(
        /no-restricted-syntax: a command body does not print/,
      );
    }
  }, 60_000);

  it('progress, debug, a spinner, a style colour, and the same calls in a reporter pass', async () => {
    for (const line of [
      "out.progress('attempt 1: HTTP 503 — retrying');",
      "out.debug('x');",
      "out.spinner('x').stop();",
      "out.progress(out.style.warn('!'));",
    ]) {
      expect(await problems('src/commands/progress.ts', body(line)), line).toEqual([]);
    }
    expect(
      await problems(
        'src/render/printing.ts',
        "import type { Writer } from './reporter.js';\nexport const f = (o: Writer): void => o.out('x');\n",
      ),
    ).toEqual([]);
  }, 60_000);
});
