/** Generators of hostile responses, shared by the fuzz suites. Every suite runs them with FUZZ_SEED. */
import fc from 'fast-check';
import type { HostileSpec } from '../helpers/hostile-server.js';

/** The fixed seed: the same cases on every run and in CI. Override with FUZZ_SEED=<n> to explore. */
export const FUZZ_SEED = Number(process.env.FUZZ_SEED ?? 20_260_601);

/** Error types and codes real gateways send, plus the ones the rules key on. */
export const KNOWN_TYPES = [
  'invalid_request_error',
  'authentication_error',
  'permission_error',
  'not_found_error',
  'rate_limit_error',
  'api_error',
  'overloaded_error',
  'server_error',
  'insufficient_quota',
  'billing_error',
  'invalid_api_key',
  'RESOURCE_EXHAUSTED',
  'PERMISSION_DENIED',
  'UNAVAILABLE',
  'INVALID_ARGUMENT',
  'error',
  'timeout_error',
] as const;
export const KNOWN_CODES = [
  'invalid_api_key',
  'insufficient_quota',
  'insufficient_balance',
  'model_not_found',
  'rate_limit_exceeded',
  'forbidden',
  'key_deactivated',
  'key_expired',
  'spend_limit_reached',
  'wrong_key_type',
  'not_found',
  'context_length_exceeded',
  'unsupported_country_region_territory',
  '429',
  '500',
] as const;
const MESSAGES = [
  'Invalid API key',
  'Access denied',
  'Your credit balance is too low',
  'Rate limit reached, retry after 20 s',
  'Model gpt-9 not found',
  'budget has been exceeded',
  'key deactivated',
  'upstream connect error',
  'The server is overloaded',
] as const;

/** Any status a server could put on its status line, and some it could not. */
export const statusArb: fc.Arbitrary<number> = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 100, max: 599 }) },
  { weight: 3, arbitrary: fc.constantFrom(200, 204, 400, 401, 402, 403, 404, 408, 429, 500, 502, 503, 504, 520, 522, 529) },
  { weight: 1, arbitrary: fc.integer({ min: 600, max: 999 }) },
);

/** Statuses beyond the wire's range: for diagnose(), which may be handed anything. */
export const wildStatusArb: fc.Arbitrary<number | undefined> = fc.oneof(
  statusArb,
  fc.constantFrom(undefined, 0, -1, 1, 99, 1000, 65_535, 1e9, Number.NaN, Number.POSITIVE_INFINITY, 404.5, -0),
  fc.integer(),
);

const errorFieldArb = fc.oneof(
  fc.constantFrom(...KNOWN_TYPES, ...KNOWN_CODES),
  fc.string({ maxLength: 30 }),
  fc.integer(),
  fc.constant(null),
);

/** A valid error envelope of some vendor, with random type/code/message. */
export const envelopeArb: fc.Arbitrary<string> = fc
  .record({
    shape: fc.constantFrom('openai', 'anthropic', 'google', 'flat', 'detail', 'string-error', 'array'),
    message: fc.oneof(fc.constantFrom(...MESSAGES), fc.string({ maxLength: 200 }), fc.constant(null)),
    type: errorFieldArb,
    code: errorFieldArb,
    extra: fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }),
  })
  .map(({ shape, message, type, code, extra }) => {
    const e = { message, type, code, ...extra };
    switch (shape) {
      case 'openai':
        return JSON.stringify({ error: e });
      case 'anthropic':
        return JSON.stringify({ type: 'error', error: { type, message }, request_id: 'req_0123456789' });
      case 'google':
        return JSON.stringify([
          { error: { code, message, status: type, details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: code }] } },
        ]);
      case 'flat':
        return JSON.stringify({ code, msg: message, ...extra });
      case 'detail':
        return JSON.stringify({ detail: [{ loc: ['body', 'model'], msg: message, type }] });
      case 'string-error':
        return JSON.stringify({ error: message, error_description: type });
      default:
        return JSON.stringify([e, e]);
    }
  });

