/**
 * Trust boundaries of the configuration (issue 10, finding 1), tried as an attacker would: a config file
 * planted where the search should not reach, a project's config file that points the user's keys at
 * another server, a JavaScript config that runs code. Each run spawns the built CLI with HOME pointed at
 * a temporary folder; a second emulator plays the hostile server and logs what it received.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { startEmulator, KEYS, type Emulator } from '../emulator/server.js';
import { expectNoKeys } from '../helpers/emulated.js';
import { runCli, type CliRun, flat } from '../helpers/run-cli.js';

let emu: Emulator;
let hostile: Emulator;

beforeAll(async () => {
  [emu, hostile] = await Promise.all([startEmulator(), startEmulator()]);
});
afterAll(async () => {
  await Promise.all([emu.close(), hostile.close()]);
});

/** A fresh folder tree: `files` (relative path → text; a path ending in / is a folder) under a temporary root. */
function tree(files: Record<string, string>): string {
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'apidoctor-trust-')));
  for (const [rel, text] of Object.entries(files)) {
    if (rel.endsWith('/')) {
      mkdirSync(join(root, rel), { recursive: true });
      continue;
    }
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), text);
  }
  return root;
}

const json = (v: unknown) => JSON.stringify(v);
const byId = (doc: Record<string, any>) =>
  Object.fromEntries((doc.checks as Array<{ id: string }>).map((c) => [c.id, c as Record<string, any>]));

/** Runs with HOME in the tree and no key or base URL in the environment unless given. */
function run(root: string, cwd: string, args: string[], env: Record<string, string | undefined> = {}, stdin?: string): Promise<CliRun> {
  mkdirSync(join(root, cwd), { recursive: true });
  return runCli(args, { cwd: join(root, cwd), env: { HOME: join(root, 'home'), XDG_CONFIG_HOME: undefined, ...env }, stdin });
}

/** Which config file doctor says it read ("none" when none). */
async function fileFound(root: string, cwd: string): Promise<string> {
  const r = await run(root, cwd, ['doctor', '--only', 'config.sources', '--json']);
  expect(r.code, r.stderr).toBe(0);
  return byId(r.json())['config.sources']!.evidence.file ?? 'none';
}

describe('the config search is bounded: the nearer of the git root and home, never above home', () => {
  const rc = (model: string) => json({ model });

  it('inside home with no git work tree: up to home, not above it', async () => {
    const above = tree({ '.apidoctorrc.json': rc('planted'), 'home/a/b/': '' });
    expect(await fileFound(above, 'home/a/b')).toBe('none');
    const within = tree({ 'home/a/.apidoctorrc.json': rc('mine'), 'home/a/b/': '' });
    expect(await fileFound(within, 'home/a/b')).toBe('~/a/.apidoctorrc.json');
  });

  it('inside a git work tree in home: up to its root, not to home', async () => {
    const root = tree({ 'home/.git/': '', 'home/repo/.git/': '', 'home/.apidoctorrc.json': rc('outside the repo'), 'home/repo/sub/': '' });
    expect(await fileFound(root, 'home/repo/sub')).toBe('none');
    writeFileSync(join(root, 'home/repo/.apidoctorrc.json'), rc('the repo'));
    expect(await fileFound(root, 'home/repo/sub')).toBe('~/repo/.apidoctorrc.json');
  });

  it('outside home with no git work tree: the working directory alone (a file planted in a shared parent is not found)', async () => {
    const root = tree({ 'home/': '', 'shared/.apidoctorrc.json': rc('planted'), 'shared/work/': '' });
    expect(await fileFound(root, 'shared/work')).toBe('none');
    writeFileSync(join(root, 'shared/work/.apidoctorrc.json'), rc('mine'));
    expect(await fileFound(root, 'shared/work')).toBe('./.apidoctorrc.json');
  });

  it('outside home in a git work tree: up to its root and no further', async () => {
    const root = tree({ 'home/': '', '.apidoctorrc.json': rc('planted'), 'repo/.git': 'gitdir: /elsewhere', 'repo/a/b/': '' });
    expect(await fileFound(root, 'repo/a/b')).toBe('none');
    writeFileSync(join(root, 'repo/package.json'), json({ name: 'r', apidoctor: { model: 'm' } }));
    expect(await fileFound(root, 'repo/a/b')).toBe(join(root, 'repo/package.json'));
  });

  it('the global config directory in home is still read from anywhere', async () => {
    const root = tree({ 'home/.config/apidoctor/config.json': rc('global'), 'elsewhere/': '' });
    expect(await fileFound(root, 'elsewhere')).toBe('~/.config/apidoctor/config.json');
  });
});

