/**
 * The catalogue: every diagnosis id with its title, explanation, remedies and docs. A data table, kept whole past
 * ~300 lines on purpose: one entry a problem, read and reviewed side by side, and the ids' list is the contract.
 */
import type { Category } from '../core/types.js';

/** Every diagnosis id apidoctor can give, stable across releases (scripts match on them). */
export const DIAGNOSIS_IDS = [
  'config.missing-api-key',
  'config.missing-billing-key',
  'config.bad-base-url',
  'config.untrusted-base-url',
  'key.wrong-kind',
  'key.swapped',
  'key.malformed',
  'key.foreign-format',
  'key.in-git',
  'key.expiring',
  'auth.invalid-key',
  'auth.deactivated-key',
  'access.denied',
  'access.dashboard-token',
  'balance.insufficient',
  'balance.below-minimum',
  'key.spend-limit',
  'request.invalid',
  'model.not-found',
  'resource.not-found',
  'rate.limited',
  'server.error',
  'provider.error',
  'service.unavailable',
  'response.not-json',
  'response.bad-shape',
  'response.too-large',
  'stream.interrupted',
  'network.dns',
  'network.refused',
  'network.unreachable',
  'network.reset',
  'network.tls',
  'network.proxy',
  'network.timeout',
  'http.unexpected-status',
] as const;

export type DiagnosisId = (typeof DIAGNOSIS_IDS)[number];

/** What the table says about one diagnosis: everything but the evidence and the notes. */
export interface CatalogEntry {
  id: DiagnosisId;
  /** The exit reason this diagnosis maps to. */
  category: Category;
  title: string;
  explanation: string;
  /**
   * Concrete steps, a command to copy where one exists. `<key-id>`, `<path>` and `<method>` are filled when known; the
   * `<key-…>` ones name the key that failed (key-advice.ts keyAdvice); `<if-chat>` marks a step for chat paths only.
   */
  remedies: readonly string[];
  docs: string;
  retryable: boolean;
  /** Put the server's error.message at the head of the remedies (the fix is in what it says). */
  quoteMessage?: boolean;
}

const DOCS = 'https://docs.modelswitch.io';
const ERRORS = `${DOCS}/api-reference/errors`;
const AUTH = `${DOCS}/authentication`;
const KEYS = `${DOCS}/api-reference/keys`;

const BACKOFF =
  'Retry with exponential backoff: wait 1 s, then double the wait after each failure (1 s, 2 s, 4 s, …); honour Retry-After when the server sends it';
const RETRIES = 'apidoctor call retries 429, 500, 502 and 503 by itself with that backoff: apidoctor call <path> --retries 5';

