/**
 * Notes: extra sentences a rule or the evidence adds to a diagnosis. Each is a small named function. Kept whole
 * past ~300 lines on purpose, like rules.ts and catalog.ts: a table of one-sentence functions that rules name,
 * read side by side so that their wording stays one voice.
 */
import type { Facts } from './facts.js';
import type { VendorHint } from './envelope.js';
import { MAX_WAIT_SEC, keyExpired } from './predicates.js';
import { nearZero } from './small-balance.js';
import { keyAdvice } from './key-advice.js';
import { parseJson } from '../core/json-depth.js';

export { fillKeyAdvice, keyAdvice, keyRoleOf, type KeyAdvice } from './key-advice.js';
import { duration, usd as formatUsd } from '../core/format.js';

export type NoteFn = (f: Facts) => string | undefined;

const VENDOR: Record<VendorHint, string> = {
  cloudflare: 'a Cloudflare',
  nginx: 'an nginx',
  openresty: 'an openresty',
  envoy: 'an envoy',
  vercel: 'a Vercel',
  aws: 'an AWS',
  apache: 'an Apache',
  caddy: 'a Caddy',
  traefik: 'a Traefik',
  haproxy: 'an HAProxy',
  varnish: 'a Varnish',
  google: 'a Google front-end',
  azure: 'an Azure gateway',
  iis: 'an IIS',
  akamai: 'an Akamai',
  fastly: 'a Fastly',
  imperva: 'an Imperva (Incapsula)',
  sucuri: 'a Sucuri',
};
const NAME = (v: VendorHint): string => VENDOR[v].replace(/^an? /, '');

/** "an nginx", "a Cloudflare": the vendor with its article. */
export const vendorPhrase = (v: VendorHint): string => VENDOR[v];
/** "nginx", "Cloudflare". */
export const vendorName = NAME;

/** "“…”", capped. */
export function quote(text: string, max = 300): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return `“${t.length > max ? `${t.slice(0, max - 1)}…` : t}”`;
}

function seconds(sec: number): string {
  if (sec >= 3600 && sec % 3600 === 0) return `${sec} s (${sec / 3600} h)`;
  return duration(sec * 1000, { decimals: 'trim' });
}

const usd = (n: number): string => `${formatUsd(n)} USD`;

function keyName(f: Facts): string {
  const r = f.ctx.followUp?.keyRecord;
  if (!r) return 'the key';
  return `the key ${r.prefix}${r.name ? ` (“${r.name}”, id ${r.id})` : ` (id ${r.id})`}`;
}

// ── waiting and limits ──────────────────────────────────────────────────────────────────────

export const retryAfterNote: NoteFn = (f) => {
  if (f.retryAfterSec === undefined) return undefined;
  const from = f.retryAfterFrom === 'the message' ? 'in its message' : `(${f.retryAfterFrom})`;
  return f.retryAfterSec > MAX_WAIT_SEC
    ? `The server asked to wait ${seconds(f.retryAfterSec)} ${from}; apidoctor does not wait that long, so a retry now cannot succeed.`
    : `The server asked to wait ${seconds(f.retryAfterSec)} ${from} before retrying.`;
};

export const requestTooLargeNote: NoteFn = (f) => {
  const r = /requested:?\s*~?\s*(\d(?:[\d,]*\d)?)/i.exec(f.haystack)?.[1];
  const l = /limit:?\s*~?\s*(\d(?:[\d,]*\d)?)/i.exec(f.haystack)?.[1];
  const numbers = r && l ? ` (requested ${r} > limit ${l})` : '';
  return `The request alone exceeds the limit${numbers}: no retry can succeed — reduce max_tokens or the input.`;
};

export const quotaCodeNote: NoteFn = (f) =>
  f.status === 429 && f.statusSource === 'response'
    ? 'The status was 429, but the body says insufficient_quota: the account is out of credit, not sending too fast; retrying will not help.'
    : undefined;

/** "The status was 400, but the body says …" when a body's truth differs from what its status suggests. */
export function statusDisagrees(natural: readonly number[], what: string): NoteFn {
  return (f) =>
    f.statusSource === 'response' && f.status !== undefined && !natural.includes(f.status)
      ? `The status was ${f.status}, but the body says ${what}.`
      : undefined;
}

// ── pages from CDNs and proxies ─────────────────────────────────────────────────────────────

