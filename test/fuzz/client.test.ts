/**
 * Fuzz: the HTTP client (src/http/client.ts send) against a hostile loopback server, in process.
 * Random statuses, headers with invalid UTF-8, bodies of 0 B to 20 MB, lying content-lengths,
 * resets mid-body, drips, headers that never come. send() must never throw, must return within
 * its timeout per attempt, must cap error bodies at 1 MiB and say so, must never wait longer than
 * the retry caps, and what it returns must diagnose cleanly.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_ERROR_BYTES, closeDefaultDispatcher, send, type Clock } from '../../src/http/client.js';
import type { Failure } from '../../src/core/types.js';
import { DIAGNOSIS_IDS, diagnose } from '../../src/diagnosis/engine.js';
import { fillFromBody } from '../../src/diagnosis/failure.js';
import { startHostileServer, type HostileServer, type HostileSpec } from '../helpers/hostile-server.js';
import { FUZZ_SEED, MAX_RETRY_WAIT_MS, describeSpec, hostileSpecArb, withKey } from './arbitraries.js';

const KEY = 'ms-fuzz0client0key0a1b2c3d4e5f6a7b8';
const TIMEOUT_MS = 700;
/** Scheduling slack on a busy 2-core machine: the timer, the abort, the body's teardown. */
const SLACK_MS = 1500;
const CASES = 90;
const PARALLEL = 10;

let server: HostileServer;
beforeAll(async () => {
  server = await startHostileServer();
});
afterAll(async () => {
  await closeDefaultDispatcher();
  await server?.close();
});

/** A clock that does not sleep, and remembers what it was asked to wait. */
function recordingClock(waits: number[]): Clock {
  return { now: () => performance.now(), sleep: async (ms) => void waits.push(ms) };
}

function bodyBytes(spec: HostileSpec): number | undefined {
  if (spec.kind !== 'respond' || spec.body === undefined) return undefined;
  if (typeof spec.body === 'string') return Buffer.byteLength(spec.body);
  if (Buffer.isBuffer(spec.body)) return spec.body.length;
  return spec.body.bytes;
}

describe('answers that are not HTTP', () => {
  it.each([
    ['an SSH banner', { kind: 'garbage', bytes: Buffer.from('SSH-2.0-OpenSSH_9.6\r\n') }],
    ['a TLS alert (http:// sent to an HTTPS port)', { kind: 'garbage', bytes: Buffer.from([0x15, 0x03, 0x01, 0x00, 0x02, 0x02, 0x46]) }],
    ['101 Switching Protocols nobody asked for', { kind: 'respond', status: 101, body: 'x' }],
  ] as Array<[string, HostileSpec]>)('%s: said to be not HTTP, not a transient reset to retry', async (name, spec) => {
    server.serve(`nothttp-${name.length}`, spec);
    const out = await send({ method: 'GET', url: `${server.url}/nothttp-${name.length}/v1/models`, timeoutMs: TIMEOUT_MS });
    expect(out.ok).toBe(false);
    const d = diagnose(fillFromBody((out as { failure: Failure }).failure));
    expect(d).toMatchObject({ id: 'network.reset', category: 'network', retryable: false });
    expect(d.notes.join(' ')).toMatch(/not in HTTP/);
    expect(d.notes.join(' ')).not.toMatch(/does not recognise|\n/);
    expect(d.remedies.join(' ')).toMatch(/port/);
  });
});