const entries: readonly CatalogEntry[] = [
  // ── configuration: known before any request ────────────────────────────────────────────────
  {
    id: 'config.missing-api-key',
    category: 'config',
    title: 'No proxy key (ms-…) is configured',
    explanation: 'Inference on /v1 needs a proxy key. None came from --api-key, MODELSWITCH_API_KEY or the config file key "apiKey".',
    remedies: [
      'Create a proxy key in Dashboard → API Keys (the full key is shown only once, at creation)',
      'export MODELSWITCH_API_KEY=\'ms-…\'   (or pass --api-key, or set "apiKey" in .apidoctorrc.json)',
      'Check what apidoctor sees and where each setting came from: apidoctor doctor',
    ],
    docs: AUTH,
    retryable: false,
  },
  {
    id: 'config.missing-billing-key',
    category: 'config',
    title: 'No billing key (mk-…) is configured',
    explanation:
      'Account endpoints on /api (balance, keys, usage) need a billing key. None came from --billing-key, MODELSWITCH_BILLING_KEY or the config file key "billingKey".',
    remedies: [
      'Create a billing key in Dashboard → Billing Keys',
      'export MODELSWITCH_BILLING_KEY=\'mk-…\'   (or pass --billing-key, or set "billingKey" in .apidoctorrc.json)',
      'Check it works: apidoctor keys',
    ],
    docs: `${DOCS}/concepts/api-keys`,
    retryable: false,
  },
  {
    id: 'config.untrusted-base-url',
    category: 'config',
    title: 'A project config file sets a base URL that your key is not sent to',
    explanation:
      'Keys are scoped to a host. The base URL comes from a config file found by the search in a project folder (a package.json "apidoctor" field, an .apidoctorrc), but the key comes from a flag or the environment, which you set yourself. A file you did not write could otherwise send your key to any server, so apidoctor sends a key to a host other than modelswitch.io only when the base URL is as trusted as the key: a flag, the environment, --config / APIDOCTOR_CONFIG, a config file in your home folder, or the same file that holds the key. Nothing was sent.',
    remedies: [
      'If you trust that server, say so for this run: apidoctor … --base-url <url>',
      'Or in the environment: export MODELSWITCH_BASE_URL=<url>',
      'Or name the file: apidoctor … --config <path>   (or APIDOCTOR_CONFIG=<path>)',
      'If you did not put it there, remove "baseUrl" from <path>: the default https://modelswitch.io needs no setting',
    ],
    docs: AUTH,
    retryable: false,
  },
  {
    id: 'config.bad-base-url',
    category: 'config',
    title: 'The base URL does not point at the ModelSwitch API',
    explanation:
      'The base URL is the root of the API; apidoctor appends /v1 and /api to it. A typo, a missing https://, a redirecting host or a website or dashboard address instead of the API all end here.',
    remedies: [
      'Use the API root: export MODELSWITCH_BASE_URL=https://modelswitch.io   (or --base-url, or "baseUrl" in the config file)',
      'Check the host and scheme for typos; do not add /v1 or /api yourself',
      'Verify: apidoctor call /v1/models --include',
    ],
    docs: AUTH,
    retryable: false,
  },
  {
    id: 'key.wrong-kind',
    category: 'config',
    title: 'The key is of the wrong kind for this endpoint',
    explanation:
      'ModelSwitch has two key kinds and they are never interchangeable: proxy keys (ms-…) for inference on /v1/*, billing keys (mk-…) for account management on /api/*.',
    remedies: [
      "For /v1 inference use a proxy key: export MODELSWITCH_API_KEY='ms-…'",
      "For /api account endpoints use a billing key: export MODELSWITCH_BILLING_KEY='mk-…'",
      'See which key is used where: apidoctor doctor',
    ],
    docs: `${DOCS}/concepts/api-keys`,
    retryable: false,
  },
  {
    id: 'key.swapped',
    category: 'config',
    title: 'The proxy key and the billing key are swapped',
    explanation: 'The setting for the proxy key holds a billing key (mk-…) and the setting for the billing key holds a proxy key (ms-…).',
    remedies: [
      "Swap the two values: export MODELSWITCH_API_KEY='ms-…' and export MODELSWITCH_BILLING_KEY='mk-…'",
      'Check: apidoctor doctor',
    ],
    docs: `${DOCS}/concepts/api-keys`,
    retryable: false,
  },
  {
    id: 'key.malformed',
    category: 'config',
    title: 'The key is malformed',
    explanation:
      'The key has a shape no ModelSwitch key has: whitespace, quotes or a line break around it, a missing prefix, or a cut-off value. Keys are case-sensitive and must be copied exactly.',
    remedies: [
      'Copy the key again exactly; keys are case-sensitive and the full value is shown only once, at creation (see which setting it came from: apidoctor doctor)',
      'Remove quotes, spaces and trailing newlines: <key-export>',
      'If the key is lost, <key-create>',
    ],
    docs: AUTH,
    retryable: false,
  },
  {
    id: 'key.foreign-format',
    category: 'config',
    title: 'The key is not a ModelSwitch key',
    explanation:
      'The key looks like another product’s (sk-… is OpenAI’s; msk_… is a legacy format from an old blog post; ms_live_/ms_test_ belong to a different product also called ModelSwitch). ModelSwitch keys start with ms- (proxy) or mk- (billing).',
    remedies: [
      'Create a ModelSwitch <key-kind> in <key-page>',
      '<key-export>',
      'Check the base URL too: export MODELSWITCH_BASE_URL=https://modelswitch.io',
    ],
    docs: AUTH,
    retryable: false,
  },
  {
    id: 'key.in-git',
    category: 'config',
    title: 'A key is stored in a file that git may commit',
    explanation:
      'A config file that holds a key sits inside a git work tree and git does not ignore it: one `git add .` and the key is in the history, and anyone with the repository can spend your balance.',
    remedies: [
      'Move the key to an environment variable (MODELSWITCH_API_KEY / MODELSWITCH_BILLING_KEY) and remove it from the file',
      'Or add the file to .gitignore',
      'If it was ever pushed, rotate the key: apidoctor keys rotate <id> --name <new name>, switch your app, then apidoctor keys delete <id>',
    ],
    docs: `${DOCS}/guides/manage-keys`,
    retryable: false,
  },
  {
    id: 'key.expiring',
    category: 'failed',
    title: 'A proxy key expires soon',
    explanation:
      'An active proxy key expires within the window you gave (--expiring-within). Keys past their expiresAt are deactivated automatically, and requests with them are refused.',
    remedies: [
      'Rotate it now: apidoctor keys rotate <key-id> --name <new name> creates the replacement; switch your app, then apidoctor keys delete <key-id>',
      'Or create a key with a later expiry: apidoctor keys create --name <name> --expires 90d',
      'See every key and its days left: apidoctor keys',
    ],
    docs: `${DOCS}/guides/manage-keys`,
    retryable: false,
  },
  // ── authentication and access ─────────────────────────────────────────────────────────────
  {
    id: 'auth.invalid-key',
    category: 'auth',
    title: 'The API key was rejected',
    explanation:
      'The server did not accept the key (401 Unauthorized, or a body saying the key is invalid): it is missing, malformed, invalid, expired, or was deleted (a deleted key gets 401 at once).',
    remedies: [
      'Check the header is exactly `Authorization: Bearer <key-bearer>` (apidoctor sends it; a proxy in between may strip it)',
      'Check the prefix: ms- for inference (/v1), mk- for account endpoints (/api)',
      'Check the <key-kind> was not deleted: <key-check>',
      'Keys are case-sensitive: copy it exactly, with no spaces or quotes',
      'If it was deleted or lost, <key-create>, and update <key-var>',
    ],
    docs: ERRORS,
    retryable: false,
  },
  {
    id: 'auth.deactivated-key',
    category: 'auth',
    title: 'The key is deactivated or expired',
    explanation: 'A deactivated key (active: false) gets 403 on inference; a key past its expiresAt is deactivated automatically.',
    remedies: [
      'Check the key’s `active` flag and expiry: apidoctor keys   (GET /api/keys)',
      'Reactivate it: apidoctor keys activate <key-id>',
      'Or create a new key (apidoctor keys create --name <name>) and switch MODELSWITCH_API_KEY to it',
    ],
    docs: KEYS,
    retryable: false,
  },
  {
    id: 'access.denied',
    category: 'auth',
    title: 'Access was denied',
    explanation:
      'The request was refused. From ModelSwitch a 403 means one of: insufficient balance, a deactivated key, a reached spend limit, or the wrong key type, and the answer alone does not say which. A CDN bot check or a provider’s region block can also refuse a request before it reaches the API; the notes say when that is what happened.',
    remedies: [
      'Insufficient balance: check GET /api/balance (apidoctor balance); if it is at or near 0, top up in Dashboard → Billing',
      'Deactivated key: check `active` via GET /api/keys (apidoctor keys); reactivate with apidoctor keys activate <key-id>',
      'Wrong key type: use a proxy key (ms-) for inference and a billing key (mk-) for account management',
      '<settle-open>',
    ],
    docs: ERRORS,
    retryable: false,
  },
  {
    id: 'access.dashboard-token',
    category: 'auth',
    title: 'This account route refused the billing key; it may need a dashboard token',
    explanation:
      'The API reference shows `Authorization: Bearer YOUR_JWT_TOKEN` (a dashboard session token) for /api/balance, /api/usage and /api/transactions, while the concept pages say billing keys (mk-) manage the account. The key is not necessarily bad.',
    remedies: [
      'Check the billing key on the route documented for mk- keys: apidoctor keys   (GET /api/keys)',
      'If that works, the key is fine: read the balance in Dashboard → Billing, or send a dashboard session token to these routes',
      "If it fails too, the billing key is invalid: create one in Dashboard → Billing Keys and export MODELSWITCH_BILLING_KEY='mk-…'",
    ],
    docs: `${DOCS}/api-reference/balance`,
    retryable: false,
  },
  // ── money ─────────────────────────────────────────────────────────────────────────────────
  {
    id: 'balance.insufficient',
    category: 'balance',
    title: 'The account balance is too low for this request',
    explanation:
      'ModelSwitch is prepaid. Before each request a hold for its estimated cost is placed; when the balance cannot cover it (at or near 0) the request is refused, with 402 or 403.',
    remedies: [
      'Check the balance: apidoctor balance   (GET /api/balance)',
      'Top up in Dashboard → Billing → Top up if it is at or near 0 (cards are credited at once)',
      'Keep a buffer above zero: a hold for the estimated cost is placed before each request, so a small positive balance can still be refused; a lower max_tokens lowers the hold',
      'Guard scripts and CI: apidoctor balance --min 5 exits 5 when the balance is below 5 USD',
    ],
    docs: `${DOCS}/billing/overview`,
    retryable: false,
  },
  {
    id: 'balance.below-minimum',
    category: 'balance',
    title: 'The balance is below the minimum',
    explanation:
      'The balance was read, and it is below the threshold: the one given with --min / --min-balance, or doctor’s default of 1 USD.',
    remedies: [
      'Top up in Dashboard → Billing → Top up',
      'Avoid running dry: auto top-up in Dashboard → Subscriptions, or a low-balance email in Dashboard → Settings → Notifications',
      'Check it again: apidoctor balance',
    ],
    docs: `${DOCS}/billing/top-up`,
    retryable: false,
  },
  {
    id: 'key.spend-limit',
    category: 'balance',
    title: 'The key’s spend limit has been reached',
    explanation:
      'A key can carry its own spend limit, separate from the account balance; once it is reached, requests with that key are refused (403 on ModelSwitch).',
    remedies: [
      'Raise or reset the key’s limit in Dashboard → API Keys',
      'Or use another key: apidoctor keys, or apidoctor keys create --name <name>',
      'Rule out the balance: apidoctor balance',
    ],
    docs: AUTH,
    retryable: false,
  },
  // ── the request ───────────────────────────────────────────────────────────────────────────
  {
    id: 'request.invalid',
    category: 'failed',
    title: 'The request was rejected as invalid',
    explanation:
      'The body is invalid or misses a required parameter (400), or the server cannot take it as sent (405, 409, 413, 415, 422). The request must change; sending it again gives the same answer.',
    remedies: [
      '<if-chat>Fix the request: model and messages are required; temperature is 0–2; do not combine temperature with top_p',
      'Check the body against the API reference; reproduce it with apidoctor call <method> <path> --data @req.json',
    ],
    docs: `${DOCS}/api-reference/chat-completions`,
    retryable: false,
    quoteMessage: true,
  },
  {
    id: 'model.not-found',
    category: 'failed',
    title: 'The model does not exist or is not available',
    explanation: 'The model id was not recognised. ModelSwitch ids are plain provider-style names such as gpt-4o or claude-sonnet-4.',
    remedies: [
      'Check the model id against GET /v1/models: apidoctor call /v1/models',
      'Use the id exactly as listed, without a provider prefix',
      'Set the model for checks: --model <id> or APIDOCTOR_MODEL',
    ],
    docs: `${DOCS}/api-reference/chat-completions`,
    retryable: false,
  },
  {
    id: 'resource.not-found',
    category: 'failed',
    title: 'The resource does not exist (404)',
    explanation: 'Nothing answers at this path, or the id in it (a key, a model) does not exist.',
    remedies: [
      'Check the path and any id in it (key ids: apidoctor keys)',
      'If a model is involved, check its id against GET /v1/models: apidoctor call /v1/models',
      'Check the base URL is the API root (https://modelswitch.io): apidoctor appends /v1 and /api itself',
    ],
    docs: ERRORS,
    retryable: false,
  },
  {
    id: 'rate.limited',
    category: 'rate_limit',
    title: 'Too many requests (429): rate limited',
    explanation:
      'The rate limit was exceeded. ModelSwitch publishes no numeric limits; limits may also be relayed from the upstream provider.',
    remedies: [BACKOFF, RETRIES, 'Lower the request rate or the tokens per request; spread batch jobs out'],
    docs: ERRORS,
    retryable: true,
  },
  // ── the server ────────────────────────────────────────────────────────────────────────────
  {
    id: 'server.error',
    category: 'server',
    title: 'The server failed (5xx)',
    explanation: 'A server-side error occurred; the request itself may be fine.',
    remedies: [
      'Retry the request (apidoctor call retries 5xx: --retries <n>)',
      'If it fails consistently, contact ModelSwitch support and quote the request id shown in the evidence',
    ],
    docs: ERRORS,
    retryable: true,
  },
  {
    id: 'provider.error',
    category: 'server',
    title: 'The upstream model provider returned an error (502)',
    explanation: 'ModelSwitch forwarded the request, and the provider behind it failed.',
    remedies: [
      'This is usually transient: retry the request after a short delay',
      'If it persists for this model, try a different model with similar capabilities (list them: apidoctor call /v1/models)',
      'Read error.message for the provider’s details',
    ],
    docs: ERRORS,
    retryable: true,
    quoteMessage: true,
  },
  {
    id: 'service.unavailable',
    category: 'server',
    title: 'The service is temporarily unavailable or overloaded',
    explanation: 'A temporary outage or overload is in progress (503, 529, or an “overloaded” error).',
    remedies: [
      'Retry after a short wait: these outages usually resolve within minutes',
      'apidoctor call retries 503 with backoff from 1 s, doubling: --retries <n>',
    ],
    docs: ERRORS,
    retryable: true,
  },
  // ── the answer ────────────────────────────────────────────────────────────────────────────
  {
    id: 'response.not-json',
    category: 'unexpected_response',
    title: 'The answer was not JSON where JSON was due',
    explanation: 'The API answers JSON. Something else answered: a web page, a proxy or captive portal, or a server that is not the API.',
    remedies: [
      'Point the base URL at the API root: export MODELSWITCH_BASE_URL=https://modelswitch.io',
      'See the raw answer: apidoctor call <path> --include -v',
      'If a proxy, VPN or captive portal is in the way, try without it',
    ],
    docs: AUTH,
    retryable: false,
  },
  {
    id: 'response.bad-shape',
    category: 'unexpected_response',
    title: 'The JSON answer does not have the expected shape',
    explanation: 'The answer was JSON, but not what this endpoint promises: another API may be answering, or the response changed.',
    remedies: [
      'Check the base URL points at ModelSwitch: apidoctor doctor',
      'See the raw answer: apidoctor call <path> --include',
      'If it persists, report it to ModelSwitch support with the request id',
    ],
    docs: ERRORS,
    retryable: false,
  },
  {
    id: 'response.too-large',
    category: 'unexpected_response',
    title: 'The answer was larger than this endpoint ever answers',
    explanation:
      'This endpoint answers a small JSON document; this answer went on past the size apidoctor reads for it, so it was cut off and not read: something other than the API may be answering, or the answer never ends.',
    remedies: [
      'Check the base URL points at ModelSwitch: apidoctor doctor',
      'See the start of the raw answer: apidoctor call <path> --include | head -c 2000',
      'If it persists, report it to ModelSwitch support with the request id',
    ],
    docs: ERRORS,
    retryable: false,
  },
  {
    id: 'stream.interrupted',
    category: 'unexpected_response',
    title: 'The stream ended before it finished',
    explanation:
      'A streamed answer ends with its end marker (`data: [DONE]`; Anthropic’s message_stop; the Responses API’s response.completed); this one stopped before it, so the output is incomplete.',
    remedies: [
      'Retry the request',
      'If it keeps breaking off, check proxies or load balancers that buffer or cut long responses',
      'Send it without streaming to see a plain error: apidoctor call POST <path> --data @req.json (no --stream)',
    ],
    docs: `${DOCS}/guides/streaming`,
    retryable: true,
  },
  // ── the network ───────────────────────────────────────────────────────────────────────────
  {
    id: 'network.dns',
    category: 'network',
    title: 'The host name could not be resolved (DNS)',
    explanation: 'The name in the base URL did not resolve to an address from this machine.',
    remedies: [
      'Check the host for typos: MODELSWITCH_BASE_URL (default https://modelswitch.io)',
      'Check DNS from here: nslookup modelswitch.io',
      'If this network needs a proxy, set it: export HTTPS_PROXY=http://proxy.example:8080',
    ],
    docs: DOCS,
    retryable: false,
  },
  {
    id: 'network.refused',
    category: 'network',
    title: 'The connection was refused',
    explanation: 'The host answered, but nothing accepted a connection on that port (or a firewall rejected it).',
    remedies: [
      'Check the base URL’s host and port (default https://modelswitch.io, port 443)',
      'Check a firewall or VPN; if this network needs a proxy: export HTTPS_PROXY=http://proxy.example:8080',
      'See DNS, TCP connect and TLS step by step: apidoctor doctor',
    ],
    docs: DOCS,
    retryable: false,
  },
  {
    id: 'network.unreachable',
    category: 'network',
    title: 'The network or host is unreachable',
    explanation:
      'There is no route from this machine to the host: no network, a VPN or firewall blocking the way, or an address family (IPv6) this network does not carry.',
    remedies: [
      'Check this machine is online and any VPN is connected',
      'If this network needs a proxy: export HTTPS_PROXY=http://proxy.example:8080',
      'See DNS, TCP connect and TLS step by step: apidoctor doctor',
    ],
    docs: DOCS,
    retryable: true,
  },
  {
    id: 'network.reset',
    category: 'network',
    title: 'The connection was dropped',
    explanation: 'The connection was closed or reset before a full answer came.',
    remedies: [
      'Retry: resets are often transient',
      'If it repeats, a firewall, proxy or VPN may be cutting the connection: try without it, or check HTTPS_PROXY / NO_PROXY',
      'See the exchange: apidoctor doctor -v',
    ],
    docs: DOCS,
    retryable: true,
  },
  {
    id: 'network.tls',
    category: 'network',
    title: 'The TLS (HTTPS) connection could not be verified',
    explanation: 'The server’s certificate was not accepted, or the TLS handshake failed.',
    remedies: [
      'If a corporate proxy intercepts HTTPS, give Node its CA: export NODE_EXTRA_CA_CERTS=/path/to/corporate-ca.pem',
      'Check the system clock: a wrong date makes valid certificates look expired',
      'Check the base URL host matches the certificate: export MODELSWITCH_BASE_URL=https://modelswitch.io',
      'Do not turn verification off (NODE_TLS_REJECT_UNAUTHORIZED=0) with real keys',
    ],
    docs: DOCS,
    retryable: false,
  },
  {
    id: 'network.proxy',
    category: 'network',
    title: 'The proxy refused or failed the connection',
    explanation: 'The request went through the proxy from HTTPS_PROXY / HTTP_PROXY, and the proxy did not open the tunnel.',
    remedies: [
      'Check HTTPS_PROXY / HTTP_PROXY (either case): host, port and credentials (http://user:pass@proxy.example:8080)',
      'A 407 means the proxy wants credentials in the proxy URL',
      'If the API should be reached directly, exempt it: export NO_PROXY=modelswitch.io',
    ],
    docs: DOCS,
    retryable: false,
  },
  {
    id: 'network.timeout',
    category: 'timeout',
    title: 'No answer within the timeout',
    explanation: 'The connection or the answer took longer than the per-request timeout.',
    remedies: [
      'Raise the timeout: --timeout 60000 (or APIDOCTOR_TIMEOUT=60000)',
      'See where time goes (DNS, connect, TLS, first byte): apidoctor doctor -v',
      '<if-chat>For long generations use streaming (--stream), so data arrives as it is produced',
    ],
    docs: DOCS,
    retryable: true,
  },
  {
    id: 'http.unexpected-status',
    category: 'failed',
    title: 'An unexpected HTTP status',
    explanation: 'The status is not one the ModelSwitch API documents for this call, and nothing in the body explains it.',
    remedies: [
      'See the full answer: apidoctor call <path> --include -v',
      'Check the base URL and proxy settings: apidoctor doctor',
      'If it persists, contact ModelSwitch support with the request id',
    ],
    docs: ERRORS,
    retryable: false,
  },
];

/** The catalogue, keyed by id. */
export const CATALOG: Readonly<Record<DiagnosisId, CatalogEntry>> = Object.fromEntries(entries.map((e) => [e.id, e])) as Record<
  DiagnosisId,
  CatalogEntry
>;

/** True when the string is a known diagnosis id. */
export function isDiagnosisId(id: string): id is DiagnosisId {
  return Object.prototype.hasOwnProperty.call(CATALOG, id);
}