const CLOUDFLARE_ERRORS: Record<number, string> = {
  520: 'the origin server returned an empty, unknown or unexpected answer',
  521: 'the origin web server refused the connection (it is down)',
  522: 'the origin timed out: Cloudflare could not complete a connection to the API server in time',
  523: 'the origin is unreachable from Cloudflare',
  524: 'the origin timed out: it took longer than Cloudflare’s 100 s limit to answer (long non-streamed generations hit this)',
  525: 'the TLS handshake between Cloudflare and the origin failed',
  526: 'the origin’s certificate is invalid',
  527: 'the connection between Cloudflare and the origin (Railgun) failed',
};

export const cloudflareNote: NoteFn = (f) => {
  const code = f.body.cdnErrorCode ?? f.status;
  const what = code !== undefined ? CLOUDFLARE_ERRORS[code] : undefined;
  if (code === undefined || !what) return undefined;
  const hint = code === 522 || code === 524 ? ' Streaming (--stream) or a smaller max_tokens avoids the wait for a first byte.' : '';
  return `Cloudflare error ${code}: ${what}. This is between Cloudflare and the API’s server, not your connection.${hint}`;
};

export const envoyUpstreamNote: NoteFn = () =>
  '“Connection refused” here is the gateway’s upstream (the service behind an envoy proxy), not your connection: the gateway answered, the service behind it was not accepting connections (down, restarting or still loading).';

export const proxy502Note: NoteFn = (f) => {
  const v = f.body.vendorHint;
  return `A proxy in front of the API${v ? ` (${NAME(v)})` : ''} answered 502 itself: it got no valid answer from the server behind it. The API’s own JSON never arrived; this is the server side, not your connection.`;
};

export const gatewayTimeoutNote: NoteFn = (f) => {
  const parts = ['A gateway timed out waiting for the server behind it (504); the request may still have run.'];
  if (/FUNCTION_INVOCATION_TIMEOUT/i.test(f.haystack))
    parts.push('Vercel’s serverless function hit its time limit (FUNCTION_INVOCATION_TIMEOUT).');
  else if (/endpoint request timed out/i.test(f.haystack)) parts.push('This is AWS API Gateway’s integration timeout (about 29 s).');
  parts.push('Streaming (--stream) or a smaller max_tokens shortens the wait for the first byte.');
  return parts.join(' ');
};

export const challengeNote: NoteFn = (f) =>
  f.body.cdnBlock && !f.body.cdnChallenge
    ? `${f.body.vendorHint && f.body.vendorHint !== 'cloudflare' ? `${cap(VENDOR[f.body.vendorHint])}` : 'A Cloudflare'} firewall rule blocked the request${f.body.cdnErrorCode ? ` (error ${f.body.cdnErrorCode})` : ''}, before it reached the API: not a key or balance problem. The network or IP address it came from is what was refused.`
    : 'A Cloudflare bot check (“Just a moment…”) answered instead of the API: the CDN did not trust this network or IP address. Not a key or balance problem; a VPN, proxy or datacenter IP is the usual cause.';

export const geoBlockNote: NoteFn = (f) =>
  `This is a geographic block${f.code ? ` (${f.code})` : ''}: the request came from a country, region or territory the provider does not serve. Not a key or balance problem; the location of this machine, its VPN, or the gateway’s server is what decides.`;

export const webPageNote: NoteFn = (f) => {
  const title = f.body.excerpt ? ` (${quote(f.body.excerpt, 120)})` : '';
  return `The answer looks like a web page${title}, not the API: the base URL probably points at a website or a gateway’s web UI rather than the API root.`;
};

/** What a success body is, in a few words: "a JSON object with keys “object”, “items”". */
function jsonShape(body: string | undefined): string | undefined {
  if (!body || body.length > 8 * 1024 * 1024) return undefined;
  let v: unknown;
  try {
    v = parseJson(body);
  } catch {
    return undefined;
  }
  if (Array.isArray(v)) return `a JSON array of ${v.length} item${v.length === 1 ? '' : 's'}`;
  if (v === null || typeof v !== 'object') return `a bare JSON ${v === null ? 'null' : typeof v}`;
  const keys = Object.keys(v);
  if (keys.length === 0) return 'an empty JSON object';
  const shown = keys
    .slice(0, 8)
    .map((k) => `“${k.slice(0, 40)}”`)
    .join(', ');
  return `a JSON object with key${keys.length === 1 ? '' : 's'} ${shown}${keys.length > 8 ? ', …' : ''}`;
}