/** JSON that breaks off anywhere. */
const truncatedArb = fc.tuple(envelopeArb, fc.nat()).map(([s, n]) => s.slice(0, n % Math.max(1, s.length)));

/** Nesting far past any sane depth, in arrays, objects, and inside the error object. */
const deepArb = fc.tuple(fc.integer({ min: 100, max: 50_000 }), fc.constantFrom('array', 'object', 'error', 'unclosed')).map(([n, how]) => {
  switch (how) {
    case 'array':
      return '['.repeat(n) + ']'.repeat(n);
    case 'object':
      return '{"a":'.repeat(n) + '1' + '}'.repeat(n);
    case 'error':
      return '{"error":'.repeat(n) + '{"message":"deep"}' + '}'.repeat(n);
    default:
      return '{"error":{"message":"' + '['.repeat(n);
  }
});

/** Raw bytes decoded as a client would (invalid UTF-8 becomes U+FFFD). */
const binaryArb = fc.uint8Array({ maxLength: 512 }).map((b) => Buffer.from(b).toString('utf8'));

const htmlArb = fc
  .tuple(fc.string({ maxLength: 60 }), fc.constantFrom('', 'cloudflare', 'nginx/1.25.3', 'openresty', 'Error code 522', 'Just a moment...'))
  .map(
    ([t, sig]) => `<!DOCTYPE html><html><head><title>${t} ${sig}</title></head><body><h1>${t}</h1><center>${sig}</center></body></html>`,
  );

const sseArb = fc
  .array(fc.oneof(fc.string({ maxLength: 40 }), envelopeArb, fc.constant('[DONE]')), { maxLength: 6 })
  .map((xs) => xs.map((x, i) => (i % 3 === 1 ? `event: error\ndata: ${x}\n\n` : `data: ${x}\n\n`)).join(''));

/** A body too big to be sane (each is 1–2 MiB, past the client's 1 MiB cap, so few are generated). */
const hugeArb = fc
  .tuple(fc.integer({ min: 1, max: 2 }), fc.constantFrom('x', '{', '[', '<', '"', 'data: x\n', '\\u00', '\n'))
  .map(([mib, unit]) => unit.repeat(Math.ceil((mib * 1024 * 1024) / unit.length)));

/** Any body at all. */
export const bodyArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 5, arbitrary: envelopeArb },
  { weight: 3, arbitrary: truncatedArb },
  { weight: 1, arbitrary: deepArb },
  { weight: 2, arbitrary: binaryArb },
  { weight: 2, arbitrary: htmlArb },
  { weight: 2, arbitrary: sseArb },
  { weight: 1, arbitrary: fc.constantFrom('', ' ', '\r\n\r\n', 'null', '0', '""', '[]', '{}', 'true', '\u0000', '\uFEFF{}') },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 300 }) },
  { weight: 1, arbitrary: fc.json({ maxDepth: 4 }) },
);

/** A few huge bodies, kept apart so that a suite can bound how many it makes. */
export const hugeBodyArb = hugeArb;

/** Header names that rules and parsers read, and values that try to break them. */
const HEADER_NAMES = [
  'content-type',
  'retry-after',
  'retry-after-ms',
  'x-request-id',
  'request-id',
  'cf-ray',
  'cf-mitigated',
  'server',
  'x-vercel-error',
  'www-authenticate',
  'location',
  'x-ratelimit-remaining-requests',
  'via',
  'x-amzn-errortype',
] as const;
export const headerValueArb: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.constantFrom(
    'application/json',
    'text/html; charset=utf-8',
    'text/event-stream',
    'application/octet-stream',
    'cloudflare',
    'nginx',
    '1000000000',
    '-1',
    '0',
    '1e9',
    'NaN',
    'Thu, 01 Jan 1970 00:00:00 GMT',
    'Fri, 31 Dec 9999 23:59:59 GMT',
    'challenge',
    '  ',
  ),
);
export const headersArb: fc.Arbitrary<Record<string, string>> = fc.dictionary(
  fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...HEADER_NAMES) },
    { weight: 1, arbitrary: fc.string({ minLength: 1, maxLength: 12 }) },
  ),
  headerValueArb,
  { maxKeys: 6 },
);

