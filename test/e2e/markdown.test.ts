/**
 * doctor --format markdown: one redacted report to paste into a support ticket — apidoctor and Node
 * versions, the OS, where each setting came from, every check with its detail, the request ids.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { startEmulator, KEYS, type Emulator } from '../emulator/server.js';
import { emulatorEnv, expectNoKeys } from '../helpers/emulated.js';
import { runCli } from '../helpers/run-cli.js';
import { CHECKS } from '../../src/checks/table.js';

const VERSION = (JSON.parse(readFileSync(resolve(import.meta.dirname, '../../package.json'), 'utf8')) as { version: string }).version;
let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(async () => {
  await emu.close();
});
beforeEach(() => emu.reset());

/** The cells of a Markdown table row (escaped pipes stay inside their cell). */
const cells = (row: string) => row.replace(/\\\|/g, '').split('|').length - 2;

describe('doctor --format markdown', () => {
  it('a failure: versions, OS, sources, every check, the diagnosis with its request id; no key; exit as usual', async () => {
    emu.state.failures.push({
      status: 401,
      headers: { 'content-type': 'application/json', 'x-request-id': 'req_7f3a9c2e41' },
      body: { error: { message: 'Invalid API key | <b>x</b>', type: 'authentication_error', code: 'invalid_api_key' } },
      match: { path: '/v1/models' },
    });
    const r = await runCli(['doctor', '--format', 'markdown', '--model', 'gpt-4o'], { env: emulatorEnv(emu) });
    expect(r.code).toBe(4);
    const md = r.stdout;
    expect(md).toMatch(/^### apidoctor doctor report$/m);
    expect(md).toContain(`apidoctor ${VERSION} · Node ${process.version} · ${process.platform}`);
    expect(md).toMatch(/^\| Proxy key \| `ms-test…\w{4}` \| MODELSWITCH_API_KEY \|$/m);
    expect(md).toMatch(/^\| Base URL \| `http:\/\/127\.0\.0\.1:\d+` \| MODELSWITCH_BASE_URL \|$/m);
    expect(md).toMatch(/^\| Model \| `gpt-4o` \| --model \|$/m);
    for (const id of ['config.sources', 'network.tcp', 'api.proxy-key', 'api.balance', 'api.model']) expect(md).toContain(`\`${id}\``);
    expect(md).toMatch(/❌ \| Proxy key accepted/);
    expect(md).toContain('`req_7f3a9c2e41`');
    expect(md).toMatch(/\*\*Exit 4 \(auth\)\*\*/);
    // Tables stay tables: every row of a table has its header's number of cells, server text included.
    const tables = md.split('\n\n').filter((b) => b.startsWith('|'));
    expect(tables.length).toBe(2);
    for (const t of tables) {
      const rows = t.split('\n').filter(Boolean);
      for (const row of rows) expect(cells(row), row).toBe(cells(rows[0]!));
    }
    // Server text cannot become HTML: escaped in cells, inside a code span elsewhere.
    for (const t of tables) expect(t).not.toContain('<b>');
    expect(md).toMatch(/Server said: `Invalid API key \| <b>x<\/b>`/);
    expectNoKeys(r);
  });

  it('healthy: exit 0, every check passing or skipped, and nothing on stderr', async () => {
    const r = await runCli(['doctor', '--format', 'markdown'], { env: emulatorEnv(emu) });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\*\*Healthy\*\*/);
    expect(r.stdout).toMatch(/^\| Billing key \| `mk-test…\w{4}` \| MODELSWITCH_BILLING_KEY \|$/m);
    expect(r.stderr).toBe('');
    expect(r.stdout.match(/^\| (✅|⚠️|❌|⏭️) \|/gm)).toHaveLength(CHECKS.filter((c) => c.byDefault !== false).length);
    expectNoKeys(r);
    for (const k of Object.values(KEYS)) expect(r.stdout).not.toContain(k);
  });
});
