/**
 * The README's examples are what apidoctor really does: `explain err.txt` prints exactly the block shown
 * (at 80 columns, the width when it is unknown), and the library example logs a field the library has.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, emptyDir } from '../helpers/run-cli.js';
import { diagnose } from '../../src/lib.js';

const README = readFileSync(join(resolve(import.meta.dirname, '../..'), 'README.md'), 'utf8');

describe('README examples', () => {
  it('apidoctor explain err.txt prints what the README shows, for the err.txt it shows', async () => {
    const m = /```console\n\$ cat err\.txt\n(.*)\n\$ apidoctor explain err\.txt\n([\s\S]*?)```/.exec(README);
    expect(m, 'the explain err.txt example with its file').not.toBeNull();
    const dir = emptyDir();
    writeFileSync(join(dir, 'err.txt'), `${m![1]}\n`);
    const r = await runCli(['explain', 'err.txt'], { cwd: dir, env: { COLUMNS: undefined } });
    expect(r.code).toBe(5);
    expect(r.stdout + r.stderr).toBe(m![2]);
  });

  it('the library example logs d.advice, which diagnose() returns (the steps an app can show)', () => {
    const line = /catch \(err\) \{ const d = diagnose\(err\); log\.error\(d\.title, d\.(\w+)\) \}/.exec(README);
    expect(line).not.toBeNull();
    const d = diagnose({
      status: 429,
      body: { error: { message: 'You exceeded your current quota', type: 'insufficient_quota', code: 'insufficient_quota' } },
    }) as unknown as Record<string, unknown>;
    expect(line![1]).toBe('advice');
    expect(Array.isArray(d[line![1]!])).toBe(true);
    expect((d[line![1]!] as string[]).length).toBeGreaterThan(0);
  });
});
