/**
 * Real clients, real errors: the openai and @anthropic-ai/sdk packages against the emulator (a real HTTP
 * server on 127.0.0.1), each failure mode produced for real, then read back two ways a user would:
 * the library's diagnose(err) on the caught error, and `apidoctor explain` on what the app printed
 * (String(err) and err.stack).
 */
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { createServer } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { diagnose } from '../../src/lib.js';
import { PRESETS, KEYS, startEmulator, type Emulator } from '../emulator/server.js';
import { runCli } from '../helpers/run-cli.js';

let emu: Emulator;
let closedPort: number;

beforeAll(async () => {
  emu = await startEmulator();
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  closedPort = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
});
afterAll(async () => {
  await emu?.close();
});
beforeEach(() => emu.reset());

interface Mode {
  name: string;
  setup?: () => void;
  key?: string;
  base?: () => string;
  timeout?: number;
  model?: string;
  id: string;
  exit: number;
  retryAfterMs?: number;
  /** What explain can say from the printed text alone, when it holds less than the error object. */
  textId?: string;
}

const EXIT: Record<string, number> = { auth: 4, balance: 5, rate_limit: 6, network: 7, timeout: 8, server: 9, failed: 1 };

const MODES: Mode[] = [
  { name: '401 unknown key', key: KEYS.proxyUnknown, id: 'auth.invalid-key', exit: 4 },
  { name: '402 balance', setup: () => Object.assign(emu.state, { balance: 0, balanceStatus: 402 }), id: 'balance.insufficient', exit: 5 },
  {
    name: '403 balance (descriptive)',
    setup: () => Object.assign(emu.state, { balance: 0, descriptive403: true }),
    id: 'balance.insufficient',
    exit: 5,
  },
  { name: '404 model', model: 'gpt-5-ultra', id: 'model.not-found', exit: 1 },
  {
    name: '429 rate limit',
    setup: () => emu.state.failures.push({ ...PRESETS.rateLimited }),
    id: 'rate.limited',
    exit: 6,
    retryAfterMs: 1000,
  },
  {
    name: '429 insufficient_quota',
    setup: () => emu.state.failures.push({ ...PRESETS.insufficientQuota429 }),
    id: 'balance.insufficient',
    exit: 5,
  },
  { name: '500', setup: () => emu.state.failures.push({ ...PRESETS.serverError }), id: 'server.error', exit: 9 },
  { name: '502', setup: () => emu.state.failures.push({ ...PRESETS.badGateway }), id: 'provider.error', exit: 9 },
  { name: '503', setup: () => emu.state.failures.push({ ...PRESETS.unavailable }), id: 'service.unavailable', exit: 9 },
  // openai-node prints only "Error: Connection error." (the cause, ECONNREFUSED, is on err.cause, not in the
  // text): from the text, a network failure of unknown cause (network.reset, with a note saying so), exit 7.
  { name: 'connection refused', base: () => `http://127.0.0.1:${closedPort}`, id: 'network.refused', exit: 7, textId: 'network.reset' },
  { name: 'timeout', setup: () => emu.state.failures.push({ ...PRESETS.hang }), timeout: 300, id: 'network.timeout', exit: 8 },
];

async function openaiError(m: Mode): Promise<unknown> {
  m.setup?.();
  const client = new OpenAI({
    apiKey: m.key ?? KEYS.proxy,
    baseURL: `${m.base?.() ?? emu.url}/v1`,
    maxRetries: 0,
    timeout: m.timeout ?? 10_000,
  });
  try {
    await client.chat.completions.create({ model: m.model ?? 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
  } catch (e) {
    return e;
  }
  throw new Error(`${m.name}: the request succeeded`);
}

async function anthropicError(m: Mode): Promise<unknown> {
  m.setup?.();
  // The emulator speaks OpenAI's routes; the failures below are injected on Anthropic's path.
  const path = '/v1/messages';
  for (const f of emu.state.failures) f.match = { path };
  const client = new Anthropic({
    apiKey: m.key ?? KEYS.proxy,
    baseURL: m.base?.() ?? emu.url,
    maxRetries: 0,
    timeout: m.timeout ?? 10_000,
  });
  try {
    await client.messages.create({ model: m.model ?? 'claude-sonnet-4', max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] });
  } catch (e) {
    return e;
  }
  throw new Error(`${m.name}: the request succeeded`);
}

async function explainText(text: string): Promise<{ code: number | null; id: string; stderr: string }> {
  const r = await runCli(['explain', '-'], { stdin: text });
  return { code: r.code, id: r.stdout.trim(), stderr: r.stderr };
}

describe('openai (the real SDK) against the emulator', () => {
  for (const m of MODES) {
    it(`${m.name}: diagnose(err) and explain on String(err) and err.stack → ${m.id}`, async () => {
      const err = await openaiError(m);
      const d = diagnose(err);
      expect(d.id, JSON.stringify(d.sources)).toBe(m.id);
      expect(EXIT[d.category]).toBe(m.exit);
      if (m.retryAfterMs !== undefined) expect(d.retryAfterMs).toBe(m.retryAfterMs);
      const json = JSON.stringify(d);
      expect(json).not.toContain(KEYS.proxy);
      expect(json).not.toContain(KEYS.proxyUnknown);
      for (const text of [String(err), (err as Error).stack ?? '']) {
        const r = await explainText(text);
        expect({ id: r.id, code: r.code }, `${text.slice(0, 300)}\n${r.stderr}`).toEqual({ id: m.textId ?? m.id, code: m.exit });
      }
    });
  }
});

// 401/402/403/404 come from the emulator's own checks on /v1 (OpenAI routes); Anthropic's path gets the injected failures.
const ANTHROPIC_MODES = MODES.filter((m) => !/^(401|402|403|404)/.test(m.name));

describe('@anthropic-ai/sdk (the real SDK) against the emulator', () => {
  for (const m of ANTHROPIC_MODES) {
    it(`${m.name}: diagnose(err) and explain on String(err) and err.stack → ${m.id}`, async () => {
      const err = await anthropicError(m);
      const d = diagnose(err);
      expect(d.id, JSON.stringify(d.sources)).toBe(m.id);
      if (m.retryAfterMs !== undefined) expect(d.retryAfterMs).toBe(m.retryAfterMs);
      for (const text of [String(err), (err as Error).stack ?? '']) {
        const r = await explainText(text);
        expect({ id: r.id, code: r.code }, `${text.slice(0, 300)}\n${r.stderr}`).toEqual({ id: m.id, code: m.exit });
      }
    });
  }
  it('401 on Anthropic’s path (x-api-key refused): diagnose(err) → auth.invalid-key', async () => {
    emu.state.failures.push({ ...PRESETS.unauthorized, match: { path: '/v1/messages' } });
    const err = await anthropicError({ name: '401', id: 'auth.invalid-key', exit: 4 });
    expect(diagnose(err).id).toBe('auth.invalid-key');
    expect((await explainText(String(err))).id).toBe('auth.invalid-key');
  });
});