describe('keys are scoped to a host: a project config file cannot send a key from elsewhere to its base URL', () => {
  const keysEnv = { MODELSWITCH_API_KEY: KEYS.proxy, MODELSWITCH_BILLING_KEY: KEYS.billing };
  const COMMANDS: string[][] = [
    ['balance'],
    ['keys'],
    ['keys', 'show', '1'],
    ['call', '/v1/models'],
    ['call', '/api/balance'],
    ['call', '/api/usage'],
    ['doctor'],
  ];

  it('a hostile package.json "apidoctor" field in a parent folder, keys in the environment: nothing reaches its server, exit 3', async () => {
    const root = tree({ 'home/proj/package.json': json({ name: 'p', apidoctor: { baseUrl: hostile.url } }), 'home/proj/sub/': '' });
    hostile.reset();
    for (const args of COMMANDS) {
      const r = await run(root, 'home/proj/sub', [...args, '--json'], keysEnv);
      expectNoKeys(r);
      expect(r.code, `${args.join(' ')}: ${r.stdout}`).toBe(3);
      const doc = r.json();
      expect(doc.exitReason).toBe('config');
      expect(
        doc.diagnoses.map((d: { id: string }) => d.id),
        args.join(' '),
      ).toContain('config.untrusted-base-url');
      const d = doc.diagnoses.find((x: { id: string }) => x.id === 'config.untrusted-base-url');
      // It names the file and the three ways to trust the URL.
      expect(d.notes.join(' ')).toContain('~/proj/package.json');
      const remedies = d.remedies.join('\n');
      expect(remedies).toContain(`--base-url ${hostile.url}`);
      expect(remedies).toContain(`MODELSWITCH_BASE_URL=${hostile.url}`);
      expect(remedies).toContain('--config ~/proj/package.json');
      if (args[0] === 'doctor') {
        const check = byId(doc)['config.host-scope']!;
        expect(check.status).toBe('fail');
        expect(doc.rootCause ?? doc.summary?.rootCause).toBe('config.host-scope');
      }
    }
    expect(hostile.requests.filter((q) => q.headers.authorization !== undefined)).toEqual([]);
    expect(hostile.requests.map((q) => q.path)).toEqual([]);
  });

  it('explain --probe does not ask either, and says why (not "no billing key")', async () => {
    const root = tree({ 'home/proj/.apidoctorrc.json': json({ baseUrl: hostile.url }), 'home/proj/sub/': '' });
    hostile.reset();
    const r = await run(
      root,
      'home/proj/sub',
      ['explain', '--status', '403', '--probe', '--json', '-'],
      keysEnv,
      '{"error":{"message":"Forbidden"}}',
    );
    expectNoKeys(r);
    const notes = r.json().diagnoses[0].notes.join(' ');
    expect(notes).toContain('--probe: not asked');
    expect(notes).toContain('~/proj/.apidoctorrc.json');
    expect(notes).not.toContain('no usable billing key');
    expect(hostile.requests).toEqual([]);
  });

  it('the human report says it too, and names the file', async () => {
    const root = tree({ 'home/proj/.apidoctorrc.yaml': `baseUrl: ${hostile.url}\n`, 'home/proj/sub/': '' });
    hostile.reset();
    const r = await run(root, 'home/proj/sub', ['balance'], keysEnv);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('[config.untrusted-base-url]');
    expect(r.stderr).toContain('~/proj/.apidoctorrc.yaml');
    expect(hostile.requests).toEqual([]);
  });

  it("an $import of the home config cannot lend its key to a project file's base URL", async () => {
    const root = tree({
      'home/.config/apidoctor/config.json': json({ billingKey: KEYS.billing }),
      'home/proj/.apidoctorrc.json': 'placeholder',
      'home/proj/sub/': '',
    });
    writeFileSync(
      join(root, 'home/proj/.apidoctorrc.json'),
      json({ $import: join(root, 'home/.config/apidoctor/config.json'), baseUrl: hostile.url }),
    );
    hostile.reset();
    const r = await run(root, 'home/proj/sub', ['balance', '--json']);
    expectNoKeys(r);
    expect(r.code, r.stdout).toBe(3);
    expect(r.json().diagnoses[0].id).toBe('config.untrusted-base-url');
    expect(hostile.requests).toEqual([]);
  });

  describe('a base URL at least as trusted as the key is used', () => {
    it('the same project file holds the key and the base URL (a self-hosted gateway)', async () => {
      const root = tree({ 'home/proj/.apidoctorrc.json': json({ baseUrl: emu.url, billingKey: KEYS.billing }), 'home/proj/sub/': '' });
      emu.reset();
      const r = await run(root, 'home/proj/sub', ['balance', '--json']);
      expect(r.code, r.stdout).toBe(0);
      expect(emu.requests.length).toBeGreaterThan(0);
      expect(emu.requests.every((q) => q.headers.authorization === `Bearer ${KEYS.billing}`)).toBe(true);
    });

    it('a config file in the home folder, keys in the environment', async () => {
      const root = tree({ 'home/.apidoctorrc.json': json({ baseUrl: emu.url }), 'home/proj/': '' });
      emu.reset();
      const r = await run(root, 'home/proj', ['balance', '--json'], keysEnv);
      expect(r.code, r.stdout).toBe(0);
      expect(emu.requests.some((q) => q.headers.authorization === `Bearer ${KEYS.billing}`)).toBe(true);
    });

    it('--config or APIDOCTOR_CONFIG naming the project file, keys in the environment', async () => {
      const root = tree({ 'home/proj/package.json': json({ name: 'p', apidoctor: { baseUrl: emu.url } }), 'home/proj/sub/': '' });
      for (const how of [
        { args: ['--config', '../package.json'], env: {} },
        { args: [], env: { APIDOCTOR_CONFIG: join(root, 'home/proj/package.json') } },
      ]) {
        emu.reset();
        const r = await run(root, 'home/proj/sub', ['balance', '--json', ...how.args], { ...keysEnv, ...how.env });
        expect(r.code, r.stdout).toBe(0);
        expect(emu.requests.some((q) => q.headers.authorization === `Bearer ${KEYS.billing}`)).toBe(true);
      }
    });

    it('--base-url or MODELSWITCH_BASE_URL over the project file', async () => {
      const root = tree({ 'home/proj/package.json': json({ name: 'p', apidoctor: { baseUrl: hostile.url } }), 'home/proj/sub/': '' });
      hostile.reset();
      for (const how of [
        { args: ['--base-url', emu.url], env: {} },
        { args: [], env: { MODELSWITCH_BASE_URL: emu.url } },
      ]) {
        const r = await run(root, 'home/proj/sub', ['balance', '--json', ...how.args], { ...keysEnv, ...how.env });
        expect(r.code, r.stdout).toBe(0);
      }
      expect(hostile.requests).toEqual([]);
    });
  });
});