/** "Expected a JSON model list from /v1/models; got a JSON object with keys …". */
export const expectedNote: NoteFn = (f) => {
  const want = f.failure.expected;
  const got = f.body.format === 'json' && !f.body.malformedJson ? jsonShape(f.failure.body) : undefined;
  if (!want && !got) return undefined;
  const from = f.failure.endpoint ? ` from ${f.failure.endpoint}` : '';
  if (!want) return `The answer${from} was ${got}.`;
  return `Expected ${want}${from}${got ? `; got ${got}` : ''}.`;
};

export const html404Note: NoteFn = (f) =>
  f.body.format === 'html'
    ? 'A web page answered 404, not the API’s JSON: the base URL may be wrong (it should be the API root, https://modelswitch.io).'
    : undefined;

const SIGN_IN =
  /cloudflareaccess\.com|\/cdn-cgi\/access\/login|login\.microsoftonline\.com|\.okta(preview)?\.com|\.auth0\.com|accounts\.google\.com|\/oauth2?\/(v\d\.\d\/)?authorize|\/(login|signin|sign-in|sso|saml)(\/|\?|$)/i;

export const redirectNote: NoteFn = (f) =>
  SIGN_IN.test(f.headers.location ?? '')
    ? `The server redirected (${f.status}) to a sign-in page (${f.headers.location}): the API sits behind single sign-on or an access proxy (Cloudflare Access, Azure AD, Okta…). Pointing the base URL there will not help: use a service token the proxy accepts, or a route to the API that is not behind it. apidoctor does not follow redirects, so that your key is never sent to another host.`
    : `The server redirected (${f.status}) to ${f.headers.location ?? 'another address'}: the base URL probably needs to point there. apidoctor does not follow redirects, so that your key is never sent to another host.`;

// ── the request and the provider ────────────────────────────────────────────────────────────

export const contentFilterNote: NoteFn = () =>
  'The prompt (or the answer to it) was filtered by a content policy: retrying the same prompt fails again — change it.';

export const providerNote: NoteFn = (f) => {
  const p = f.body.provider;
  if (!p?.message) return undefined;
  return `The gateway relayed an error from the provider${p.name ? ` ${p.name}` : ''}: ${quote(p.message)}.`;
};

export const noCredentialsNote: NoteFn = (f) =>
  /no (cookie )?auth(entication)? credentials|missing (or invalid )?authorization|authorization (field|header) (is )?(missing|required)|\bheader\.(authorization|x-api-key|api-key): field required|no api key found|no api key|api key (is )?(missing|required)|not provided|(didn't|did not) provide an? (api )?key|未提供令牌/i.test(
    f.haystack,
  )
    ? 'The server says no credentials arrived: check the key is set (apidoctor doctor) and that no proxy strips the Authorization header.'
    : undefined;

export const expiredKeyOn401Note: NoteFn = (f) =>
  /expired|revoked|已过期/i.test(f.haystack)
    ? `The message says the key is expired or revoked: ${keyAdvice(f.ctx, f.failure.endpoint).create}.`
    : undefined;

/** GET /api/keys refused the same billing key: the key is bad, not only the route that asked for a dashboard token. */
export const billingKeyRefusedNote: NoteFn = (f) =>
  `GET /api/keys refused the same billing key too, so it is the key itself that is rejected, not only ${f.failure.endpoint ?? 'this route'} (whose reference page shows a dashboard token).`;

export const modelNote: NoteFn = (f) => (f.ctx.model ? `The model asked for was “${f.ctx.model}”.` : undefined);

export const notImplementedNote: NoteFn = () => 'The server does not implement this method or path (501): retrying will not help.';

export const requestTimeoutNote: NoteFn = () =>
  'The server gave up waiting for the request to arrive (408): a slow or stalled upload, or a proxy holding the body.';

// ── keys, balance, follow-up evidence ───────────────────────────────────────────────────────

export const wrongKindContextNote: NoteFn = (f) => {
  const ep = f.failure.endpoint ?? '';
  const kind = f.ctx.keyKind === 'billing' ? 'billing key (mk-…)' : f.ctx.keyKind === 'proxy' ? 'proxy key (ms-…)' : 'dashboard token';
  const need = ep.startsWith('/v1') ? 'inference on /v1 needs a proxy key (ms-…)' : 'account endpoints on /api need a billing key (mk-…)';
  return `A ${kind} was sent to ${ep}: ${need}.`;
};

