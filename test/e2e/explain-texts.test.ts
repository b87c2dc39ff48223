/**
 * `apidoctor explain` on what users hold: an SDK's exception text, a HAR file, and input that is not a text
 * at all. What the user sees: the verdict, the exit code, and the line saying what was read from where.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { emptyDir, flat, runCli } from '../helpers/run-cli.js';

const ISSUE_TEXT =
  "openai.RateLimitError: Error code: 429 - {'error': {'message': 'You exceeded your current quota, please check your plan and billing details. ...', 'type': 'insufficient_quota', 'param': None, 'code': 'insufficient_quota'}}\n";

describe('explain: error texts', () => {
  it("the issue's example: openai.RateLimitError with insufficient_quota is the balance, exit 5, and says what it read from where", async () => {
    const dir = emptyDir();
    writeFileSync(join(dir, 'err.txt'), ISSUE_TEXT);
    const r = await runCli(['explain', 'err.txt'], { cwd: dir });
    expect(r.code, r.stderr).toBe(5);
    expect(r.stdout.trim()).toBe('balance.insufficient');
    expect(r.stderr).toMatch(/Read: status 429 from “Error code: 429”; body from the Python dict after it/);
    const j = await runCli(['explain', 'err.txt', '--json'], { cwd: dir });
    expect(j.json()).toMatchObject({
      exitCode: 5,
      diagnoses: [{ id: 'balance.insufficient', category: 'balance', evidence: { status: 429, code: 'insufficient_quota' } }],
      input: {
        status: 429,
        sources: ['status 429 from “Error code: 429”', 'body from the Python dict after it', expect.stringMatching(/^OpenAI’s error/)],
      },
    });
  });

  it('openai-node: "Error: 403 Access denied despite a valid key." is a 403, not an unexpected status', async () => {
    const r = await runCli(['explain', '-'], { stdin: 'Error: 403 Access denied despite a valid key.' });
    expect(r.stdout.trim()).toBe('access.denied');
    expect(r.code).toBe(4);
  });

  it('connect ECONNREFUSED is a refused connection (exit 7), not an HTTP status', async () => {
    const r = await runCli(['explain', '-'], {
      stdin: 'Error: connect ECONNREFUSED 127.0.0.1:443\n    at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1555:16)',
    });
    expect(r.stdout.trim()).toBe('network.refused');
    expect(r.code).toBe(7);
  });

  it('another vendor’s secrets in the text are masked in the output', async () => {
    const key = 'sk-proj-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789';
    const ant = 'sk-ant-api03-AbCdEfGhIjKlMnOpQrStUvWxYz';
    const r = await runCli(['explain', '-', '--json'], {
      stdin: `openai.AuthenticationError: Error code: 401 - {'error': {'message': 'Incorrect API key provided: ${key} (${ant}).', 'type': 'invalid_request_error', 'param': None, 'code': 'invalid_api_key'}}`,
    });
    expect(r.json().diagnoses[0].id).toBe('auth.invalid-key');
    expect(r.stdout + r.stderr).not.toContain(key);
    expect(r.stdout + r.stderr).not.toContain(ant);
  });
});

describe('explain: bounds', () => {
  it('binary input gets a clear usage answer (exit 2), no stack trace', async () => {
    const dir = emptyDir();
    const png = Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      Buffer.alloc(4096, 0),
      Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 31) % 256)),
    ]);
    writeFileSync(join(dir, 'shot.png'), png);
    const r = await runCli(['explain', 'shot.png'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/binary data .*not a response or an error text/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('a 10 MB line is read in bounded time with a defined exit code', async () => {
    const dir = emptyDir();
    writeFileSync(join(dir, 'long.txt'), `Error: 429 ${'x'.repeat(10 * 1024 * 1024)}\n`);
    const t = performance.now();
    const r = await runCli(['explain', 'long.txt'], { cwd: dir, timeoutMs: 30_000 });
    expect(r.code).toBe(6);
    expect(r.stdout.trim()).toBe('rate.limited');
    expect(performance.now() - t).toBeLessThan(15_000);
  });

  it('a directory, or a file larger than 32 MiB, is a usage error', async () => {
    const dir = emptyDir();
    const r = await runCli(['explain', dir], { cwd: dir });
    expect(r.code).toBe(2);
    // The path of a temporary folder is long: the message wraps at 80 columns, maybe inside the phrase.
    expect(flat(r.stderr)).toMatch(/it is a directory/);
  });
});