describe('a JavaScript config runs code: only from the home folder, or when named', () => {
  /** A config module that leaves a marker file when it runs. */
  const marking = (marker: string) =>
    `import { writeFileSync } from 'node:fs';\nwriteFileSync(${json(marker)}, 'ran');\nexport default { model: 'from-js' };\n`;

  it('one in a parent folder (inside the bound) is skipped and said; --config runs it', async () => {
    const root = tree({ 'home/repo/.git/': '', 'home/repo/sub/': '' });
    const marker = join(root, 'ran');
    writeFileSync(join(root, 'home/repo/apidoctor.config.mjs'), marking(marker));
    const r = await run(root, 'home/repo/sub', ['doctor', '--only', 'config.sources']);
    expect(existsSync(marker)).toBe(false);
    expect(flat(r.stderr)).toContain('skipped the JavaScript config ~/repo/apidoctor.config.mjs');
    expect(flat(r.stderr)).toContain('--config ~/repo/apidoctor.config.mjs');
    const doc = await run(root, 'home/repo/sub', ['doctor', '--only', 'config.sources', '--json']);
    expect(byId(doc.json())['config.sources']).toMatchObject({
      status: 'warn',
      detail: expect.stringContaining('skipped the JavaScript config ~/repo/apidoctor.config.mjs'),
    });
    expect(existsSync(marker)).toBe(false);
    const named = await run(root, 'home/repo/sub', ['doctor', '--only', 'config.sources', '--json', '--config', '../apidoctor.config.mjs']);
    expect(named.code, named.stderr).toBe(0);
    expect(existsSync(marker)).toBe(true);
    expect(byId(named.json())['config.sources']!.evidence.sources.model).toEqual({ origin: 'file', source: '~/repo/apidoctor.config.mjs' });
  });

  it('one in the working directory (a cloned project) is skipped: its code never sees the keys', async () => {
    const root = tree({ 'home/proj/.git/': '' });
    const marker = join(root, 'ran');
    writeFileSync(
      join(root, 'home/proj/apidoctor.config.mjs'),
      `import { writeFileSync } from 'node:fs';\nwriteFileSync(${json(marker)}, process.env.MODELSWITCH_API_KEY ?? 'none');\nexport default {};\n`,
    );
    const r = await run(root, 'home/proj', ['doctor', '--only', 'config.sources'], { MODELSWITCH_API_KEY: KEYS.proxy });
    expect(existsSync(marker)).toBe(false);
    expect(flat(r.stderr)).toMatch(/skipped the JavaScript config \.\/apidoctor\.config\.mjs.*--config \.\/apidoctor\.config\.mjs/s);
  });

  it('one in the home folder that others may write to is skipped; made private, it runs', async () => {
    const root = tree({ 'home/': '' });
    const marker = join(root, 'ran');
    const file = join(root, 'home/apidoctor.config.mjs');
    writeFileSync(file, marking(marker));
    chmodSync(file, 0o666);
    const r = await run(root, 'home', ['doctor', '--only', 'config.sources']);
    expect(existsSync(marker)).toBe(false);
    expect(r.stderr).toMatch(/skipped the JavaScript config \.\/apidoctor\.config\.mjs/);
    chmodSync(file, 0o644);
    await run(root, 'home', ['doctor', '--only', 'config.sources']);
    expect(existsSync(marker)).toBe(true);
  });
});

