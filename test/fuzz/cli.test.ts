/**
 * Fuzz: the built CLI (call, explain, doctor) against a hostile loopback server. Every run must end
 * within its timeout plus a margin, exit with a code of the contract, print no stack trace, print
 * exactly one JSON document with --json, and never print a key — wherever the key came from
 * (flag, environment, config file) and whatever the server echoes back.
 *
 * Needs the built CLI: `npm run build` (npm test does it first).
 */
import fc from 'fast-check';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT_CODES } from '../../src/core/exit.js';
import { runCli, type CliRun } from '../helpers/run-cli.js';
import { startHostileServer, type HostileServer, type HostileSpec } from '../helpers/hostile-server.js';
import { FUZZ_SEED, MAX_RETRY_WAIT_MS, describeSpec, hostileSpecArb, withKey } from './arbitraries.js';

const API_KEY = 'ms-fuzz0cli0proxy0key0a1b2c3d4e5f6a7';
const BILLING_KEY = 'mk-fuzz0cli0billing0k0b2c3d4e5f6a7b8';
/** Distinctive middles of the keys: the masked form never shows them, so finding one is a leak. */
const KEY_MIDDLES = [API_KEY.slice(8, 28), BILLING_KEY.slice(8, 28)];
const TIMEOUT_MS = 1500;
/** Process start, module load and teardown on a busy 2-core machine. */
const MARGIN_MS = 3000;
const RUNS = 36;
const PARALLEL = 3;
const CODES = new Set(Object.values(EXIT_CODES));
const REASON_OF = new Map(Object.entries(EXIT_CODES).map(([r, c]) => [c, r]));

interface Case {
  command: 'call' | 'explain' | 'doctor';
  spec: HostileSpec;
  json: boolean;
  verbose: boolean;
  include: boolean;
  /** call POST only: --stream (server-sent events printed as they arrive). */
  stream: boolean;
  retries: 0 | 1;
  keysFrom: 'flag' | 'env' | 'file';
}

const caseArb: fc.Arbitrary<Case> = fc.record({
  command: fc.constantFrom('call' as const, 'call' as const, 'explain' as const, 'doctor' as const),
  spec: hostileSpecArb,
  json: fc.boolean(),
  verbose: fc.boolean(),
  include: fc.boolean(),
  stream: fc.boolean(),
  retries: fc.constantFrom(0 as const, 1 as const),
  keysFrom: fc.constantFrom('flag' as const, 'env' as const, 'file' as const),
});

/** What `curl -i` would have saved of this answer, as bytes (for explain). */
function savedResponse(spec: HostileSpec): Buffer {
  switch (spec.kind) {
    case 'respond': {
      const b = spec.body;
      const body =
        b === undefined ? Buffer.alloc(0) : typeof b === 'string' ? Buffer.from(b) : Buffer.isBuffer(b) ? b : Buffer.alloc(b.bytes, b.fill);
      const head = [
        `HTTP/1.1 ${spec.status} X`,
        ...(spec.headers ?? []).map(([n, v]) => `${n}: ${Buffer.isBuffer(v) ? v.toString('latin1') : v}`),
      ].join('\r\n');
      return Buffer.concat([Buffer.from(head + '\r\n\r\n', 'latin1'), body]);
    }
    case 'drip':
      return Buffer.from(`HTTP/1.1 ${spec.status} X\r\ncontent-type: ${spec.contentType ?? 'application/json'}\r\n\r\n${spec.body}`);
    case 'partialHeaders':
      return Buffer.from(spec.text, 'latin1');
    case 'garbage':
      return spec.bytes;
    case 'resetMidBody':
      return Buffer.from(
        `HTTP/1.1 ${spec.status} X\r\ncontent-length: ${spec.total}\r\n\r\n${'{'.repeat(Math.min(spec.bytes, spec.total))}`,
      );
    default:
      return Buffer.alloc(0);
  }
}

/** How long a drip takes to send all of its body (a stream's timeout is an idle timeout, so it may take that long). */
function dripMs(spec: HostileSpec): number {
  return spec.kind === 'drip' ? Math.ceil(Buffer.byteLength(spec.body) / spec.chunkBytes) * spec.delayMs : 0;
}