export const NETWORK_CODES = [
  'ECONNRESET',
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EPIPE',
  'UND_ERR_SOCKET',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'HPE_INVALID_CONSTANT',
  'HPE_INVALID_HEADER_TOKEN',
  'UND_ERR_PRX_TLS',
  'ABORT_ERR',
  'UNKNOWN',
  'ENETUNREACH',
] as const;

// ── hostile servers (see test/helpers/hostile-server.ts) ───────────────────────────────────────

/** Stands for the key the client sent; replaced by the real key before the spec is served. */
export const KEY_PLACEHOLDER = '{{KEY}}';

/**
 * Retry-After values that try to make a client wait forever or misbehave. All of them either stop
 * the retries or mean at most a 2 s wait, so that a run's time stays predictable.
 */
export const RETRY_AFTER = [
  '1000000000',
  '99999999999999999999',
  'Thu, 01 Jan 1970 00:00:00 GMT',
  'Fri, 31 Dec 9999 23:59:59 GMT',
  '0',
  '1',
  '2',
  '-3',
  'soon',
  '1e3',
  '',
] as const;
/** The longest wait any RETRY_AFTER value can cause (2 s, or backoff 1 s + jitter). */
export const MAX_RETRY_WAIT_MS = 2100;

const INVALID_UTF8 = [
  Buffer.from([0xc3, 0x28]),
  Buffer.from([0xff, 0xfe, 0xfd]),
  Buffer.from([0xe2, 0x82]),
  Buffer.from([0xf0, 0x28, 0x8c, 0xbc]),
  Buffer.from([0xed, 0xa0, 0x80]),
];

const rawHeaderArb: fc.Arbitrary<readonly [string, string | Buffer]> = fc.oneof(
  fc.constantFrom(...RETRY_AFTER).map((v) => ['retry-after', v] as const),
  fc
    .constantFrom(
      'application/json',
      'text/html',
      'text/event-stream',
      'text/plain',
      'application/octet-stream',
      'application/json; charset=latin1',
    )
    .map((v) => ['content-type', v] as const),
  fc.constantFrom(...INVALID_UTF8).map((b) => ['x-weird', Buffer.concat([Buffer.from('a'), b, Buffer.from('z')])] as const),
  fc
    .constantFrom('x-request-id', 'cf-ray', 'server', 'x-echo-key', 'www-authenticate', 'set-cookie')
    .map((n) => [n, n === 'server' ? 'cloudflare' : `Bearer ${KEY_PLACEHOLDER}`] as const),
  fc.constantFrom('location').map((n) => [n, `http://localhost:1/?key=${KEY_PLACEHOLDER}`] as const),
);

/** Bodies as bytes: text bodies, invalid UTF-8, echoes of the key, documented shapes with hostile contents. */
const wireBodyArb: fc.Arbitrary<string | Buffer> = fc.oneof(
  { weight: 6, arbitrary: bodyArb },
  {
    weight: 2,
    arbitrary: fc.constantFrom(...INVALID_UTF8).map((b) => Buffer.concat([Buffer.from('{"error":{"message":"'), b, Buffer.from('"}}')])),
  },
  {
    weight: 2,
    arbitrary: fc.constant(
      JSON.stringify({ error: { message: `Invalid API key ${KEY_PLACEHOLDER}`, type: 'authentication_error', code: 'invalid_api_key' } }),
    ),
  },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '{"data":[null,1,{"id":{}},{"id":"gpt-4o"}]}',
      `{"data":[{"id":"${KEY_PLACEHOLDER}"}]}`,
      '{"keys":[null,{"id":"x"},{"id":1,"prefix":7,"active":"no","expiresAt":"not a date"}]}',
      '{"keys":[{"id":1,"prefix":"ms-test0goo","active":true,"expiresAt":"1970-01-01T00:00:00Z"}]}',
      '{"balance":1e308}',
      '{"balance":-0}',
      '{"balance":"42"}',
      '{"balance":null}',
      `data: {"choices":[{"delta":{"content":"${KEY_PLACEHOLDER}"}}]}\n\n`,
    ),
  },
);