describe('a base URL other than the default is said once, with its source, in human mode only', () => {
  const env = () => ({ MODELSWITCH_BASE_URL: emu.url, MODELSWITCH_BILLING_KEY: KEYS.billing });

  it('human mode: once on stderr, naming where it came from', async () => {
    const root = tree({ 'home/': '' });
    const r = await run(root, 'home', ['balance'], env());
    expect(r.code).toBe(0);
    expect(r.stderr.split(`base URL ${emu.url} from MODELSWITCH_BASE_URL`).length - 1).toBe(1);
    const fromFile = tree({ 'home/proj/.apidoctorrc.json': json({ baseUrl: emu.url, billingKey: KEYS.billing }) });
    const f = await run(fromFile, 'home/proj', ['balance']);
    expect(f.code, f.stderr).toBe(0);
    expect(f.stderr).toContain(`base URL ${emu.url} from ./.apidoctorrc.json`);
  });

  it('not under -q, --format value or a machine format', async () => {
    const root = tree({ 'home/': '' });
    for (const args of [
      ['balance', '-q'],
      ['balance', '--format', 'value'],
      ['balance', '--json'],
      ['balance', '--format', 'openmetrics'],
      ['doctor', '--format', 'junit'],
      ['doctor', '--format', 'github'],
    ]) {
      const r = await run(root, 'home', args, env());
      expect(r.stderr, args.join(' ')).not.toContain('base URL');
      expect(r.stdout, args.join(' ')).not.toContain(`base URL ${emu.url}`);
    }
  });

  it('not for the default', async () => {
    const root = tree({ 'home/': '' });
    // No proxy key: refused before any request, so nothing goes to the real host.
    const r = await run(root, 'home', ['call', '/v1/models'], { MODELSWITCH_BASE_URL: 'https://modelswitch.io/' });
    expect(r.code).toBe(3);
    expect(r.stderr).not.toMatch(/base URL https:\/\/modelswitch\.io from/);
  });
});

describe('keys at rest and on the command line', () => {
  it('--api-key and --billing-key say the key shows in the process list, and name the environment instead', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    const help = r.stdout.replace(/\s+/g, ' ');
    expect(help).toMatch(/--api-key <key> .*process list.*MODELSWITCH_API_KEY or a config file/);
    expect(help).toMatch(/--billing-key <key> .*process list.*MODELSWITCH_BILLING_KEY or a config file/);
  });

  it('doctor warns, as ssh does, about a config file holding a key that group or others can read or write', async () => {
    const root = tree({ 'home/proj/.apidoctorrc.json': json({ billingKey: KEYS.billing }) });
    const file = join(root, 'home/proj/.apidoctorrc.json');
    const check = async (mode: number) => {
      chmodSync(file, mode);
      const r = await run(root, 'home/proj', ['doctor', '--only', 'key.file-mode', '--json']);
      expectNoKeys(r);
      return { r, c: byId(r.json())['key.file-mode']! };
    };
    const open = await check(0o644);
    expect(open.c.status).toBe('warn');
    expect(open.c.detail).toContain(
      'holds the billing key and group can read it, others can read it (mode 0644): chmod 600 ./.apidoctorrc.json',
    );
    expect(open.r.code).toBe(0);
    const writable = await check(0o660);
    expect(writable.c.detail).toContain('group can read and write it (mode 0660)');
    const strict = await run(root, 'home/proj', ['doctor', '--only', 'key.file-mode', '--strict', '--json']);
    expect(strict.code).not.toBe(0);
    const closed = await check(0o600);
    expect(closed.c.status).toBe('pass');
    expect(closed.c.detail).toContain('only you');
  });
});
