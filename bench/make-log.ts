/**
 * Writes a realistic application log of about `bytes` bytes for the log bench: timestamped INFO lines
 * with request ids and timings, pino JSON lines, and about 1 line in 50 an error — pino lines with an
 * openai-node error, bare JSON error bodies, Python tracebacks, Node stacks with their fields — with
 * ids, times and numbers that vary, as they do.
 */
import { openSync, writeSync, closeSync } from 'node:fs';

export function makeLog(path: string, bytes: number): { lines: number; errors: number } {
  const fd = openSync(path, 'w');
  let size = 0;
  let lines = 0;
  let errors = 0;
  let t = Date.UTC(2024, 4, 1, 8, 0, 0);
  let seed = 42;
  // mulberry32: the same log every run
  const rnd = (n: number) => {
    seed = (seed + 0x6d2b79f5) | 0;
    let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) % n;
  };
  const hex = (n: number) => Array.from({ length: n }, () => '0123456789abcdef'[rnd(16)]).join('');
  let buf: string[] = [];
  let pending = 0;
  const push = (s: string) => {
    buf.push(s);
    pending += s.length + 1;
    lines += s.split('\n').length;
    if (pending > 1 << 20) {
      const chunk = buf.join('\n') + '\n';
      writeSync(fd, chunk);
      size += Buffer.byteLength(chunk);
      buf = [];
      pending = 0;
    }
  };
  while (size + pending < bytes) {
    t += rnd(400);
    const iso = new Date(t).toISOString();
    const k = rnd(100);
    if (k < 55)
      push(
        `${iso.replace('T', ' ').replace('Z', '')} INFO  [http-${rnd(32)}] req=${hex(12)} POST /v1/chat/completions 200 in ${rnd(2000)} ms tokens=${rnd(4000)}`,
      );
    else if (k < 80)
      push(
        JSON.stringify({
          level: 30,
          time: t,
          pid: 4242,
          hostname: 'api-7f9c',
          reqId: `req-${hex(8)}`,
          res: { statusCode: 200 },
          responseTime: rnd(1500),
          msg: 'request completed',
        }),
      );
    else if (k < 98)
      push(
        `${iso.replace('T', ' ').replace('Z', '')} DEBUG [cache] hit ratio 0.${rnd(100)} for session ${hex(16)} after ${rnd(900)} lookups`,
      );
    else {
      errors++;
      const e = rnd(4);
      if (e === 0)
        push(
          JSON.stringify({
            level: 50,
            time: t,
            pid: 4242,
            hostname: 'api-7f9c',
            reqId: `req-${hex(8)}`,
            err: {
              type: 'RateLimitError',
              message: `429 Rate limit reached for gpt-4o on tokens per min (TPM): Limit 30000, Used ${29000 + rnd(1000)}, Requested ${rnd(3000)}.`,
              stack: 'Error: 429 Rate limit reached\n    at APIError.generate (/app/node_modules/openai/error.js:63:20)',
              status: 429,
              headers: { 'retry-after': String(1 + rnd(5)), 'x-request-id': `req_${hex(24)}` },
              error: {
                message: 'Rate limit reached for gpt-4o on tokens per min (TPM)',
                type: 'tokens',
                param: null,
                code: 'rate_limit_exceeded',
              },
            },
            msg: 'chat completion failed',
          }),
        );
      else if (e === 1)
        push(
          JSON.stringify({
            error: {
              message: 'Account balance is insufficient',
              type: 'invalid_request_error',
              code: 'insufficient_balance',
              request_id: `req_${hex(24)}`,
            },
          }),
        );
      else if (e === 2)
        push(
          `${iso.replace('T', ' ').replace('Z', '')} ERROR [worker] summarising document ${rnd(99999)} failed\nTraceback (most recent call last):\n  File "/srv/worker/tasks.py", line 57, in summarise\n    response = client.chat.completions.create(model=MODEL, messages=messages)\n  File "/srv/venv/lib/python3.11/site-packages/openai/_base_client.py", line 1037, in _request\n    raise self._make_status_error_from_response(err.response) from None\nopenai.InternalServerError: Error code: 502 - {'error': {'message': 'Upstream provider error', 'type': 'server_error', 'code': 'bad_gateway'}}`,
        );
      else
        push(
          `Error: 503 Service temporarily unavailable\n    at APIError.generate (/app/node_modules/openai/error.js:78:20)\n    at async summarize (/app/src/summarize.js:22:20) {\n  status: 503,\n  headers: { 'x-request-id': 'req_${hex(20)}' },\n  error: { message: 'Service temporarily unavailable', type: 'server_error', code: 'service_unavailable' }\n}`,
        );
    }
  }
  const chunk = buf.join('\n') + '\n';
  writeSync(fd, chunk);
  closeSync(fd);
  return { lines, errors };
}
