/**
 * keys changes as a user meets them: the "Confirm with --yes" command repeats every option given
 * (copying it keeps --expires), a prefix works wherever `keys show` takes one, `keys --help` lists the
 * subcommands' options, and Ctrl-C at the y/N prompt ends the prompt's line first.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { spawnSync } from 'node:child_process';
import { startEmulator, KEYS, type Emulator } from '../emulator/server.js';
import { emulatorEnv, expectNoKeys } from '../helpers/emulated.js';
import { runCli, emptyDir } from '../helpers/run-cli.js';
import { main } from '../../src/entry/cli.js';

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(async () => {
  await emu.close();
});
beforeEach(() => emu.reset());

const DAY = 86_400_000;
const changes = () => emu.requests.filter((q) => q.method !== 'GET');

/**
 * The suggested command of a refusal, split into words as a POSIX shell would: as a user copies it, with
 * the lines it continues on when it is wider than the terminal (each ending in the shell's " \\").
 */
function suggested(stderr: string): string[] {
  const line = /Confirm with --yes:\s+(apidoctor (?:.*\\\n)*.*)$/m.exec(stderr)?.[1];
  expect(line, stderr).toBeDefined();
  const r = spawnSync('sh', ['-c', `for w in ${line!.replace(/^apidoctor /, '')}; do printf '%s\\0' "$w"; done`], { encoding: 'utf8' });
  return r.stdout.split('\0').slice(0, -1);
}

describe('the suggested --yes command repeats every option given', () => {
  it('create --name "my ci" --expires 90d: the suggestion keeps --expires, and running it creates a key expiring in 90 days', async () => {
    const refused = await runCli(['keys', 'create', '--name', 'my ci', '--expires', '90d'], { env: emulatorEnv(emu) });
    expect(refused.code).toBe(2);
    expect(changes()).toHaveLength(0);
    expect(refused.stderr).toContain("apidoctor keys create --name 'my ci' --expires 90d --yes");
    const words = suggested(refused.stderr);
    expect(words).toEqual(['keys', 'create', '--name', 'my ci', '--expires', '90d', '--yes']);
    const copied = await runCli(words, { env: emulatorEnv(emu) });
    expect(copied.code).toBe(0);
    const created = emu.state.keys.find((k) => k.name === 'my ci')!;
    expect(Math.round((Date.parse(created.expiresAt!) - Date.now()) / DAY)).toBe(90);
  });

  it('rotate 1 --name "it\'s new" --expires 2099-01-31 with --base-url: all of it, quoted for the shell', async () => {
    const refused = await runCli(['--base-url', emu.url, 'keys', 'rotate', '1', '--name', "it's new", '--expires', '2099-01-31'], {
      env: emulatorEnv(emu),
    });
    expect(refused.code).toBe(2);
    const words = suggested(refused.stderr);
    expect(words).toEqual(['--base-url', emu.url, 'keys', 'rotate', '1', '--name', "it's new", '--expires', '2099-01-31', '--yes']);
    const copied = await runCli(words, { env: emulatorEnv(emu) });
    expect(copied.code).toBe(0);
    expect(emu.state.keys.find((k) => k.name === "it's new")?.expiresAt).toMatch(/^2099-01-31/);
    expectNoKeys(refused);
  });

  it('a key given as a flag is never repeated in the suggestion', async () => {
    const refused = await runCli(['--billing-key', KEYS.billing, 'keys', 'delete', '2'], {
      env: emulatorEnv(emu, { MODELSWITCH_BILLING_KEY: undefined }),
    });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('Confirm with --yes: apidoctor keys delete 2 --yes');
    expectNoKeys(refused);
  });
});

describe('activate, deactivate, delete and rotate take a prefix, as show does', () => {
  it('deactivate ms-test0goo --yes deactivates key #1', async () => {
    const r = await runCli(['keys', 'deactivate', 'ms-test0goo', '--yes'], { env: emulatorEnv(emu) });
    expect(r.code).toBe(0);
    expect(changes().map((q) => `${q.method} ${q.path}`)).toEqual(['PUT /api/keys/1']);
  });
  it('delete by prefix deletes that key; activate by the whole key works and never prints it', async () => {
    const del = await runCli(['keys', 'delete', 'ms-test0ina', '--yes'], { env: emulatorEnv(emu) });
    expect(del.code).toBe(0);
    expect(changes().map((q) => `${q.method} ${q.path}`)).toEqual(['DELETE /api/keys/2']);
    emu.reset();
    emu.state.keys[0]!.active = false;
    const act = await runCli(['keys', 'activate', KEYS.proxy, '--yes'], { env: emulatorEnv(emu) });
    expect(act.code).toBe(0);
    expect(changes().map((q) => `${q.method} ${q.path}`)).toEqual(['PUT /api/keys/1']);
    expectNoKeys(act);
  });
  it('a prefix that matches no key: not found (exit 1), nothing sent', async () => {
    const r = await runCli(['keys', 'delete', 'ms-nothere', '--yes'], { env: emulatorEnv(emu) });
    expect(r.code).toBe(1);
    expect(changes()).toHaveLength(0);
  });
});