describe('answers in HTTP that break its framing', () => {
  const raw = (head: string, body = '') =>
    ({ kind: 'garbage', bytes: Buffer.from(`${head.replace(/\n/g, '\r\n')}\r\n\r\n${body}`, 'latin1') }) as HostileSpec;
  it.each([
    [
      'a bad chunk size in the body',
      raw('HTTP/1.1 200 OK\nContent-Type: application/json\nTransfer-Encoding: chunked', '2\r\n{}\r\nzz\r\n'),
      'HPE_INVALID_CHUNK_SIZE',
    ],
    [
      'both Transfer-Encoding and Content-Length',
      raw('HTTP/1.1 200 OK\nContent-Length: 2\nTransfer-Encoding: chunked', '2\r\n{}\r\n0\r\n\r\n'),
      'HPE_',
    ],
    [
      'a 1xx status with a body after Connection: close',
      { kind: 'respond', status: 103, body: '{}', framing: 'none' },
      'HPE_CLOSED_CONNECTION',
    ],
  ] as Array<[string, HostileSpec, string]>)('%s: a broken HTTP answer, said so, with what the parser said', async (name, spec, code) => {
    const path = `framing-${name.length}`;
    server.serve(path, spec);
    const out = await send({ method: 'GET', url: `${server.url}/${path}/v1/models`, timeoutMs: TIMEOUT_MS });
    expect(out.ok).toBe(false);
    const f = (out as { failure: Failure }).failure;
    expect(f.networkCode).toContain(code);
    const d = diagnose(fillFromBody(f));
    expect(d).toMatchObject({ id: 'network.reset', category: 'network' });
    expect(d.notes.join(' ')).toMatch(/broke its rules \(HPE_/);
    expect(d.notes.join(' ')).not.toMatch(/not in HTTP|does not recognise/);
  });

  it("headers of 20 KiB (a CDN's cookies, say) are read: above Node's default limit, within apidoctor's", async () => {
    server.serve(
      'bigheaders',
      raw(`HTTP/1.1 200 OK\nContent-Type: application/json\nContent-Length: 2\nSet-Cookie: c=${'x'.repeat(20 * 1024)}`, '{}'),
    );
    const out = await send({ method: 'GET', url: `${server.url}/bigheaders/v1/models`, timeoutMs: TIMEOUT_MS });
    expect(out).toMatchObject({ ok: true, status: 200, body: '{}' });
  });
});

describe('fuzz: the HTTP client against a hostile server', () => {
  it(`${CASES} hostile answers: no throw, bounded time, capped bodies, clean diagnoses`, async () => {
    const cases = fc.sample(fc.tuple(hostileSpecArb, fc.integer({ min: 0, max: 2 })), { seed: FUZZ_SEED, numRuns: CASES });
    const started = performance.now();
    const outcomes: Record<string, number> = {};
    for (let i = 0; i < cases.length; i += PARALLEL) {
      await Promise.all(
        cases.slice(i, i + PARALLEL).map(async ([raw, retries], j) => {
          const n = i + j;
          const spec = withKey(raw, KEY);
          server.serve(`c${n}`, spec);
          const waits: number[] = [];
          const t = performance.now();
          const what = `case ${n} (retries ${retries}): ${describeSpec(raw)}`;
          const out = await send(
            {
              method: 'GET',
              url: `${server.url}/c${n}/v1/models`,
              headers: { authorization: `Bearer ${KEY}` },
              timeoutMs: TIMEOUT_MS,
              retries,
            },
            { clock: recordingClock(waits) },
          ).catch((e: unknown) => expect.fail(`${what}: send threw ${String(e)}`));
          const took = performance.now() - t;
          expect(took, what).toBeLessThan((retries + 1) * TIMEOUT_MS + SLACK_MS);
          for (const w of waits) expect(w, what).toBeLessThanOrEqual(MAX_RETRY_WAIT_MS);
          if (out.ok) {
            expect(out.status >= 200 && out.status < 300, what).toBe(true);
            outcomes[`${out.status}`] = (outcomes[`${out.status}`] ?? 0) + 1;
            return;
          }
          const f = out.failure;
          outcomes[f.kind] = (outcomes[f.kind] ?? 0) + 1;
          expect(f.attempts.length, what).toBe(waits.length + 1);
          expect(f.attempts.length, what).toBeLessThanOrEqual(retries + 1);
          if (f.body !== undefined) expect(Buffer.byteLength(f.body), what).toBeLessThanOrEqual(MAX_ERROR_BYTES * 3); // U+FFFD may triple a byte
          if (f.bodyBytes !== undefined) expect(f.bodyBytes, what).toBeLessThanOrEqual(MAX_ERROR_BYTES);
          const size = bodyBytes(spec);
          if (f.kind === 'http' && spec.kind === 'respond' && spec.framing !== 'lie' && size !== undefined && size > MAX_ERROR_BYTES) {
            expect(f.bodyTruncated, `${what}: an error body over 1 MiB must be marked as cut`).toBe(true);
          }
          const d = diagnose(fillFromBody(f));
          expect(DIAGNOSIS_IDS, what).toContain(d.id);
          if (f.bodyTruncated) expect(d.notes.join(' '), what).toMatch(/longer than apidoctor reads/);
        }),
      );
    }
    console.log(
      `client fuzz (seed ${FUZZ_SEED}): ${CASES} cases in ${Math.round(performance.now() - started)} ms; outcomes ${JSON.stringify(outcomes)}`,
    );
  }, 60_000);
});
