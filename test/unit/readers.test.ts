/**
 * The text readers (src/readers/): every form of issue 12's point 1, each on a text as a client prints it,
 * read and diagnosed as `explain` does. The assertion is what the user reads: the diagnosis id, and where
 * the facts came from.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { diagnose } from '../../src/diagnosis/engine.js';
import { looksLikeError, readErrorText } from '../../src/readers/index.js';
import { parseLoose } from '../../src/readers/loose.js';

const read = (text: string, opts: { status?: number } = {}) => {
  const r = readErrorText(text, opts);
  return { ...r, d: diagnose(r.failure) };
};

const QUOTA_DICT = `{'error': {'message': 'You exceeded your current quota, please check your plan and billing details.', 'type': 'insufficient_quota', 'param': None, 'code': 'insufficient_quota'}}`;

describe('a status wherever clients write it', () => {
  const CASES: Array<[string, string, number, string]> = [
    ['openai-python', `openai.RateLimitError: Error code: 429 - ${QUOTA_DICT}`, 429, 'balance.insufficient'],
    [
      'openai-node',
      'Error: 429 Rate limit reached for gpt-4o in organization org-x on tokens per min (TPM): Limit 30000, Used 30000.',
      429,
      'rate.limited',
    ],
    ['openai-node, no body', 'RateLimitError: 429 status code (no body)', 429, 'rate.limited'],
    ['go-openai', 'error, status code: 401, status: 401 Unauthorized, message: Incorrect API key provided', 401, 'auth.invalid-key'],
    ['retrofit / generic', 'retrofit2.HttpException: HTTP 401 Unauthorized', 401, 'auth.invalid-key'],
    ['axios', 'AxiosError: Request failed with status code 402', 402, 'balance.insufficient'],
    [
      'requests',
      'requests.exceptions.HTTPError: 402 Client Error: Payment Required for url: https://modelswitch.io/v1/chat/completions',
      402,
      'balance.insufficient',
    ],
    ['httpx', "httpx.HTTPStatusError: Client error '401 Unauthorized' for url 'https://modelswitch.io/v1/models'", 401, 'auth.invalid-key'],
    ['a log with statusCode', 'request failed { statusCode: 401, url: "/v1/models" }', 401, 'auth.invalid-key'],
    ['.NET', 'System.ClientModel.ClientResultException: Service request failed.\nStatus: 429 (Too Many Requests)', 429, 'rate.limited'],
    [
      'Claude Code',
      'API Error: 529 {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}',
      529,
      'service.unavailable',
    ],
    ['got status', 'llm call failed: got status: 503', 503, 'service.unavailable'],
    [
      '[429]',
      'GoogleGenerativeAIError: [GoogleGenerativeAI Error]: Error fetching from https://generativelanguage.googleapis.com/v1beta/models/gemini-pro:generateContent: [429 Too Many Requests] Resource has been exhausted (e.g. check quota).',
      429,
      'rate.limited',
    ],
    ['urllib', 'urllib.error.HTTPError: HTTP Error 503: Service Unavailable', 503, 'service.unavailable'],
    ['aiohttp', "Ollama: 500, message='Internal Server Error', url=URL('http://localhost:11434/api/chat')", 500, 'server.error'],
    [
      'google.api_core',
      'google.api_core.exceptions.ResourceExhausted: 429 Resource has been exhausted (e.g. check quota).',
      429,
      'rate.limited',
    ],
    [
      'okhttp',
      'java.io.IOException: Unexpected code Response{protocol=h2, code=401, message=, url=https://modelswitch.io/v1/chat/completions}',
      401,
      'auth.invalid-key',
    ],
    ['R httr', 'Error: Too Many Requests (HTTP 429).', 429, 'rate.limited'],
    [
      'Go, with the URL',
      'POST "https://modelswitch.io/v1/chat/completions": 401 Unauthorized {"error":{"message":"Invalid API key","type":"authentication_error","code":"invalid_api_key"}}',
      401,
      'auth.invalid-key',
    ],
  ];
  for (const [client, text, status, id] of CASES) {
    it(`${client}: ${text.slice(0, 60)}… → ${status}, ${id}`, () => {
      const r = read(text);
      expect(r.failure.status).toBe(status);
      expect(r.d.id).toBe(id);
      expect(r.sources.join('; ')).toMatch(new RegExp(`status ${status}`));
    });
  }
  it('a status the user passed wins over the text', () => {
    expect(read('Error: 429 slow down', { status: 503 }).failure.status).toBe(503);
  });
});

describe('a body embedded anywhere in the text', () => {
  const CASES: Array<[string, string, string, RegExp]> = [
    [
      'JSON with text around it',
      'upstream said {"error":{"message":"Invalid API key","type":"authentication_error","code":"invalid_api_key"}} (after 2 tries)',
      'auth.invalid-key',
      /the JSON/,
    ],
    [
      'JSON escaped in a JSON string',
      '{"level":"error","err":"Error code: 429 - {\\"error\\":{\\"message\\":\\"quota\\",\\"type\\":\\"insufficient_quota\\",\\"code\\":\\"insufficient_quota\\"}}"}',
      'balance.insufficient',
      /status 429/,
    ],
    [
      'Python repr',
      `anthropic.NotFoundError: Error code: 404 - {'type': 'error', 'error': {'type': 'not_found_error', 'message': 'model: claude-9'}}`,
      'model.not-found',
      /Python dict after it/,
    ],
    [
      'Node util.inspect',
      "RateLimitError: 429 You exceeded your current quota\n    at APIError.generate (/app/node_modules/openai/error.js:44:14) {\n  status: 429,\n  headers: { 'retry-after': '20' },\n  error: {\n    message: 'You exceeded your current quota',\n    type: 'insufficient_quota',\n    param: null,\n    code: 'insufficient_quota'\n  },\n  code: 'insufficient_quota'\n}",
      'balance.insufficient',
      /util\.inspect/,
    ],
    [
      'Ruby hash',
      'Faraday::UnauthorizedError: the server responded with status 401 {"error"=>{"message"=>"Incorrect API key provided", "type"=>"invalid_request_error", "code"=>"invalid_api_key"}}',
      'auth.invalid-key',
      /Ruby hash/,
    ],
    [
      'Go map',
      'error: map[error:map[code:model_not_found message:The model `gpt-9` does not exist type:invalid_request_error]] status 404',
      'model.not-found',
      /Go map/,
    ],
    [
      'Rust Debug',
      'Error: ApiError(ApiError { message: "You exceeded your current quota", r#type: Some("insufficient_quota"), param: None, code: Some("insufficient_quota") })',
      'balance.insufficient',
      /Rust Debug/,
    ],
  ];
  for (const [what, text, id, source] of CASES) {
    it(`${what} → ${id}`, () => {
      const r = read(text);
      expect(r.d.id).toBe(id);
      expect(r.sources.join('; ')).toMatch(source);
    });
  }
  it('util.inspect of an SDK error gives its status and headers too (Retry-After)', () => {
    const r = read(
      "Error: 429 slow down {\n  status: 429,\n  headers: { 'retry-after': '20', 'content-type': 'application/json' },\n  error: { message: 'Rate limit reached', type: 'requests', code: 'rate_limit_exceeded' }\n}",
    );
    expect(r.failure.headers['retry-after']).toBe('20');
    expect(r.d.id).toBe('rate.limited');
  });
  it('the tolerant reader reads each literal, never throws on a broken one', () => {
    expect(parseLoose("{'a': None, 'b': True, 'c': [1, 'x']}")).toEqual({ a: null, b: true, c: [1, 'x'] });
    expect(parseLoose('{:error=>{:message=>"m"}}')).toEqual({ error: { message: 'm' } });
    expect(parseLoose("{ error: { message: 'm', inner: [Object], list: [Array] }, [Symbol(x)]: 1 }")).toMatchObject({
      error: { message: 'm' },
    });
    expect(parseLoose('map[code:429 message:too many requests, slow down]')).toEqual({
      code: 429,
      message: 'too many requests, slow down',
    });
    for (const broken of ["{'a': ", '{{{{', '{"a": "unterminated', 'map[a:map[b:', '{ a: Some(', '{' + '['.repeat(10_000)])
      expect(() => parseLoose(broken)).not.toThrow();
  });
});

describe('transport failures by their names', () => {
  const CASES: Array<[string, string]> = [
    ['Error: connect ECONNREFUSED 127.0.0.1:443\n    at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1555:16)', 'network.refused'],
    ['getaddrinfo ENOTFOUND modelswitch.invalid', 'network.dns'],
    ['Error: getaddrinfo EAI_AGAIN api.openai.com', 'network.dns'],
    ['Error: read ECONNRESET', 'network.reset'],
    ['Error: socket hang up', 'network.reset'],
    ['Error: connect ETIMEDOUT 10.0.0.1:443', 'network.timeout'],
    [
      "TypeError: fetch failed\n  [cause]: ConnectTimeoutError: Connect Timeout Error (attempted address: x:443, timeout: 10000ms) { code: 'UND_ERR_CONNECT_TIMEOUT' }",
      'network.timeout',
    ],
    ['Post "https://modelswitch.io/v1/chat/completions": dial tcp 127.0.0.1:9: connect: connection refused', 'network.refused'],
    ['Post "https://modelswitch.io/v1/chat/completions": net/http: TLS handshake timeout; read tcp: i/o timeout', 'network.timeout'],
    [
      "requests.exceptions.ReadTimeout: HTTPSConnectionPool(host='modelswitch.io', port=443): Read timed out. (read timeout=600)",
      'network.timeout',
    ],
    ['httpx.ConnectTimeout: timed out', 'network.timeout'],
    [
      "requests.exceptions.SSLError: HTTPSConnectionPool(host='modelswitch.io', port=443): Max retries exceeded (Caused by SSLError(SSLCertVerificationError(1, '[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: self-signed certificate in certificate chain (_ssl.c:1006)')))",
      'network.tls',
    ],
    ['Error: self-signed certificate in certificate chain\n  code: SELF_SIGNED_CERT_IN_CHAIN', 'network.tls'],
    ['Error: unable to get local issuer certificate', 'network.tls'],
    [
      "requests.exceptions.ProxyError: HTTPSConnectionPool(host='api.openai.com', port=443): Max retries exceeded with url: /v1/models (Caused by ProxyError('Unable to connect to proxy', OSError('Tunnel connection failed: 407 Proxy Authentication Required')))",
      'network.proxy',
    ],
    ['openai.APIConnectionError: Connection error.', 'network.reset'],
    ['openai.APITimeoutError: Request timed out.', 'network.timeout'],
  ];
  for (const [text, id] of CASES) {
    it(`${text.split('\n')[0]!.slice(0, 70)} → ${id}`, () => {
      const r = read(text);
      expect(r.failure.kind).toBe('network');
      expect(r.d.id).toBe(id);
      expect(r.sources.join('; ')).toMatch(/network failure/);
    });
  }
  it('a status in the text wins: a 504 Gateway Timeout is an answer, not a network time-out', () => {
    expect(read('Error: 504 Gateway Timeout: upstream request timed out').d.id).not.toBe('network.timeout');
    expect(read('Error: 504 Gateway Timeout: upstream request timed out').failure.kind).toBe('http');
  });
});

describe('fields and words, when no status is written', () => {
  const CASES: Array<[string, string, RegExp]> = [
    [
      'botocore: the error type in parentheses',
      'botocore.exceptions.ClientError: An error occurred (ThrottlingException) when calling the InvokeModel operation (reached max retries: 4): Too many requests, please wait before trying again.',
      /error type ThrottlingException/,
    ],
    [
      'Swift\'s description: type: "…", code: Optional("…")',
      'OpenAI.APIErrorResponse(error: OpenAI.APIError(message: "You exceeded your current quota", type: "insufficient_quota", param: nil, code: Optional("insufficient_quota")))',
      /error type insufficient_quota/,
    ],
    ['a bare error code', 'Error: insufficient_quota', /error code insufficient_quota/],
    ["OpenAI's 500 wording", 'The server had an error while processing your request. Sorry about that!', /status 500 from the words/],
    ['a missing key', "Error: You didn't provide an API key.", /status 401 from the words/],
  ];
  const IDS = ['rate.limited', 'balance.insufficient', 'balance.insufficient', 'server.error', 'auth.invalid-key'];
  CASES.forEach(([what, text, source], i) => {
    it(`${what} → ${IDS[i]}`, () => {
      const r = read(text);
      expect(r.d.id).toBe(IDS[i]);
      expect(r.sources.join('; ')).toMatch(source);
    });
  });
  it('a curl -i response after a shell prompt is read from its status line', () => {
    const r = read(
      '$ curl -i https://modelswitch.io/v1/models\nHTTP/2 401\ncontent-type: application/json\nx-request-id: req_7\n\n{"error":{"message":"Invalid API key","type":"authentication_error","code":"invalid_api_key"}}',
    );
    expect(r.d.id).toBe('auth.invalid-key');
    expect(r.failure.headers['x-request-id']).toBe('req_7');
    expect(r.sources[0]).toMatch(/HTTP response quoted in the text/);
  });
});

describe('exception class names are weak evidence', () => {
  it('the class alone gives the status, and says so', () => {
    const r = read('openai.AuthenticationError: the key was refused');
    expect(r.d.id).toBe('auth.invalid-key');
    expect(r.sources.join('; ')).toMatch(/exception class openai\.AuthenticationError/);
  });
  it('the body wins over the class: insufficient_quota inside a RateLimitError is the balance', () => {
    expect(read(`openai.RateLimitError: ${QUOTA_DICT}`).d.id).toBe('balance.insufficient');
  });
  it('a status wins over the class', () => {
    expect(read('NotFoundError: Error code: 401 - invalid key').failure.status).toBe(401);
  });
});

describe('pages, HAR files and curl -v transcripts', () => {
  it('an HTML page inside an exception is read as that page', () => {
    const r = read(
      'openai.InternalServerError: <html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>',
    );
    expect(r.failure.status).toBe(502);
    expect(r.d.evidence.bodyFormat).toBe('html');
    expect(r.d.notes.join(' ')).toMatch(/nginx/i);
    expect(r.sources.join('; ')).toMatch(/HTML page inside the text/);
  });
  it('a HAR file: the failing entry, its status, headers and body; never the request', () => {
    const har = {
      log: {
        version: '1.2',
        entries: [
          {
            request: { method: 'GET', url: 'https://modelswitch.io/v1/models', headers: [] },
            response: { status: 200, headers: [], content: { mimeType: 'application/json', text: '{"data":[]}' } },
          },
          {
            request: {
              method: 'POST',
              url: 'https://modelswitch.io/v1/chat/completions',
              headers: [{ name: 'Authorization', value: 'Bearer ms-abcdefghijklmnopqrstuvwxyz012345' }],
              postData: { text: '{"messages":"secret prompt"}' },
            },
            response: {
              status: 429,
              headers: [
                { name: 'Retry-After', value: '3' },
                { name: 'Content-Type', value: 'application/json' },
              ],
              content: {
                mimeType: 'application/json',
                text: '{"error":{"message":"Rate limit exceeded","type":"rate_limit_error","code":"rate_limit_exceeded"}}',
              },
            },
          },
        ],
      },
    };
    const r = read(JSON.stringify(har));
    expect(r.failure.status).toBe(429);
    expect(r.failure.headers['retry-after']).toBe('3');
    expect(r.d.id).toBe('rate.limited');
    expect(r.sources[0]).toMatch(/entry 2 of 2 of the HAR file \(POST modelswitch\.io\/v1\/chat\/completions\)/);
    expect(JSON.stringify(r)).not.toContain('secret prompt');
  });
  it('a HAR entry that got no answer (Chrome _error) is a network failure', () => {
    const har = {
      log: {
        entries: [
          {
            request: { method: 'GET', url: 'https://modelswitch.io/v1/models' },
            response: { status: 0, headers: [], content: {}, _error: 'net::ERR_NAME_NOT_RESOLVED' },
          },
        ],
      },
    };
    expect(read(JSON.stringify(har)).d.id).toBe('network.dns');
  });
  it('curl -v: the response lines are read, the request and the info lines are not', () => {
    const text = [
      '*   Trying 127.0.0.1:443...',
      '> POST /v1/chat/completions HTTP/1.1',
      '> Authorization: Bearer ms-xxxxxxxxxxxxxxxxxxxx',
      '>',
      '< HTTP/1.1 402 Payment Required',
      '< Content-Type: application/json',
      '<',
      '{"error":{"message":"Account balance is insufficient","type":"invalid_request_error","code":"insufficient_balance"}}',
    ].join('\n');
    expect(read(text).d.id).toBe('balance.insufficient');
  });
  it('curl -v of a refused connection is a network failure', () => {
    expect(
      read(
        "*   Trying 127.0.0.1:9...\n* connect to 127.0.0.1 port 9 failed: Connection refused\n* Failed to connect to localhost port 9 after 0 ms: Couldn't connect to server\ncurl: (7) Failed to connect to localhost port 9",
      ).d.id,
    ).toBe('network.refused');
  });
});

describe('whose error it is', () => {
  it("OpenAI's insufficient_quota: the class stays the balance, the remedies name OpenAI's console, not ModelSwitch's dashboard", () => {
    const r = read(
      `openai.RateLimitError: Error code: 429 - {'error': {'message': 'You exceeded your current quota, please check your plan and billing details. For more information read https://platform.openai.com/docs/guides/error-codes', 'type': 'insufficient_quota', 'param': None, 'code': 'insufficient_quota'}}`,
    );
    expect(r.d.id).toBe('balance.insufficient');
    expect(r.failure.vendor).toBe('openai');
    expect(r.d.remedies.join('\n')).toMatch(/platform\.openai\.com/);
    expect(r.d.remedies.join('\n')).not.toMatch(/Dashboard →|apidoctor balance/);
  });
  it("ModelSwitch's own error keeps ModelSwitch's dashboard", () => {
    const r = read('requests.exceptions.HTTPError: 402 Client Error: Payment Required for url: https://modelswitch.io/v1/chat/completions');
    expect(r.failure.vendor).toBe('modelswitch');
    expect(r.d.remedies.join('\n')).toMatch(/Dashboard → Billing/);
  });
  it('ModelSwitch relaying a provider’s error: ModelSwitch’s to settle (its dashboard), the provider named in the sources', () => {
    const r = read(
      "openai.RateLimitError: Error code: 429 - {'error': {'message': 'upstream: You exceeded your current quota, please check your plan and billing details', 'type': 'insufficient_quota', 'code': 'insufficient_quota'}} (POST https://modelswitch.io/v1/chat/completions)",
    );
    expect(r.d.id).toBe('balance.insufficient');
    expect(r.failure.vendor).toBe('modelswitch');
    expect(r.sources.join('; ')).toMatch(/relaying an error of the provider behind it, OpenAI/);
    expect(r.d.remedies.join('\n')).toMatch(/Dashboard → Billing/);
  });
  it('a host the text names decides (Anthropic)', () => {
    const r = read("httpx.HTTPStatusError: Client error '401 Unauthorized' for url 'https://api.anthropic.com/v1/messages'");
    expect(r.failure.vendor).toBe('anthropic');
    expect(r.d.remedies.join('\n')).toMatch(/console\.anthropic\.com/);
  });
});

describe('bounds: never a crash, never a hang', () => {
  it('a 10 MB line, half a body, binary noise and deep nesting are read in bounded time', () => {
    const inputs = [
      'x'.repeat(10 * 1024 * 1024),
      `Error code: 429 - {'error': {'message': '${'a'.repeat(10 * 1024 * 1024)}`,
      '{'.repeat(2_000_000),
      `map[${'a:map['.repeat(200_000)}`,
      Buffer.from(Array.from({ length: 1 << 20 }, (_, i) => (i * 7919) % 256)).toString('latin1'),
      `Error: ${'{"a": '.repeat(100_000)}`,
    ];
    for (const text of inputs) {
      const t = performance.now();
      const r = readErrorText(text);
      expect(() => diagnose(r.failure)).not.toThrow();
      expect(performance.now() - t, `${text.slice(0, 20)}…`).toBeLessThan(5000);
    }
  });
});

describe('cost: reading an SDK text costs no more than reading the same body as JSON', () => {
  const median = (fn: () => void): number => {
    const times: number[] = [];
    for (let i = 0; i < 7; i++) {
      const t = performance.now();
      fn();
      times.push(performance.now() - t);
    }
    return times.sort((a, b) => a - b)[3]!;
  };
  for (const size of [10_000, 1_000_000]) {
    it(`a ${size}-character message: the Python repr text vs the JSON body`, () => {
      const msg = 'You exceeded your current quota. '.repeat(Math.ceil(size / 33)).slice(0, size);
      const json = JSON.stringify({ error: { message: msg, type: 'insufficient_quota', param: null, code: 'insufficient_quota' } });
      const text = `openai.RateLimitError: Error code: 429 - {'error': {'message': '${msg}', 'type': 'insufficient_quota', 'param': None, 'code': 'insufficient_quota'}}`;
      expect(read(text).d.id).toBe(read(json, { status: 429 }).d.id);
      const asJson = median(() => readErrorText(json, { status: 429 }));
      const asText = median(() => readErrorText(text));
      expect(asText).toBeLessThanOrEqual(asJson * 1.5 + 2);
    });
  }
});

describe('looksLikeError (for the log scanner)', () => {
  it('is true for error lines and false for ordinary ones', () => {
    expect(looksLikeError('openai.RateLimitError: Error code: 429')).toBe(true);
    expect(looksLikeError('Error: connect ECONNREFUSED 127.0.0.1:443')).toBe(true);
    expect(looksLikeError('INFO server started on port 8080')).toBe(false);
  });

  it("Node's error codes count in capitals only: a word starting with e is not one, nor is a line of base64", () => {
    for (const code of ['ECONNRESET', 'ETIMEDOUT', 'ECONNREFUSED', 'EPIPE']) expect(looksLikeError(`socket: ${code}`), code).toBe(true);
    expect(looksLikeError('socket hang up (ECONNRESET)')).toBe(true);
    for (const line of [
      'processing every event for the user',
      'sending email to everyone, enabled',
      'Nv/EhJzBWjbQ/50Ns/evNGQutc/ajik+eGbusRY/xT', // base64: tokens between / and + starting with e
      'Expected value, Every item',
    ])
      expect(looksLikeError(line), line).toBe(false);
  });
});

// The train half of the real-text corpus (test/fixtures/texts/train, one folder a client, each file a real
// text with its public source): the class and the id must be right on every one.
const TRAIN = resolve(import.meta.dirname, '../fixtures/texts/train');
const fixtures: Array<{ file: string; text: string; status?: number; expect: { category: string; id: string } }> = [];
try {
  for (const client of readdirSync(TRAIN)) {
    if (!statSync(join(TRAIN, client)).isDirectory()) continue;
    for (const f of readdirSync(join(TRAIN, client)).filter((x) => x.endsWith('.json'))) {
      const c = JSON.parse(readFileSync(join(TRAIN, client, f), 'utf8'));
      if (c.expect && typeof c.text === 'string') fixtures.push({ file: `${client}/${f}`, ...c });
    }
  }
} catch {
  // no corpus in this checkout
}

describe.skipIf(fixtures.length === 0)('real texts (train half of the corpus): the class and the id are right', () => {
  it('there are texts from at least 15 clients', () => {
    expect(new Set(fixtures.map((f) => f.file.split('/')[0])).size).toBeGreaterThanOrEqual(15);
  });
  for (const fx of fixtures) {
    it(fx.file, () => {
      const r = read(fx.text, fx.status ? { status: fx.status } : {});
      expect({ category: r.d.category, id: r.d.id }, r.sources.join('; ')).toEqual({ category: fx.expect.category, id: fx.expect.id });
    });
  }
});