describe('keys --help', () => {
  it("lists the subcommands' options: --expiring-within, --yes, --name, --expires", async () => {
    const r = await runCli(['keys', '--help']);
    expect(r.code).toBe(0);
    for (const flag of ['--expiring-within', '--yes', '--name', '--expires']) expect(r.stdout).toContain(flag);
    expect(r.stdout).toMatch(/^\s+create\s+--name <name>, --expires <date>, -y\/--yes$/m);
  });
});

/** `argv` at its y/N prompt (a terminal's stdin), then Ctrl-C: the exit code and stderr. */
async function interruptAtPrompt(argv: string[]): Promise<{ code: number; stderr: string }> {
  const stdin = Object.assign(new PassThrough(), { isTTY: true });
  const ac = new AbortController();
  let stderr = '';
  const done = main(argv, {
    env: { ...emulatorEnv(emu), NO_COLOR: '1', CI: '1', PATH: process.env.PATH ?? '' } as NodeJS.ProcessEnv,
    cwd: emptyDir(),
    stdout: { write: () => true, isTTY: true },
    stderr: { write: (s: string) => (stderr += s), isTTY: true },
    stdin,
    signal: ac.signal,
  });
  for (let i = 0; i < 200 && !stderr.includes('[y/N]'); i++) await new Promise((r) => setTimeout(r, 25));
  ac.abort('SIGINT');
  return { code: await done, stderr };
}

describe('Ctrl-C at the y/N prompt', () => {
  it('ends the prompt line before "✗ Interrupted", and exits 130', async () => {
    const { code, stderr } = await interruptAtPrompt(['keys', 'deactivate', '1']);
    expect(code).toBe(130);
    expect(stderr).toMatch(/\[y\/N\] \n✗ Interrupted/);
    expect(stderr).not.toMatch(/\[y\/N\] ✗/);
    expect(changes()).toHaveLength(0);
  });
});

describe('Ctrl-C while the request to create a key is out', () => {
  /** `keys create` (or rotate) with the emulator's answer held back; Ctrl-C once the POST has reached it. */
  async function interruptedCreate(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    // The server creates the key, then its answer never comes: what a Ctrl-C at that moment leaves behind.
    emu.state.failures.push({ kind: 'hang', match: { method: 'POST', path: '/api/keys' }, times: 1, applyFirst: true });
    const ac = new AbortController();
    let stdout = '';
    let stderr = '';
    const done = main(argv, {
      env: { ...emulatorEnv(emu), NO_COLOR: '1', CI: '1', PATH: process.env.PATH ?? '' } as NodeJS.ProcessEnv,
      cwd: emptyDir(),
      stdout: { write: (s: string) => (stdout += s), isTTY: false },
      stderr: { write: (s: string) => (stderr += s), isTTY: false },
      signal: ac.signal,
    });
    for (let i = 0; i < 200 && !emu.requests.some((q) => q.method === 'POST'); i++) await new Promise((r) => setTimeout(r, 25));
    expect(emu.requests.some((q) => q.method === 'POST' && q.path === '/api/keys')).toBe(true);
    ac.abort('SIGINT');
    return { code: await done, stdout, stderr };
  }

  it('says the key may exist now and to look with `apidoctor keys` before trying again (exit 130)', async () => {
    const r = await interruptedCreate(['keys', 'create', '--name', 'ci runner', '--yes']);
    expect(r.code).toBe(130);
    expect(r.stderr).toMatch(/✗ Interrupted \(Ctrl-C\)/);
    expect(r.stderr.replace(/\s+/g, ' ').trim()).toMatch(
      /a key named "ci runner" may exist now, its full key never shown\. Look before trying again: apidoctor keys$/m,
    );
    expectNoKeys(r);
    // And it does: the note was the truth.
    expect(emu.state.keys.some((k) => k.name === 'ci runner')).toBe(true);
  });

  it('rotate: the same note, and the old key is said to be unchanged', async () => {
    const r = await interruptedCreate(['keys', 'rotate', '1', '--name', 'next', '--yes']);
    expect(r.code).toBe(130);
    const text = r.stderr.replace(/\s+/g, ' ');
    expect(text).toContain('a key named "next" may exist now');
    expect(text).toMatch(/The old key #1 .* is unchanged\./);
    expect(changes().map((q) => q.method)).toEqual(['POST']); // nothing deactivated or deleted
  });

  it('--json: the same note as the error hint', async () => {
    const r = await interruptedCreate(['keys', 'create', '--name', 'ci', '--yes', '--json']);
    expect(r.code).toBe(130);
    const doc = JSON.parse(r.stdout) as { exitReason: string; error: { message: string; hint?: string } };
    expect(doc.exitReason).toBe('interrupted');
    expect(doc.error.hint).toContain('a key named "ci" may exist now');
  });

  it('Ctrl-C at the prompt, before any request: no such note', async () => {
    const { code, stderr } = await interruptAtPrompt(['keys', 'create', '--name', 'x']);
    expect(code).toBe(130);
    expect(stderr).toMatch(/✗ Interrupted/);
    expect(stderr).not.toMatch(/may exist/);
    expect(changes()).toHaveLength(0);
  });
});
