/**
 * Ready-made failure specs for every failure the CLI contract names. Use them as
 * `emu.state.failures.push({ ...PRESETS.rateLimited, match: { path: '/v1/models' }, times: 2 })`.
 */
import type { FailureSpec } from './types.js';

const JSON_CT = { 'content-type': 'application/json' };

const NGINX_502 =
  '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n';

const CLOUDFLARE_522 = `<!DOCTYPE html>
<html class="no-js" lang="en-US">
<head>
<title>modelswitch.io | 522: Connection timed out</title>
<meta charset="UTF-8" />
<meta name="robots" content="noindex, nofollow" />
<link rel="stylesheet" id="cf_styles-css" href="/cdn-cgi/styles/main.css" />
</head>
<body>
<div id="cf-wrapper">
  <div id="cf-error-details" class="p-0">
    <header class="mx-auto pt-10 lg:pt-6 lg:px-8 w-240 lg:w-full mb-8">
      <h1 class="inline-block sm:block sm:mb-2 font-light text-60 lg:text-4xl text-black-dark leading-tight mr-2">
        <span class="inline-block">Connection timed out</span>
        <span class="code-label">Error code 522</span>
      </h1>
    </header>
    <div class="w-240 lg:w-full mx-auto mb-8 lg:px-8">
      <h2 class="text-3xl font-normal leading-1.3 mb-4">What happened?</h2>
      <p>The initial connection between Cloudflare's network and the origin web server timed out. As a result, the web page can not be displayed.</p>
      <h2 class="text-3xl font-normal leading-1.3 mb-4">What can I do?</h2>
      <p>Please try again in a few minutes.</p>
    </div>
    <div class="cf-error-footer cf-wrapper w-240 lg:w-full py-10 sm:py-4 sm:px-8 mx-auto text-center sm:text-left border-solid border-0 border-t border-gray-300">
      <p class="text-13"><span class="cf-footer-item sm:block sm:mb-1">Cloudflare Ray ID: <strong class="font-semibold">8f1e2d3c4b5a6978</strong></span></p>
    </div>
  </div>
</div>
</body>
</html>
`;

const CLOUDFLARE_HEADERS = {
  'content-type': 'text/html; charset=UTF-8',
  server: 'cloudflare',
  'cf-ray': '8f1e2d3c4b5a6978-FRA',
  'cache-control': 'no-store, no-cache, must-revalidate, post-check=0, pre-check=0',
};

const CLOUDFLARE_CHALLENGE =
  '<!DOCTYPE html><html lang="en-US"><head><title>Just a moment...</title><meta http-equiv="Content-Type" content="text/html; charset=UTF-8"><meta name="robots" content="noindex,nofollow"></head><body><div class="main-wrapper" role="main"><div class="main-content"><noscript><div class="h2"><span id="challenge-error-text">Enable JavaScript and cookies to continue</span></div></noscript></div></div><script>(function(){window._cf_chl_opt={cvId: \'3\',cZone: "modelswitch.io",cType: \'managed\',cRay: \'8f1e2d3c4b5a6979\'};}());</script></body></html>';

const OPENRESTY_401 =
  '<html>\r\n<head><title>401 Authorization Required</title></head>\r\n<body>\r\n<center><h1>401 Authorization Required</h1></center>\r\n<hr><center>openresty</center>\r\n</body>\r\n</html>\r\n';

const APP_SHELL =
  '<!DOCTYPE html><html lang="en"><head><meta charSet="utf-8"/><meta name="viewport" content="width=device-width, initial-scale=1"/><title>ModelSwitch</title><link rel="stylesheet" href="/_next/static/css/59786e30c3453a61.css" data-precedence="next"/><script src="/_next/static/chunks/main-app-2ecc3bf42ae2d122.js" async=""></script></head><body><div id="__next"></div></body></html>';

/** Envelope helper for the presets. */
const env = (message: string, type: string, code: string | null): object => ({ error: { message, type, code } });

function deepFreeze<T>(o: T): T {
  if (o !== null && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o as Record<string, unknown>)) deepFreeze(v);
  }
  return o;
}

