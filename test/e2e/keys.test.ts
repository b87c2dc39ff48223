import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { startEmulator, KEYS, type Emulator } from '../emulator/server.js';
import { emulatorEnv, expectNoKeys } from '../helpers/emulated.js';
import { runCli, emptyDir, type CliRun } from '../helpers/run-cli.js';
import { main } from '../../src/entry/cli.js';
import { closeDefaultDispatcher } from '../../src/http/client.js';

const ALL_KEYS = Object.values(KEYS);
const DAY = 86_400_000;

let emu: Emulator;
const env = (extra: Record<string, string | undefined> = {}) => emulatorEnv(emu, extra);

/** Runs the built CLI; on every run, no configured or known key may reach stdout or stderr. */
async function cli(args: string[], extraEnv: Record<string, string | undefined> = {}): Promise<CliRun> {
  const r = await runCli(['keys', ...args], { env: env(extraEnv) });
  expectNoKeys(r);
  return r;
}

const count = (text: string, needle: string) => text.split(needle).length - 1;
/** The requests that changed something. */
const changes = () => emu.requests.filter((q) => q.method !== 'GET');

beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(async () => {
  await closeDefaultDispatcher();
  await emu.close();
});
beforeEach(() => {
  emu.reset();
});

describe('keys list', () => {
  it('a table of id, name, prefix, status, created, expires, days left; the configured key marked; inactive in words', async () => {
    for (const args of [[], ['list']]) {
      const r = await cli(args);
      expect(r.code).toBe(0);
      const lines = r.stdout.split('\n');
      expect(lines[0]).toMatch(/ID\s+NAME\s+PREFIX\s+STATUS\s+CREATED\s+EXPIRES\s+DAYS LEFT/);
      const prod = lines.find((l) => l.includes('Production'))!;
      const staging = lines.find((l) => l.includes('Staging'))!;
      expect(prod).toMatch(/^\*\s+1\s+Production\s+ms-test0goo\s+active\s+\d{4}-\d{2}-\d{2}\s+\d{4}-\d{2}-\d{2}\s+(29|30)$/);
      expect(staging).toMatch(/^\s+2\s+Staging\s+ms-test0ina\s+INACTIVE\s+\S+\s+never\s+-$/);
      expect(r.stdout).toContain('* = the proxy key apidoctor is configured with (from MODELSWITCH_API_KEY)');
      expect(emu.requests.every((q) => q.headers.authorization === `Bearer ${KEYS.billing}`)).toBe(true);
      emu.reset();
    }
  });

  it('--json: data.keys with daysLeft and configured true/false', async () => {
    const r = await cli(['--json']);
    expect(r.code).toBe(0);
    const doc = r.json();
    expect(doc).toMatchObject({ command: 'keys', ok: true, exitCode: 0, diagnoses: [] });
    const [one, two] = doc.keys;
    expect(one).toMatchObject({ id: 1, name: 'Production', prefix: 'ms-test0goo', active: true, configured: true, status: 'active' });
    expect(one.daysLeft).toBeGreaterThan(29);
    expect(one.daysLeft).toBeLessThanOrEqual(30);
    expect(two).toMatchObject({ id: 2, active: false, configured: false, daysLeft: null, status: 'inactive' });
  });

  it('an expired key is marked EXPIRED in words; the configured key being inactive is warned about', async () => {
    emu.state.keys[0]!.expiresAt = new Date(Date.now() - 2 * DAY).toISOString();
    const r = await cli([]);
    expect(r.stdout).toMatch(/Production\s+ms-test0goo\s+EXPIRED\s+.*\sexpired$/m);
    expect(r.stderr).toMatch(/EXPIRED on/);
    emu.reset();
    const inactive = await cli([], { MODELSWITCH_API_KEY: KEYS.proxyInactive });
    expect(inactive.stdout).toMatch(/^\*\s+2\s+Staging/m);
    expect(inactive.stderr).toMatch(/INACTIVE: requests with it get 403/);
  });

  it('says so when the configured proxy key is not on the account', async () => {
    const r = await cli([], { MODELSWITCH_API_KEY: KEYS.proxyUnknown });
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(/^\*/m);
    expect(r.stderr).toContain("is not in this account's key list");
  });

  it('--expiring-within 7 fails (exit 1) when the configured key expires in 3 days, passes at 30', async () => {
    emu.state.keys[0]!.expiresAt = new Date(Date.now() + 3 * DAY).toISOString();
    const soon = await cli(['--expiring-within', '7']);
    expect(soon.code).toBe(1);
    expect(soon.stderr).toMatch(
      /1 active key expires within 7 days:\n\s+#1 "Production" \(ms-test0goo\) \[configured\] expires on \S+ \(in 3 days\)/,
    );
    const soonJson = await cli(['list', '--expiring-within', '7', '--json']);
    expect(soonJson.code).toBe(1);
    expect(soonJson.json()).toMatchObject({ exitReason: 'failed', expiringWithin: 7, expiring: [1] });
    // The why travels with it (issue 14): one key.expiring naming the key and its days left.
    const ds = soonJson.json().diagnoses as Array<{ id: string; category: string; notes: string[]; remedies: string[] }>;
    expect(ds.map((d) => d.id)).toEqual(['key.expiring']);
    expect(ds[0]!.category).toBe('failed');
    expect(ds[0]!.notes.join(' ')).toMatch(/#1 "Production" \(ms-test0goo\) expires in 3 days/);
    expect(ds[0]!.remedies.join(' ')).toContain('apidoctor keys rotate 1 --name');

    emu.state.keys[0]!.expiresAt = new Date(Date.now() + 30 * DAY).toISOString();
    const later = await cli(['--expiring-within', '7']);
    expect(later.code).toBe(0);
    expect(later.stderr).toContain('No active key expires within 7 days');
  });

  it("a wrong billing key gets billing-key advice, not the proxy key's (issue 14)", async () => {
    const r = await cli([], { MODELSWITCH_BILLING_KEY: 'mk-test0wrong0billing0e5f6a7b8c9d0e1' });
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('[auth.invalid-key]');
    expect(r.stderr).toContain('Authorization: Bearer mk-');
    expect(r.stderr).toContain('MODELSWITCH_BILLING_KEY');
    expect(r.stderr).toContain('Dashboard → Billing Keys');
    expect(r.stderr).not.toContain('Bearer ms-');
    expect(r.stderr).not.toContain('MODELSWITCH_API_KEY');
    expect(r.stderr).not.toMatch(/\(apidoctor keys create --name <name>\) and update/);
  });

  it('--expiring-within ignores inactive keys', async () => {
    emu.state.keys[1]!.expiresAt = new Date(Date.now() + 2 * DAY).toISOString();
    const r = await cli(['--expiring-within', '7', '--json']);
    expect(r.code).toBe(0);
    expect(r.json().expiring).toEqual([]);
  });

  it('a bad --expiring-within or an unknown subcommand is a usage error (exit 2)', async () => {
    expect((await cli(['--expiring-within', 'soon'])).code).toBe(2);
    const unknown = await cli(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown keys subcommand "frobnicate"');
    expect(emu.requests).toHaveLength(0);
  });

  it('needs the billing key: missing → 3, an ms- key → key.wrong-kind; nothing sent', async () => {
    const missing = await cli(['--json'], { MODELSWITCH_BILLING_KEY: undefined });
    expect(missing.code).toBe(3);
    expect(missing.json().diagnoses[0].id).toBe('config.missing-billing-key');
    const wrong = await cli(['--json'], { MODELSWITCH_BILLING_KEY: KEYS.proxyInactive });
    expect(wrong.code).toBe(3);
    expect(wrong.json().diagnoses[0].id).toBe('key.wrong-kind');
    expect(emu.requests).toHaveLength(0);
  });

  it('a refused billing key is diagnosed and exits 4', async () => {
    const r = await cli(['--json'], { MODELSWITCH_BILLING_KEY: KEYS.billingUnknown });
    expect(r.code).toBe(4);
    expect(r.json().diagnoses[0].category).toBe('auth');
  });
});

describe('keys list: a key used as a name is masked before the table cuts it', () => {
  // A name is cut to its column (32 characters, less when narrow) before the output layer redacts the line: a
  // key cut first is a piece no pattern knows, and a different piece at each width. Each form of the billing
  // key below, cut and then redacted, showed 20+ of its characters.
  const key = KEYS.billing;
  const forms = [
    key,
    [...key].reverse().join(''),
    key.slice(3),
    key.toUpperCase(),
    Buffer.from(key).toString('base64url'),
    Buffer.from(key).toString('hex'),
  ];
  /** Every run of 10 characters of a form, as a piece of it a screenshot would show. */
  const pieces = forms.flatMap((f) => Array.from({ length: f.length - 9 }, (_, i) => f.slice(i, i + 10)));

  it.each(['200', '80', '60'])('at %s columns, no 10 characters of any form of the key appear', async (columns) => {
    emu.state.keys = forms.map((name, i) => ({ ...emu.state.keys[0]!, id: 100 + i, name, prefix: `ms-x${i}xxxxx` }));
    // The billing key alone is configured: the emulator's two test keys share their last 12 characters, so that
    // masking one cuts the other (real keys do not share a tail).
    const r = await cli([], { COLUMNS: columns, MODELSWITCH_API_KEY: undefined });
    expect(r.code).toBe(0);
    if (columns !== '60') expect(r.stdout).toMatch(/ID\s+NAME/);
    expect(r.stdout).toContain('105');
    for (const p of pieces) expect(r.stdout.toLowerCase(), p).not.toContain(p.toLowerCase());
  });
});

describe('keys show', () => {
  it('by id and by prefix; an unknown id exits 1 (resource.not-found)', async () => {
    const byId = await cli(['show', '1']);
    expect(byId.code).toBe(0);
    expect(byId.stdout).toMatch(/^name\s+Production$/m);
    expect(byId.stdout).toMatch(/^configured\s+yes/m);
    const byPrefix = await cli(['show', 'ms-test0ina', '--json']);
    expect(byPrefix.json().key).toMatchObject({ id: 2, status: 'inactive', configured: false });
    const missing = await cli(['show', '9', '--json']);
    expect(missing.code).toBe(1);
    expect(missing.json().diagnoses[0].id).toBe('resource.not-found');
  });

  it('an unknown id: the advice is about keys (list them with apidoctor keys), not about paths or models', async () => {
    const r = await cli(['show', '99']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/No proxy key with the id 99/);
    expect(r.stderr).toMatch(/1\. List the keys with their ids and prefixes: apidoctor keys/);
    expect(r.stderr).not.toMatch(/\bmodels?\b|\(404\)/);
  });

  it('a full key given as the reference finds its record and is not printed back', async () => {
    const r = await cli(['show', KEYS.proxy]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^id\s+1$/m);
  });
});

describe('keys changes: confirmation', () => {
  it('deactivate with no TTY and no --yes exits 2 and sends nothing at all', async () => {
    const r = await cli(['deactivate', '1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--yes');
    expect(r.stderr).toContain('keys activate 1');
    expect(emu.requests).toHaveLength(0);
    const j = await cli(['deactivate', '1', '--json']);
    expect(j.code).toBe(2);
    expect(j.json()).toMatchObject({ exitReason: 'usage', ok: false });
    for (const verb of [
      ['delete', '2'],
      ['activate', '2'],
      ['create', '--name', 'x'],
      ['rotate', '1', '--name', 'x'],
    ]) {
      expect((await cli(verb)).code).toBe(2);
    }
    expect(emu.requests).toHaveLength(0);
    expect(emu.state.keys.map((k) => k.active)).toEqual([true, false]);
  });

  it('deactivate --yes sends PUT /api/keys/1 with {"active": false} and says how to undo it', async () => {
    const r = await cli(['deactivate', '1', '--yes']);
    expect(r.code).toBe(0);
    const put = changes();
    expect(put).toHaveLength(1);
    expect(put[0]).toMatchObject({ method: 'PUT', path: '/api/keys/1' });
    expect(JSON.parse(put[0]!.body)).toEqual({ active: false });
    expect(emu.state.keys[0]!.active).toBe(false);
    expect(r.stdout).toContain('apidoctor keys activate 1');
    expect(r.stderr).toContain('configured with');
  });

  it('activate --yes sends {"active": true}; --yes works before or after the id', async () => {
    const r = await cli(['activate', '--yes', '2', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(changes()[0]!.body)).toEqual({ active: true });
    expect(r.json()).toMatchObject({ action: 'activate', sent: true, key: { id: 2, active: true } });
  });

  it('delete --yes sends DELETE and warns that apps using the key get 401 at once', async () => {
    const r = await cli(['delete', '2', '-y']);
    expect(r.code).toBe(0);
    expect(changes().map((q) => `${q.method} ${q.path}`)).toEqual(['DELETE /api/keys/2']);
    expect(r.stdout).toMatch(/get 401 from now on/);
    expect(emu.state.keys.map((k) => k.id)).toEqual([1]);
  });

  it('an unknown id or a non-numeric id sends no change', async () => {
    const unknown = await cli(['delete', '9', '--yes']);
    expect(unknown.code).toBe(1);
    const bad = await cli(['delete', 'abc', '--yes']);
    expect(bad.code).toBe(2);
    expect(changes()).toHaveLength(0);
  });

  it('on a terminal, asks y/N: "n" sends nothing, "y" sends the change; with stdout piped it does not ask', async () => {
    const runTty = async (answer: string, stdoutTTY = true) => {
      const stdin = Object.assign(new PassThrough(), { isTTY: true });
      let stdout = '';
      let stderr = '';
      const done = main(['keys', 'deactivate', '1'], {
        // CI=1: no spinner on the fake terminal.
        env: { ...env(), NO_COLOR: '1', CI: '1', PATH: process.env.PATH ?? '' },
        cwd: emptyDir(),
        stdout: { write: (s: string) => (stdout += s), isTTY: stdoutTTY },
        stderr: { write: (s: string) => (stderr += s), isTTY: true },
        stdin,
      });
      // Answer once the question is on the screen.
      for (let i = 0; i < 200 && stdoutTTY && !stderr.includes('[y/N]'); i++) await new Promise((r) => setTimeout(r, 25));
      stdin.write(answer + '\n');
      const code = await done;
      return { code, stdout, stderr };
    };
    const no = await runTty('n');
    expect(no.stderr).toMatch(/Deactivate key #1 "Production" \(ms-test0goo\)\?.*configured with.*keys activate 1.*\[y\/N\]/s);
    expect(no.code).toBe(1);
    expect(changes()).toHaveLength(0);
    const yes = await runTty('y');
    expect(yes.code).toBe(0);
    expect(changes().map((q) => `${q.method} ${q.path} ${q.body}`)).toEqual(['PUT /api/keys/1 {"active":false}']);
    for (const k of ALL_KEYS) expect(no.stderr + no.stdout + yes.stderr + yes.stdout).not.toContain(k);

    // stdout piped (contract: never prompts when stdout is not a TTY): refused like any non-terminal.
    emu.reset();
    const piped = await runTty('y', false);
    expect(piped.code).toBe(2);
    expect(piped.stderr).not.toContain('[y/N]');
    expect(emu.requests).toHaveLength(0);
  });
});

describe('keys create and rotate: the new key, once', () => {
  it('create prints the full key exactly once on stdout, warns on stderr it cannot be shown again', async () => {
    const r = await cli(['create', '--name', 'CI', '--expires', '2099-01-31', '--yes']);
    expect(r.code).toBe(0);
    const created = emu.state.keys.find((k) => k.name === 'CI')!;
    expect(created).toBeDefined();
    expect(r.stdout).toBe(`${created.key}\n`);
    expect(count(r.stdout + r.stderr, created.key)).toBe(1);
    expect(r.stderr).toContain('cannot be shown again');
    const post = changes()[0]!;
    expect(post).toMatchObject({ method: 'POST', path: '/api/keys' });
    expect(JSON.parse(post.body)).toEqual({ name: 'CI', expires_at: '2099-01-31T00:00:00.000Z' });

    // Afterwards neither the list nor show ever prints it.
    const list = await cli([]);
    expect(list.stdout).toContain(created.key.slice(0, 11));
    expect(list.stdout + list.stderr).not.toContain(created.key);
    const show = await cli(['show', String(created.id), '--json']);
    expect(show.stdout + show.stderr).not.toContain(created.key);
    const verbose = await cli(['-v', '--json']);
    expect(verbose.stdout + verbose.stderr).not.toContain(created.key);
  });

  it('create --json: the full key is in the one document, once', async () => {
    const r = await cli(['create', '--name', 'Robot', '--json', '--yes']);
    expect(r.code).toBe(0);
    const created = emu.state.keys.find((k) => k.name === 'Robot')!;
    const doc = r.json();
    expect(doc.created).toMatchObject({ id: created.id, name: 'Robot', key: created.key, expiresAt: null });
    expect(count(r.stdout, created.key)).toBe(1);
    expect(r.stderr).not.toContain(created.key);
  });

  it('create -q prints only the key, so KEY=$(apidoctor keys create …) works', async () => {
    const r = await cli(['create', '--name', 'Q', '--yes', '-q']);
    const created = emu.state.keys.find((k) => k.name === 'Q')!;
    expect(r.stdout).toBe(`${created.key}\n`);
    expect(r.stderr).toContain('cannot be shown again');
  });

  it('create: --expires must be a future date; a relative "90d" is accepted', async () => {
    expect((await cli(['create', '--name', 'x', '--expires', '2001-01-01', '--yes'])).code).toBe(2);
    expect((await cli(['create', '--name', 'x', '--expires', 'tomorrow', '--yes'])).code).toBe(2);
    expect(changes()).toHaveLength(0);
    const r = await cli(['create', '--name', 'x', '--expires', '90d', '--yes']);
    expect(r.code).toBe(0);
    const sent = Date.parse(JSON.parse(changes()[0]!.body).expires_at);
    expect(Math.abs(sent - (Date.now() + 90 * DAY))).toBeLessThan(60_000);
  });

  it('rotate creates the new key, prints it once, tells how to switch and delete the old one, and deletes nothing', async () => {
    const r = await cli(['rotate', '1', '--name', 'Production 2', '--yes']);
    expect(r.code).toBe(0);
    const created = emu.state.keys.find((k) => k.name === 'Production 2')!;
    expect(r.stdout).toBe(`${created.key}\n`);
    expect(r.stderr).toContain('Switch your app to the new key');
    expect(r.stderr).toContain('apidoctor keys delete 1');
    expect(changes().map((q) => `${q.method} ${q.path}`)).toEqual(['POST /api/keys']);
    expect(emu.state.keys.map((k) => k.id)).toEqual([1, 2, created.id]);
    expect(emu.state.keys[0]!.active).toBe(true);

    emu.reset();
    const j = await cli(['rotate', '1', '--name', 'P3', '--yes', '--json']);
    const c2 = emu.state.keys.find((k) => k.name === 'P3')!;
    expect(j.json()).toMatchObject({ action: 'rotate', deleted: false, from: { id: 1 }, created: { key: c2.key } });
    expect(j.json().next.join(' ')).toContain('apidoctor keys delete 1');
  });
});