/** A hostile answer: statuses, headers, bodies, framing and connection tricks of any sort. */
export const hostileSpecArb: fc.Arbitrary<HostileSpec> = fc.oneof(
  {
    weight: 10,
    arbitrary: fc.record({
      kind: fc.constant('respond' as const),
      status: statusArb,
      headers: fc.array(rawHeaderArb, { maxLength: 4 }),
      body: wireBodyArb,
      framing: fc.constantFrom('exact' as const, 'exact' as const, 'none' as const, 'chunked' as const, 'lie' as const),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('respond' as const),
      status: statusArb,
      body: fc.record({ fill: fc.constantFrom('x', '{', '<'), bytes: fc.integer({ min: 1024 * 1024, max: 20 * 1024 * 1024 }) }),
      headers: fc.constant([['content-type', 'application/json']] as const),
      framing: fc.constantFrom('exact' as const, 'chunked' as const),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'hang' as const }) },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom('HTTP/1.1 200 OK\r\nContent-Ty', 'HTTP/1.1 ', 'HTTP/1.1 500 Oops\r\n')
      .map((text) => ({ kind: 'partialHeaders' as const, text })),
  },
  { weight: 1, arbitrary: fc.constantFrom({ kind: 'reset' as const }, { kind: 'close' as const }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('resetMidBody' as const),
      status: statusArb,
      total: fc.integer({ min: 2, max: 20 * 1024 * 1024 }),
      bytes: fc.integer({ min: 0, max: 64 * 1024 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('drip' as const),
      status: statusArb,
      // Short bodies, so that a whole drip takes at most 40 chunks × 100 ms = 4 s (a stream has an idle timeout only).
      body: fc.oneof(
        envelopeArb.map((e) => e.slice(0, 160)),
        fc.constant(`data: {"a":1}\n\ndata: {"k":"${KEY_PLACEHOLDER}"}\n\ndata: [DONE]\n\n`),
        fc.constant(`data: {"choices":[{"delta":{"content":"${KEY_PLACEHOLDER}"}}]}\n\n`),
      ),
      chunkBytes: fc.integer({ min: 4, max: 16 }),
      delayMs: fc.integer({ min: 5, max: 100 }),
      contentType: fc.constantFrom('application/json', 'text/event-stream'),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.uint8Array({ minLength: 1, maxLength: 64 }).map((b) => ({ kind: 'garbage' as const, bytes: Buffer.from(b) })),
  },
);

/** The spec with the placeholder replaced by the key (in headers and bodies). */
export function withKey(spec: HostileSpec, key: string): HostileSpec {
  const sub = (v: string | Buffer): string | Buffer => (typeof v === 'string' ? v.split(KEY_PLACEHOLDER).join(key) : v);
  if (spec.kind === 'respond') {
    const body = typeof spec.body === 'string' || Buffer.isBuffer(spec.body) ? sub(spec.body) : spec.body;
    return { ...spec, body, headers: spec.headers?.map(([n, v]) => [n, sub(v)] as const) };
  }
  if (spec.kind === 'drip') return { ...spec, body: spec.body.split(KEY_PLACEHOLDER).join(key) };
  return spec;
}

/** A short, printable description of a spec (bodies and buffers abbreviated) for failure messages. */
export function describeSpec(spec: HostileSpec): string {
  return JSON.stringify(spec, (_k, v: unknown) => {
    if (v && typeof v === 'object' && (v as { type?: string }).type === 'Buffer')
      return `<${((v as { data: number[] }).data ?? []).length} bytes>`;
    if (typeof v === 'string' && v.length > 120) return `${v.slice(0, 100)}…(${v.length} chars)`;
    return v;
  });
}