/** Named failure specs (frozen; spread them into a rule to add match/times). */
export const PRESETS = deepFreeze({
  // --- rate limits and quota
  /** 429 with Retry-After: 1. */
  rateLimited: {
    status: 429,
    headers: { ...JSON_CT, 'retry-after': '1' },
    body: env('Rate limit exceeded. Please retry after a short delay.', 'rate_limit_error', 'rate_limit_exceeded'),
  },
  /** 429 with no Retry-After (the documented case: back off from 1 s, doubling). */
  rateLimitedNoRetryAfter: {
    status: 429,
    headers: JSON_CT,
    body: env('Rate limit exceeded. Please retry after a short delay.', 'rate_limit_error', 'rate_limit_exceeded'),
  },
  /** 429 with Retry-After: 86400 (Azure-style daily quota) — beyond any sane retry cap. */
  rateLimitedLongRetry: {
    status: 429,
    headers: { ...JSON_CT, 'retry-after': '86400' },
    body: env('Token rate limit exceeded. Please retry after 86400 seconds.', 'rate_limit_error', 'rate_limit_exceeded'),
  },
  /** 429 that is really an empty balance (OpenAI insufficient_quota). */
  insufficientQuota429: {
    status: 429,
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: env('You exceeded your current quota, please check your plan and billing details.', 'insufficient_quota', 'insufficient_quota'),
  },
  // --- 5xx
  /** 500 in the envelope. */
  serverError: { status: 500, headers: JSON_CT, body: env('Internal server error', 'server_error', 'internal_error') },
  /** 502 provider (upstream) error in the envelope. */
  badGateway: {
    status: 502,
    headers: JSON_CT,
    body: env('Upstream provider returned an error. Try a different model or retry.', 'provider_error', 'bad_gateway'),
  },
  /** 503 in the envelope. */
  unavailable: { status: 503, headers: JSON_CT, body: env('Service temporarily unavailable', 'server_error', 'service_unavailable') },
  /** 504 in the envelope. */
  gatewayTimeout: { status: 504, headers: JSON_CT, body: env('Upstream request timed out', 'server_error', 'gateway_timeout') },
  /** 529 Anthropic-style overloaded, request id in the body. */
  overloaded: {
    status: 529,
    headers: JSON_CT,
    body: { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' }, request_id: 'req_011CZAau32QzxDkriovTaFCB' },
  },
  /** Stock nginx 502 page, text/html. */
  html502: { status: 502, headers: { 'content-type': 'text/html', server: 'nginx' }, body: NGINX_502 },
  /** Cloudflare 522 "Connection timed out" HTML page with cf-ray. */
  cloudflare522: { status: 522, headers: CLOUDFLARE_HEADERS, body: CLOUDFLARE_522 },
  /** Cloudflare Worker-style plain "error code: 522". */
  cloudflare522Plain: {
    status: 522,
    headers: { 'content-type': 'text/plain; charset=UTF-8', server: 'cloudflare', 'cf-ray': '8755a6b7c8d9e0f1-SJC' },
    body: 'error code: 522',
  },
  /** Envoy 503 plain text. */
  envoy503: {
    status: 503,
    headers: { 'content-type': 'text/plain', server: 'envoy' },
    body: 'upstream connect error or disconnect/reset before headers. reset reason: connection failure',
  },
  // --- success status, wrong body
  /** 200 with an HTML app shell instead of JSON. */
  htmlOk: { status: 200, headers: { 'content-type': 'text/html; charset=utf-8' }, body: APP_SHELL },
  /** 200 with JSON of the wrong shape. */
  wrongShape: { status: 200, headers: JSON_CT, body: { unexpected: true } },
  /** 200 with an empty body. */
  emptyOk: { status: 200, headers: JSON_CT, body: '' },
  /** 200 claiming JSON, body truncated mid-document. */
  brokenJsonOk: { status: 200, headers: JSON_CT, body: '{"object":"list","data":[{"id":"gpt-4o"' },
  // --- 4xx
  /** 400 in the envelope. */
  badRequest: {
    status: 400,
    headers: JSON_CT,
    body: env("Invalid request: 'messages' must be a non-empty array", 'invalid_request_error', 'invalid_request'),
  },
  /** 400 that is really a spend limit (LiteLLM budget). */
  budgetExceeded400: {
    status: 400,
    headers: JSON_CT,
    body: {
      error: { message: 'Budget has been exceeded! Current cost: 0.0010747, Max budget: 0.0', type: 'auth_error', param: null, code: 400 },
    },
  },
  /** 401 as documented. */
  unauthorized: { status: 401, headers: JSON_CT, body: env('Invalid API key', 'authentication_error', 'invalid_api_key') },
  /** 401 with an openresty HTML page. */
  html401: { status: 401, headers: { 'content-type': 'text/html', server: 'openresty' }, body: OPENRESTY_401 },
  /** 402 as on the docs' auth page. */
  paymentRequired: {
    status: 402,
    headers: JSON_CT,
    body: env('Account balance is insufficient', 'invalid_request_error', 'insufficient_balance'),
  },
  /** 403 with the generic body (cause open). */
  forbidden: { status: 403, headers: JSON_CT, body: env('Access denied', 'invalid_request_error', 'forbidden') },
  /** Cloudflare "Just a moment..." challenge page, 403 HTML. */
  cloudflareChallenge403: { status: 403, headers: { ...CLOUDFLARE_HEADERS, 'cf-mitigated': 'challenge' }, body: CLOUDFLARE_CHALLENGE },
  /** 404 model not found. */
  modelNotFound: { status: 404, headers: JSON_CT, body: env("Model 'gpt-5-ultra' not found", 'invalid_request_error', 'model_not_found') },
  // --- connection-level and stream failures
  /** Never answer. */
  hang: { kind: 'hang' },
  /** Connection reset, no response. */
  reset: { kind: 'reset' },
  /** 200 headers and 16 bytes of a JSON model list, then the socket closes. */
  resetMidBody: { kind: 'resetMidBody', status: 200, bytes: 16 },
  /** 200 JSON model list (79 bytes), 4 bytes every 200 ms: headers at once, the body complete after about 3.8 s. */
  drip: {
    kind: 'drip',
    status: 200,
    body: '{"object":"list","data":[{"id":"gpt-4o","object":"model","owned_by":"openai"}]}',
    chunkDelayMs: 200,
  },
  /** 200 with a 20 MB JSON body. */
  huge: { kind: 'huge', status: 200, bytes: 20 * 1024 * 1024, contentType: 'application/json' },
  /** 20 MB HTML error page. */
  hugeHtml502: { kind: 'huge', status: 502, bytes: 20 * 1024 * 1024, contentType: 'text/html' },
  /** SSE that ends without data: [DONE]. */
  streamCut: { kind: 'streamCut', chunks: 2 },
  /** SSE whose event is an error object, then [DONE]. */
  streamErrorEvent: { kind: 'streamErrorEvent' },
  /** 401 that echoes the full key in its message and an x-echo-key header. */
  echoKey: { kind: 'echoKey', status: 401 },
} satisfies Record<string, FailureSpec>);

/** Names of the presets. */
export type PresetName = keyof typeof PRESETS;