/** The longest a run may take: every attempt's timeout, every allowed wait, and the margin. */
function bound(c: Case): number {
  if (c.command === 'call' && c.stream)
    return (c.retries + 1) * (TIMEOUT_MS + dripMs(c.spec)) + c.retries * MAX_RETRY_WAIT_MS + TIMEOUT_MS + MARGIN_MS;
  if (c.command === 'explain') return MARGIN_MS + 2000; // no network; up to 20 MB to read
  if (c.command === 'doctor') return 2 * TIMEOUT_MS + MARGIN_MS; // checks run alongside; a 403 waits on the billing checks
  // call: each attempt, each wait, and the 402/403 follow-up (balance and keys, asked together)
  return (c.retries + 1) * TIMEOUT_MS + c.retries * MAX_RETRY_WAIT_MS + TIMEOUT_MS + MARGIN_MS;
}

let server: HostileServer;
beforeAll(async () => {
  server = await startHostileServer();
});
afterAll(async () => {
  await server?.close();
});

async function runCase(c: Case, n: number): Promise<{ run: CliRun; what: string }> {
  const name = `c${n}`;
  const spec = withKey(c.spec, c.keysFrom === 'file' || n % 2 ? API_KEY : BILLING_KEY);
  server.serve(name, spec);
  const cwd = mkdtempSync(join(tmpdir(), 'apidoctor-fuzz-'));
  const base = `${server.url}/${name}`;
  const env: Record<string, string> = {};
  const args: string[] = [];
  if (c.keysFrom === 'flag') args.push('--api-key', API_KEY, '--billing-key', BILLING_KEY);
  if (c.keysFrom === 'env') Object.assign(env, { MODELSWITCH_API_KEY: API_KEY, MODELSWITCH_BILLING_KEY: BILLING_KEY });
  if (c.keysFrom === 'file') writeFileSync(join(cwd, '.apidoctorrc.json'), JSON.stringify({ apiKey: API_KEY, billingKey: BILLING_KEY }));
  if (c.command === 'call') {
    const post = c.stream || n % 3 === 0;
    args.unshift('call', ...(post ? ['POST', '/v1/chat/completions', '--data', '{"model":"gpt-4o","messages":[]}'] : ['/v1/models']));
    if (c.stream) args.push('--stream');
    args.push('--retries', String(c.retries));
    if (c.include) args.push('--include');
  } else if (c.command === 'doctor') {
    args.unshift('doctor');
  } else {
    const file = join(cwd, 'saved.txt');
    writeFileSync(file, savedResponse(spec));
    args.unshift('explain', file);
  }
  if (c.command !== 'explain') args.push('--base-url', base, '--timeout', String(TIMEOUT_MS));
  if (c.json) args.push('--json');
  if (c.verbose) args.push('--verbose');
  const run = await runCli(args, { env, cwd, timeoutMs: bound(c) + 10_000 });
  return {
    run,
    what: `case ${n} ${c.command} ${args.filter((a) => !a.includes(server.url)).join(' ')} (keys from ${c.keysFrom}) against ${describeSpec(c.spec)}`,
  };
}

function check(c: Case, run: CliRun, what: string): void {
  const said = `${what}\n--- exit ${run.code} (${run.signal ?? 'no signal'}) after ${Math.round(run.durationMs)} ms\n--- stdout:\n${run.stdout.slice(0, 1500)}\n--- stderr:\n${run.stderr.slice(0, 1500)}`;
  expect(run.signal, `killed: ${said}`).toBeNull();
  expect(CODES.has(run.code!), `exit code outside the contract: ${said}`).toBe(true);
  expect(run.code, `a usage error from valid arguments: ${said}`).not.toBe(2);
  expect(run.durationMs, `took too long: ${said}`).toBeLessThan(bound(c));
  expect(run.stderr, `a stack trace: ${said}`).not.toMatch(/^\s+at .+(:\d+:\d+\)?|<anonymous>\)?)$/m);
  expect(run.stderr, `an internal error: ${said}`).not.toMatch(/internal error|could not start/);
  for (const secret of [API_KEY, BILLING_KEY, ...KEY_MIDDLES]) {
    expect(run.stdout.includes(secret), `a key on stdout: ${said}`).toBe(false);
    expect(run.stderr.includes(secret), `a key on stderr: ${said}`).toBe(false);
  }
  if (c.json) {
    let doc: Record<string, unknown> | undefined;
    expect(() => (doc = JSON.parse(run.stdout) as Record<string, unknown>), `not exactly one JSON document: ${said}`).not.toThrow();
    expect(doc!.schemaVersion, said).toBe(1);
    expect(doc!.command, said).toBe(c.command);
    expect(doc!.exitCode, said).toBe(run.code);
    expect(doc!.exitReason, said).toBe(REASON_OF.get(run.code!));
    expect(doc!.ok, said).toBe(run.code === 0);
    expect(Array.isArray(doc!.diagnoses), said).toBe(true);
    if (c.command !== 'doctor' && run.code !== 0) expect((doc!.diagnoses as unknown[]).length, `one diagnosis: ${said}`).toBe(1);
  }
}

