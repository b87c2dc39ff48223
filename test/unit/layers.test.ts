/** The import direction of src/ is enforced by eslint (eslint.config.js, run by `npm test`'s pretest): a backward import fails. */
import { resolve } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const eslint = new ESLint({ cwd: root });

async function problems(file: string, code: string): Promise<string[]> {
  const [r] = await eslint.lintText(code, { filePath: resolve(root, file) });
  return r!.messages.map((m) => `${m.ruleId}: ${m.message}`);
}

describe('imports follow the layers', () => {
  it('a backward import (http → diagnosis, config → diagnosis, core → render) is an error naming the layer order', async () => {
    for (const [file, spec] of [
      ['src/http/backward.ts', '../diagnosis/engine.js'],
      ['src/config/backward.ts', '../diagnosis/engine.js'],
      ['src/core/backward.ts', '../render/output.js'],
      ['src/commands/backward.ts', '../entry/cli.js'],
    ] as const) {
      const found = await problems(file, `import { x } from '${spec}';\nexport const y = x;\n`);
      expect(found.join('\n'), `${file} importing ${spec}`).toMatch(/no-restricted-imports: .*may import only from/);
    }
  }, 60_000);

  it('a lazy import() backward is an error too', async () => {
    expect((await problems('src/render/backward.ts', "export const load = () => import('../commands/balance.js');\n")).join('\n')).toMatch(
      /no-restricted-syntax: src\/render\/ may import only from/,
    );
  }, 60_000);

  it('a forward import, and the command contract types from logs/, pass', async () => {
    expect(await problems('src/diagnosis/forward.ts', "import { x } from '../core/types.js';\nexport const y = x;\n")).toEqual([]);
    expect(
      await problems('src/logs/forward.ts', "import type { Context } from '../commands/context.js';\nexport type C = Context;\n"),
    ).toEqual([]);
    expect(
      (await problems('src/logs/backward.ts', "import { x } from '../commands/balance.js';\nexport const y = x;\n")).join('\n'),
    ).toMatch(/may import only from/);
  }, 60_000);
});