export const wrongKindTextNote: NoteFn = () => 'The server itself said the key is of the wrong type for this endpoint.';

export const dashboardTokenNote: NoteFn = (f) =>
  `${f.failure.endpoint ?? 'This route'} refused the billing key with ${f.status}. Its reference page shows a dashboard JWT, not an mk- key; GET /api/keys is the route documented for billing keys.`;

export const balanceNote: NoteFn = (f) => {
  const b = f.ctx.followUp?.balance;
  if (typeof b !== 'number')
    return f.ctx.followUp?.balanceError ? `The balance could not be read: ${f.ctx.followUp.balanceError}.` : undefined;
  if (b <= 0) return `The balance is ${usd(b)} (GET /api/balance): nothing is left to place a hold on.`;
  if (nearZero(b))
    return `The balance is ${usd(b)} (GET /api/balance): above zero, but near it — the hold for a request’s estimated cost does not fit.`;
  return `The balance is ${usd(b)} (GET /api/balance).`;
};

export const keyInactiveNote: NoteFn = (f) => `${cap(keyName(f))} is deactivated (active: false in GET /api/keys).`;

export const keyExpiredNote: NoteFn = (f) =>
  `${cap(keyName(f))} expired on ${f.ctx.followUp?.keyRecord?.expiresAt ?? '?'}: keys are deactivated automatically after expiresAt.`;

export const byEliminationNote: NoteFn = (f) =>
  `By elimination: the balance is ${usd(f.ctx.followUp?.balance ?? 0)} and ${keyName(f)} is active and not expired, so the documented cause left is the key’s spend limit. The server did not say so itself.`;

/** For a 403 whose cause stays open: what was learned, and what could not be. */
export const openCauseNote: NoteFn = (f) => {
  const fu = f.ctx.followUp;
  if (!fu) {
    if (f.ctx.hasBillingKey === false)
      return 'No billing key is configured, so apidoctor could not ask GET /api/balance and GET /api/keys which cause it is.';
    return undefined;
  }
  const known: string[] = [];
  if (typeof fu.balance === 'number') known.push(`the balance is ${usd(fu.balance)}`);
  else if (fu.balanceError) {
    const jwt = /\b40[13]\b/.test(fu.balanceError)
      ? ': that route may want a dashboard token rather than the mk- key; read the balance in Dashboard → Billing'
      : '';
    known.push(`the balance could not be read (${fu.balanceError})${jwt}`);
  }
  const r = fu.keyRecord;
  if (r === null) known.push('the key is not in GET /api/keys of the billing key’s account (another account’s key, or a deleted one)');
  else if (r) known.push(`${keyName(f)} is ${r.active ? 'active' : 'inactive'}${keyExpired(f) ? ' but expired' : ''}`);
  else if (fu.keysError) known.push(`the key list could not be read (${fu.keysError})`);
  return known.length ? `Follow-up: ${known.join('; ')}. That does not settle the cause.` : undefined;
};

function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

// ── network ─────────────────────────────────────────────────────────────────────────────────

export const interceptedTlsNote: NoteFn = () =>
  'The certificate chain ends in one Node does not trust (self-signed or unknown issuer). On a company network this usually means a proxy inspects HTTPS: export NODE_EXTRA_CA_CERTS=/path/to/the-proxy-ca.pem';

export const certDateNote: NoteFn = () =>
  'The server’s certificate is expired or not yet valid. If this machine’s date is wrong, fix the clock first.';

export const altNameNote: NoteFn = (f) =>
  `The certificate does not name the host${f.failure.host ? ` ${f.failure.host}` : ''}: the base URL’s host may be wrong, or something intercepts the connection.`;

export const dnsTransientNote: NoteFn = () =>
  'EAI_AGAIN is a temporary DNS failure (the resolver did not answer): retry, or check the network.';

export const notHttpNote: NoteFn = (f) =>
  `The server${f.failure.host ? ` at ${f.failure.host}` : ''} answered, but not in HTTP (or with an HTTP answer no client can read): most often the port is another service's, or http:// was sent to an HTTPS port.`;

export const badHttpNote: NoteFn = (f) =>
  `The server${f.failure.host ? ` at ${f.failure.host}` : ''} (or a proxy or CDN in between) answered in HTTP, but broke its rules (${f.failure.networkCode ?? 'a parse error'}): a fault on that side, often passing. If it stays, report it with the output of curl -v.`;

