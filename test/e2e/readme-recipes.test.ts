/**
 * What the README tells a user to type works: the pinned npm recipe (exact version, the command after
 * it), the explain options it documents (--endpoint, -H), a dashboard token as --billing-key, and the
 * exit code of a declined prompt in the exit-code table.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, KEYS, type Emulator } from '../emulator/server.js';
import { emulatorEnv, expectNoKeys } from '../helpers/emulated.js';
import { runCli, emptyDir } from '../helpers/run-cli.js';

const ROOT = resolve(import.meta.dirname, '../..');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const PKG = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string };

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(async () => {
  await emu.close();
});
beforeEach(() => emu.reset());

describe('the npm recipe, for when apidoctor is published', () => {
  const line = /run: (npm exec --yes --package=(\S+) -- apidoctor (.*))$/m.exec(README);
  it('pins the exact version of this package, and warns that the name is not published', () => {
    expect(line, 'an npm exec recipe in the README').not.toBeNull();
    expect(line![2]).toBe(`${PKG.name}@${PKG.version}`);
    expect(README).toMatch(/not published/);
    expect(README).not.toMatch(/npx --yes apidoctor /);
  });
  it('its apidoctor command runs against a healthy account: exit 0, annotations only for problems', async () => {
    const args = line![3]!.split(/\s+/);
    const r = await runCli(args, { env: emulatorEnv(emu) });
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(/^::error/m);
    expect(r.stdout).toMatch(/^apidoctor doctor: .* — exit 0 \(ok\)$/m);
  });
});

describe('explain, as documented', () => {
  it('--endpoint and -H appear in the README and the documented command runs', async () => {
    const cmd = /\$ apidoctor (explain --status 403 --endpoint \S+ -H "([^"]+)" body\.json)/.exec(README);
    expect(cmd, 'the --endpoint / -H example').not.toBeNull();
    const dir = emptyDir();
    writeFileSync(
      join(dir, 'body.json'),
      JSON.stringify({ error: { message: 'Access denied', type: 'invalid_request_error', code: 'forbidden' } }),
    );
    const endpoint = /--endpoint (\S+)/.exec(cmd![1]!)![1]!;
    const r = await runCli(['explain', '--status', '403', '--endpoint', endpoint, '-H', cmd![2]!, 'body.json'], { cwd: dir });
    expect(r.stderr).toMatch(/\[[a-z]+\.[a-z-]+\]/);
    expect([1, 4, 5]).toContain(r.code);
  });
});

describe('a dashboard token as --billing-key', () => {
  it('is documented, and works for balance', async () => {
    expect(README).toMatch(/--billing-key "\$TOKEN"/);
    const r = await runCli(['balance', '--format', 'value', '--billing-key', KEYS.jwt], {
      env: emulatorEnv(emu, { MODELSWITCH_BILLING_KEY: undefined }),
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('42.5\n');
    expectNoKeys(r);
  });
});

describe('the exit-code table', () => {
  it('says a declined confirmation exits 1', () => {
    expect(README).toMatch(/^\| 1 \| `failed` \|.*declined y\/N confirmation/m);
  });
});