/** Hostile answers that once broke the CLI, kept as fixed cases beside the random ones. */
const REGRESSIONS: Array<[string, Case]> = [
  // JSON.parse reads 100,000 levels of nesting; JSON.stringify of the --json document overflowed the stack.
  [
    'a success body nested 100,000 deep, call --json',
    {
      command: 'call',
      json: true,
      verbose: false,
      include: false,
      stream: false,
      retries: 0,
      keysFrom: 'flag',
      spec: {
        kind: 'respond',
        status: 200,
        headers: [['content-type', 'application/json']],
        body: '['.repeat(100_000) + ']'.repeat(100_000),
      },
    },
  ],
  [
    'a model list nested 20,000 deep, doctor --json',
    {
      command: 'doctor',
      json: true,
      verbose: true,
      include: false,
      stream: false,
      retries: 0,
      keysFrom: 'env',
      spec: {
        kind: 'respond',
        status: 200,
        headers: [['content-type', 'application/json']],
        body: '{"data":' + '['.repeat(20_000) + ']'.repeat(20_000) + ',"keys":[],"balance":5}',
      },
    },
  ],
  [
    'an error body nested 100,000 deep, call --json',
    {
      command: 'call',
      json: true,
      verbose: false,
      include: true,
      stream: false,
      retries: 0,
      keysFrom: 'file',
      spec: {
        kind: 'respond',
        status: 400,
        headers: [['content-type', 'application/json']],
        body: '{"error":' + '{"a":'.repeat(100_000) + '1' + '}'.repeat(100_000) + '}',
      },
    },
  ],
  [
    'server-sent events nested 50,000 deep, call --stream --json',
    {
      command: 'call',
      json: true,
      verbose: false,
      include: false,
      stream: true,
      retries: 0,
      keysFrom: 'flag',
      spec: {
        kind: 'respond',
        status: 200,
        headers: [['content-type', 'text/event-stream']],
        body: `data: ${'['.repeat(50_000)}${']'.repeat(50_000)}\n\ndata: [DONE]\n\n`,
      },
    },
  ],
];

describe('fuzz: the built CLI against a hostile server', () => {
  it.each(REGRESSIONS)('regression: %s', async (_name, c) => {
    const { run, what } = await runCase(c, 1000 + REGRESSIONS.findIndex(([, x]) => x === c));
    check(c, run, what);
  });

  it(`${RUNS} runs of call, explain and doctor: bounded, contract exit codes, one JSON document, no key, no stack`, async () => {
    const cases = fc.sample(caseArb, { seed: FUZZ_SEED, numRuns: RUNS });
    const started = performance.now();
    const codes: Record<string, number> = {};
    let i = 0;
    const worker = async () => {
      while (i < cases.length) {
        const n = i++;
        const c = cases[n]!;
        const { run, what } = await runCase(c, n);
        codes[`${c.command} ${run.code}`] = (codes[`${c.command} ${run.code}`] ?? 0) + 1;
        check(c, run, what);
      }
    };
    await Promise.all(Array.from({ length: PARALLEL }, worker));
    console.log(
      `CLI fuzz (seed ${FUZZ_SEED}): ${RUNS} runs in ${Math.round(performance.now() - started)} ms; exit codes ${JSON.stringify(codes)}`,
    );
  }, 120_000);
});