export const unknownNetworkNote: NoteFn = (f) =>
  `apidoctor does not recognise the error ${f.failure.networkCode ?? '(no code)'}; the connection failed before a full answer came.`;

export const proxy407Note: NoteFn = () =>
  'The proxy answered 407 Proxy Authentication Required: put the credentials in the proxy URL (http://user:pass@proxy.example:8080).';

export const streamCutNote: NoteFn = (f) => {
  const n = f.body.sseEvents;
  const why = f.failure.networkCode ? ` (${f.failure.networkCode}${f.failure.networkMessage ? `: ${f.failure.networkMessage}` : ''})` : '';
  return `The stream stopped${n !== undefined ? ` after ${n} event${n === 1 ? '' : 's'}` : ''} without data: [DONE]${why}. No other end marker came either (Anthropic’s message_stop, the Responses API’s response.completed).`;
};

/** "Upstream provider error: anthropic returned 529 (Overloaded)": what the provider behind the 502 answered. */
export const upstreamStatusNote: NoteFn = (f) => {
  const m = /\breturned (?:status |http |an? )?(\d{3})\b(?:\s*\(([^)\n]{1,40})\))?/i.exec(f.haystack);
  const overloaded = /overloaded|at capacity/i.test(f.haystack);
  if (!m && !overloaded) return undefined;
  const what = m ? `answered ${m[1]}${m[2] ? ` (${m[2]})` : ''}` : 'said it is overloaded';
  return `The provider behind the gateway ${what}, and the gateway relayed it as 502: a failure of that provider for this model, usually passing. Retry shortly; if it persists, use another model with similar capabilities.`;
};

/** A 405: which methods the path takes (the Allow header), and what was sent. */
export const methodNotAllowedNote: NoteFn = (f) => {
  const allow = f.headers.allow?.trim();
  const sent = f.failure.method ? `${f.failure.method} ` : '';
  const path = f.failure.endpoint ?? 'this path';
  return `The server does not accept ${sent}on ${path}${allow ? `; it allows: ${allow}` : ''}. The method is wrong, not the body.`;
};

export const accountDisabledNote: NoteFn = (f) =>
  `The message says the account or organization itself is disabled${f.statusSource === 'response' && f.status !== undefined && ![401, 403].includes(f.status) ? ` (the status was ${f.status}, but this is not a request problem)` : ''}: the key is refused because of its account, not its own state.`;

export const longWindowNote: NoteFn = () =>
  'The limit named is counted per hour or per day (a daily quota, a plan window): backing off for seconds will not clear it.';

export const modelTooBigNote: NoteFn = () =>
  'The server says the model needs more memory than the host has: this will fail the same way until the model or the host changes.';

export const quotaWindowNote: NoteFn = (f) =>
  `The gateway’s call quota is used up${f.statusSource === 'response' && f.status !== 429 ? ` (sent as ${f.status}, not 429)` : ''}: it refills at a set time; this is not a key or balance problem.`;

export const awsNoRouteNote: NoteFn = () =>
  'AWS API Gateway answered MissingAuthenticationTokenException: it says so both for an unsigned request and for a path or method it has no route for. With a bearer key, a wrong base URL or path is the usual cause.';

export const modelLoadFailedNote: NoteFn = () =>
  'The server says it could not load or run the model (its runner stopped): this fails the same way until the model or the host changes.';

export const noChannelNote: NoteFn = () =>
  'The gateway has no channel (upstream) serving this model for your key’s group: a gap in its configuration or a wrong model id, not a passing overload.';

export const modelAccessNote: NoteFn = () =>
  'The server says this key, or the project behind it, has no access to the model: the key works, the model is not enabled for it.';

export const contextOverflowNote: NoteFn = (f) =>
  `The server says the request does not fit the model’s context${f.status !== undefined && f.status >= 500 ? ` (sent as ${f.status})` : ''}: the same request fails again until it is shorter.`;

export const jwtNote: NoteFn = (f) =>
  /\bjwt\b|json web token/i.test(f.haystack)
    ? 'The server speaks of a JWT: this route checks a dashboard session token, not an API key. ModelSwitch’s /api/balance, /api/usage and /api/transactions pages show Bearer YOUR_JWT_TOKEN; GET /api/keys is the route documented for mk- keys.'
    : undefined;
