/**
 * The rules, as data: ordered from specific to general, first match wins, catch-alls per status class last.
 * The status decides the class; the body refines it — except where bodies carry truths statuses hide
 * (insufficient_quota on a 429, a bad key on a 400), which come before the status classes.
 * A data table, kept whole past ~300 lines on purpose: the order is the meaning (first match wins), so it is read
 * top to bottom in one file.
 */
import type { Category, Failure, KeyKind } from '../core/types.js';
import type { DiagnosisId } from './catalog.js';
import type { BodyFormat, VendorHint } from './envelope.js';
import type { NoteFn } from './notes.js';
import * as N from './notes.js';
import * as P from './predicates.js';
import { CONTEXT_OVERFLOW } from './facts.js';
import type { Predicate } from './predicates.js';

/** An inclusive status range. */
export interface StatusRange {
  from: number;
  to: number;
}

/** Declarative matchers: every one given must hold. */
export interface When {
  kind?: readonly Failure['kind'][];
  /** The status the rules read (for an error inside a 2xx answer: the inner error's). */
  status?: readonly number[] | StatusRange;
  /** Tested on the network code and message. */
  network?: RegExp;
  /** Tested on error type, code, message, details reasons, the provider's inner error, an HTML title. */
  text?: RegExp;
  type?: RegExp;
  code?: RegExp;
  format?: readonly BodyFormat[];
  vendor?: readonly VendorHint[];
  /** Header present (true) or matching. */
  header?: Readonly<Record<string, RegExp | true>>;
  unexpectedBody?: readonly NonNullable<Failure['unexpectedBody']>[];
  endpoint?: RegExp;
  keyKind?: readonly KeyKind[];
  inBand?: boolean;
  /** Named predicates over the facts; all must hold. */
  all?: readonly Predicate[];
}

export interface Rule {
  /** Unique, for tests and traces: which rule decided. */
  name: string;
  id: DiagnosisId;
  when: When;
  notes?: readonly NoteFn[];
  /** Steps specific to this reading; with remediesMode 'replace' they stand instead of the catalogue's. */
  remedies?: readonly string[];
  remediesMode?: 'prepend' | 'replace';
  retryable?: boolean;
  category?: Category;
}

const range = (from: number, to: number): StatusRange => ({ from, to });
const NET: readonly Failure['kind'][] = ['network'];

// Text signals. Kept here, beside the rules that read them.
const SPEND_LIMIT =
  /budget has been exceeded|\bSetLimitExceeded\b|reached the set (inference |usage |spend(ing)? )?limit|budget exceeded|exceeded (your |the )?budget|max(imum)? budget|spend(ing)?[ _-]?limit|spend cap|usage limits?\b[^.]{0,40}\b(reached|exceeded|hit)|reached your (specified )?api usage limits?|\bkey with a higher (daily |weekly |monthly |total )?(spend(ing)? |credit )?limit|令牌额度已用尽|token quota (is )?(exhausted|used up|not enough)|token_quota_exhausted|\bbilling (hard |soft )?limit\b[^.\n]{0,20}\b(reached|exceeded|hit)\b/i;
const BALANCE =
  /insufficient[ _](balance|funds|credits?|account balance)|credit balance is too low|requires more credits|not enough (balance|credits?|funds)|(balance|credits?) (is |are )?(too low|insufficient|exhausted|depleted)|out of credits|no credits (left|remaining)|used all (available )?credits|payment required|top[ -]?up your (account|balance)|余额不足|额度不足|\barrearage\b|overdue[ _-](payment|account|balance|bill)|account is in arrears|account is in good standing|\b(user|account|your) quota (is )?(not enough|insufficient)\b|insufficient_user_quota|\bBILLING_DISABLED\b|requires billing to be enabled|billing (account )?(is )?(not enabled|disabled|not active|inactive)|\binsufficient(?: (?!(?:to|for|of|on|in|permissions?|access|rights|scopes?|privileges?)\b)[\w-]+){1,3} (credits?|balance|funds)\b|\b(account|payment|bill|balance) (is )?overdue\b|has an overdue balance|欠费|(?<!(速率|频率|并发|限流|限速)[^。.;；]{0,30})(请(先)?充值|充值后(再)?(重试|使用))|余额已用(完|尽)|余额为(零|0)/i;
const DEACTIVATED =
  /\b(api[ _-]?)?(key|token)\b[^.\n]{0,40}\b(deactivated|disabled|revoked|inactive|suspended|expired|blocked)\b|\b(deactivated|disabled|revoked|inactive|suspended|expired)[ _](api[ _-]?)?key\b|API_KEY_EXPIRED|key_(deactivated|disabled|revoked|expired|inactive)/i;
const BAD_KEY =
  /invalid_api_key|API_KEY_INVALID|incorrect api key|invalid x-api-key|api key not valid|invalid api[ _-]?key|invalid (authentication|auth) (token|credentials)|invalid_authentication|authentication[ _]failed|no (cookie )?auth(entication)? credentials|missing or invalid authorization|invalid (bearer|access|auth) token|\binvalid_token\b|api key (is )?(missing|required)|missing api key|authorization (field|header) (is )?(missing|required)|\bheader\.(authorization|x-api-key|api-key): field required/i;
const WRONG_KIND =
  /wrong key type|(proxy|billing) key (is )?(required|cannot|can't|not allowed|not accepted)|requires? an? (proxy|billing) key|use an? (ms-|mk-|proxy |billing )key|not interchangeable|key type (is )?(invalid|not allowed|mismatch)/i;
/**
 * Money said by an identifier only (its words, see identifierWords): Moonshot's `exceeded_current_quota_error` type is an
 * empty balance, while the same words in prose ("You exceeded your current quota") are also Gemini's per-minute free tier.
 */
const MONEY_ID = /\bexceeded (your )?current quota\b/;
/** The account, organization or team behind the key is disabled: no key of it works, a new key does not help. */
// Only an account said to BE disabled counts: a passive or bare participle ("has been disabled", "is suspended",
// "account deactivated") followed by an end, a stop or a preposition. An active verb with an object ("your
// organization has disabled Claude subscription access", "your admin disabled web search") is a restriction of one
// thing, not a disabled account; "restricted" counts only said of the account itself.
const ACCOUNT_DISABLED =
  /\b(account|organi[sz]ation|team|workspace)\b[^.\n]{0,60}\b(?<!\b(?:has|have|had|admins?|administrators?|owners?) )(deactivated|disabled|suspended|banned|terminated)\b(?=\s*$|\s*[.,;:!?)\]"'(—–-]|\s+(?:for|due|because|by|and|or|on|in|at|from|until|since|after|pending|temporarily|permanently|indefinitely|please|contact|as|owing|following)\b)|\b(account|organi[sz]ation|team|workspace) (has been|is|was) restricted\b|\baccount_deactivated\b|\borganization_disabled\b/i;
const GEO =
  /unsupported_country|country, region,? or territory|not (available|supported) in your (country|region|location)|unsupported (country|region|location)|user location is not supported/i;
const CONTENT_FILTER =
  /content[_ ]?filter|content management policy|content policy|safety (system|filter|settings)|ResponsibleAIPolicyViolation|flagged by|moderation|blocked by (the )?(safety|content)/i;
const MODEL_MISSING =
  /model_not_found|model[_ ]not[_ ]found|no such model|unknown model|invalid model|^model: |DeploymentNotFound|deployment for this resource does not exist|no endpoints found for (?!that)|\bmodel\b[^\n]{0,80}\b(not found|does not exist|doesn't exist|not exists?\b|is not available|is not a valid model|(has been|was|is) (decommissioned|retired|discontinued|shut down)\b|is no longer (available|supported|served)\b)|\bmodel_(decommissioned|retired|deprecated)\b|(?:^|[\s'"`])models\/[\w.:-]+ is not found\b/im;
const OVERLOADED = /overloaded|at capacity|temporarily unavailable|service unavailable|try again later/i;
/** The server cannot load the model at all (not a passing overload): retrying does not help. */
const MODEL_TOO_BIG =
  /requires more (system |gpu )?memory|more memory than (is )?available|not enough (system |gpu )?memory to load|insufficient (system |gpu )?memory (to|for) (load|run)/i;
/** A gateway quota with a refill time, sent as a 403 (Azure API Management's quota-by-key). */
const QUOTA_WINDOW = /out of call volume quota|quota will be replenished in/i;
const ENVOY_UPSTREAM = /upstream connect error|no healthy upstream/i;
/** A gateway (one-api, new-api) has no channel serving this model for the key's group: its configuration, not a passing outage. */
const NO_CHANNEL = /无可用渠道|no available channels?\b[^.\n]{0,40}\bmodel|no channels? available for (the )?model/i;
/** The server could not start or load the model (its runner crashed on load): the same request crashes it again. */
const MODEL_LOAD_FAILED = /\b(llama )?runner process has (terminated|exited)|error loading model|(failed|unable) to load (the )?model/i;
/** The server itself says the failure passes (busy, still loading, try again): not a model that can never load. */
const PASSING =
  /try again|retry (later|shortly|in\b)|temporar(y|ily)|currently (loading|busy)|(is|still) loading|server (is )?busy|too many (pending|concurrent)/i;
/** The key's project or account may not use this model (a 403 with model_not_found): not a balance or key-state problem. */
const MODEL_ACCESS =
  /does not have access to (the )?model|not (allowed|permitted|authori[sz]ed) to (use|access) (the |this )?model|model_not_found/i;

export const RULES: readonly Rule[] = [
  // ── no answer: the network ────────────────────────────────────────────────────────────────
  {
    name: 'net.proxy',
    id: 'network.proxy',
    when: { kind: NET, network: /UND_ERR_PRX_TLS|ERR_PROXY|Proxy response \(\d+\) !== 200|proxy/i },
  },
  { name: 'net.timeout', id: 'network.timeout', when: { kind: NET, network: /timeout|timed? ?out|ETIMEDOUT/i } },
  { name: 'net.dns-transient', id: 'network.dns', when: { kind: NET, network: /EAI_AGAIN/ }, notes: [N.dnsTransientNote], retryable: true },
  { name: 'net.dns', id: 'network.dns', when: { kind: NET, network: /ENOTFOUND|EAI_NONAME|EAI_FAIL|EAI_NODATA|getaddrinfo/ } },
  { name: 'net.refused', id: 'network.refused', when: { kind: NET, network: /ECONNREFUSED/ } },
  {
    name: 'net.unreachable',
    id: 'network.unreachable',
    when: { kind: NET, network: /ENETUNREACH|EHOSTUNREACH|EHOSTDOWN|ENETDOWN|EADDRNOTAVAIL/ },
  },
  {
    name: 'net.tls-intercepted',
    id: 'network.tls',
    when: {
      kind: NET,
      network:
        /SELF_SIGNED_CERT_IN_CHAIN|DEPTH_ZERO_SELF_SIGNED_CERT|UNABLE_TO_GET_ISSUER_CERT|UNABLE_TO_VERIFY_LEAF_SIGNATURE|self[- ]signed/i,
    },
    notes: [N.interceptedTlsNote],
  },
  { name: 'net.tls-date', id: 'network.tls', when: { kind: NET, network: /CERT_HAS_EXPIRED|CERT_NOT_YET_VALID/ }, notes: [N.certDateNote] },
  {
    name: 'net.tls-hostname',
    id: 'network.tls',
    when: { kind: NET, network: /ERR_TLS_CERT_ALTNAME_INVALID|does not match certificate|altnames/i },
    notes: [N.altNameNote],
  },
  { name: 'net.tls', id: 'network.tls', when: { kind: NET, network: /CERT_|ERR_TLS_|ERR_SSL_|EPROTO|SSL|TLS|certificate/ } },
  {
    name: 'net.not-http',
    id: 'network.reset',
    // Where the status line should be (or its headers' names): not HTTP at all, or another protocol.
    when: {
      kind: NET,
      network:
        /does not match the HTTP\/1\.1 protocol|\bHPE_(INVALID_CONSTANT|INVALID_VERSION|INVALID_STATUS|CR_EXPECTED|LF_EXPECTED|STRICT)\b|assert\(upgrade\)/,
    },
    notes: [N.notHttpNote],
    retryable: false,
    remedies: [
      'Check the base URL’s scheme and port: https://modelswitch.io (no port) is the documented one',
      'If you set a port, make sure it is the API’s and not another service’s (a database, SSH, a TLS-only port spoken to with http://)',
      'See what answers: curl -v <base URL>/v1/models',
    ],
    remediesMode: 'replace',
  },
  // HTTP, but broken framing: a body against its length or chunking, headers past every limit.
  { name: 'net.bad-http', id: 'network.reset', when: { kind: NET, network: /\bHPE_[A-Z_]+/ }, notes: [N.badHttpNote] },
  {
    name: 'net.reset',
    id: 'network.reset',
    when: {
      kind: NET,
      network:
        /ECONNRESET|EPIPE|UND_ERR_SOCKET|ECONNABORTED|UND_ERR_CLOSED|UND_ERR_RES_CONTENT_LENGTH_MISMATCH|other side closed|socket hang up|terminated/i,
    },
  },
  { name: 'net.other', id: 'network.reset', when: { kind: NET }, notes: [N.unknownNetworkNote] },

  // ── a 2xx stream that broke off with no error event ───────────────────────────────────────
  {
    name: 'stream.cut',
    id: 'stream.interrupted',
    when: { inBand: false, all: [P.successStatus, P.streamFailed] },
    notes: [N.streamCutNote],
  },

  // ── which key went where ──────────────────────────────────────────────────────────────────
  { name: 'proxy.407', id: 'network.proxy', when: { status: [407] }, notes: [N.proxy407Note] },
  {
    // GET /api/keys refused the same billing key: the key is bad, whatever the route's reference page shows.
    name: 'auth.billing-key-refused',
    id: 'auth.invalid-key',
    when: { status: [401, 403], endpoint: /^\/api(\/|\?|$)/, all: [P.billingKeyUsed, (f) => f.ctx.followUp?.billingKeyAccepted === false] },
    notes: [N.billingKeyRefusedNote, N.noCredentialsNote],
  },
  {
    name: 'access.dashboard-token',
    id: 'access.dashboard-token',
    when: { status: [401, 403], endpoint: /^\/api\/(balance|usage|transactions)(\/|\?|$)/, all: [P.billingKeyUsed] },
    notes: [N.dashboardTokenNote],
  },
  {
    name: 'key.wrong-kind-context',
    id: 'key.wrong-kind',
    category: 'auth',
    when: { status: [401, 403], all: [P.keyKindMismatch] },
    notes: [N.wrongKindContextNote],
  },
  {
    name: 'key.wrong-kind-text',
    id: 'key.wrong-kind',
    category: 'auth',
    when: { status: [401, 403], text: WRONG_KIND },
    notes: [N.wrongKindTextNote],
  },

  // ── the account behind the key is disabled (any 4xx, a 400 included): auth, but not a key fix ──
  {
    name: 'auth.account-disabled',
    id: 'auth.deactivated-key',
    when: { text: ACCOUNT_DISABLED, all: [P.clientErrorOrUnknown, (f) => !BALANCE.test(f.haystack) && !SPEND_LIMIT.test(f.haystack)] },
    notes: [N.accountDisabledNote],
    remedies: [
      'The provider has disabled the account or organization the key belongs to: no key of it works, so a new key or reactivating this one does not help',
      'Check the account owner’s email and the provider’s dashboard for the reason (billing, policy, verification)',
      'Contact the provider’s support to restore it, or use a key from another account',
    ],
    remediesMode: 'replace',
  },

  // ── 401 is auth, whatever the body ────────────────────────────────────────────────────────
  { name: 'auth.401', id: 'auth.invalid-key', when: { status: [401] }, notes: [N.noCredentialsNote, N.expiredKeyOn401Note, N.jwtNote] },

  // ── bodies that carry the truth their status hides ────────────────────────────────────────
  {
    name: 'balance.quota-code',
    id: 'balance.insufficient',
    when: { text: /^insufficient_(user_)?quota$/m, all: [P.errorOrUnknownStatus] },
    notes: [N.quotaCodeNote],
  },
  {
    name: 'key.spend-limit-text',
    id: 'key.spend-limit',
    when: { text: SPEND_LIMIT, all: [P.errorOrUnknownStatus, (f) => !(P.rateLimitType(f) && P.windowedLimit(f))] },
    notes: [N.statusDisagrees([402, 403], 'a spend limit or budget was reached')],
  },
  {
    name: 'balance.text',
    id: 'balance.insufficient',
    when: { text: BALANCE, all: [P.errorOrUnknownStatus] },
    notes: [N.statusDisagrees([402, 403], 'the balance or credit is too low'), N.balanceNote],
  },
  {
    name: 'balance.identifier',
    id: 'balance.insufficient',
    when: { all: [P.errorOrUnknownStatus, (f) => MONEY_ID.test(f.idWords)] },
    notes: [N.statusDisagrees([402, 403], 'the error type says the quota of money is used up'), N.balanceNote],
  },
  {
    name: 'auth.deactivated-text',
    id: 'auth.deactivated-key',
    when: { text: DEACTIVATED, all: [P.clientErrorOrUnknown] },
    notes: [N.statusDisagrees([403], 'the key is deactivated or expired')],
  },
  {
    name: 'auth.bad-key-text',
    id: 'auth.invalid-key',
    when: { text: BAD_KEY, all: [P.clientErrorOrUnknown] },
    notes: [N.statusDisagrees([401, 403], 'the API key is invalid'), N.noCredentialsNote],
  },

  // ── 402, 403 ──────────────────────────────────────────────────────────────────────────────
  {
    name: '4xx.quota-window-long',
    id: 'rate.limited',
    category: 'rate_limit',
    when: { status: range(400, 499), text: QUOTA_WINDOW, all: [P.longRetryAfter] },
    notes: [N.quotaWindowNote, N.retryAfterNote],
    retryable: false,
    remedies: [
      'Stop retrying for now: the quota refills only at the time the gateway named',
      'Ask the gateway’s owner for a larger quota, or spread the load over time',
    ],
    remediesMode: 'replace',
  },
  {
    name: '4xx.quota-window',
    id: 'rate.limited',
    category: 'rate_limit',
    when: { status: range(400, 499), text: QUOTA_WINDOW },
    notes: [N.quotaWindowNote, N.retryAfterNote],
  },
  {
    name: 'access.geo-block',
    id: 'access.denied',
    when: { text: GEO, all: [P.clientErrorOrUnknown] },
    notes: [N.geoBlockNote],
    remedies: [
      'Send the request from a supported country or region: check this machine’s location, VPN or proxy',
      'If a gateway relays the request, its server’s location is what counts: move it, or use another route',
    ],
    remediesMode: 'replace',
  },
  {
    name: 'access.cdn-challenge',
    id: 'access.denied',
    when: { status: [403], all: [P.cdnChallengeOrBlock] },
    notes: [N.challengeNote],
    remedies: [
      'Retry from another network: a VPN, proxy or datacenter IP often triggers the check',
      'If an HTTPS proxy is configured (HTTPS_PROXY), try without it, or exempt the API with NO_PROXY',
      'If it persists from a normal connection, report the CDN’s reference (cf-ray id, Akamai Reference #, CloudFront Request ID) to ModelSwitch support',
    ],
    remediesMode: 'replace',
  },
  {
    name: '403.aws-no-route',
    id: 'access.denied',
    when: { status: [403], type: /^MissingAuthenticationTokenException$/ },
    notes: [N.awsNoRouteNote],
    remedies: [
      'Check the base URL and path: AWS API Gateway answers “Missing Authentication Token” for a path or method it has no route for',
      'Use the API root: export MODELSWITCH_BASE_URL=https://modelswitch.io (no /v1 or /api), then apidoctor call /v1/models --include',
    ],
    remediesMode: 'replace',
  },
  {
    name: '403.model-access',
    id: 'access.denied',
    when: { status: [403], text: MODEL_ACCESS },
    notes: [N.modelAccessNote, N.modelNote],
    remedies: [
      'The key (or the project or account behind it) may not use this model: pick one it lists, apidoctor call /v1/models',
      'Or enable the model for the project or key in the provider’s dashboard; a new key of the same project will not help',
    ],
    remediesMode: 'replace',
  },
  { name: 'balance.402', id: 'balance.insufficient', when: { status: [402] }, notes: [N.balanceNote] },
  {
    name: '403.followup.balance-low',
    id: 'balance.insufficient',
    when: { status: [403], all: [P.balanceNearZero] },
    notes: [N.balanceNote],
  },
  {
    name: '403.followup.key-inactive',
    id: 'auth.deactivated-key',
    when: { status: [403], all: [P.keyRecordInactive] },
    notes: [N.keyInactiveNote],
  },
  {
    name: '403.followup.key-expired',
    id: 'auth.deactivated-key',
    when: { status: [403], all: [P.keyRecordExpired] },
    notes: [N.keyExpiredNote],
  },
  {
    name: '403.followup.by-elimination',
    id: 'key.spend-limit',
    when: { status: [403], all: [P.balanceFine, P.keyRecordUsable] },
    notes: [N.byEliminationNote],
  },
  { name: '403.open', id: 'access.denied', when: { status: [403] }, notes: [N.openCauseNote] },

  // ── 404 ───────────────────────────────────────────────────────────────────────────────────
  { name: 'model.not-found', id: 'model.not-found', when: { text: MODEL_MISSING, all: [P.clientErrorOrUnknown] }, notes: [N.modelNote] },
  { name: '404.html', id: 'resource.not-found', when: { status: [404, 410], format: ['html'] }, notes: [N.html404Note] },
  { name: '404', id: 'resource.not-found', when: { status: [404, 410] } },

  // ── 429 ───────────────────────────────────────────────────────────────────────────────────
  {
    name: '429.request-too-large',
    id: 'rate.limited',
    when: { status: [429], all: [P.requestExceedsLimit] },
    notes: [N.requestTooLargeNote],
    retryable: false,
    remedies: [
      'Make one request fit under the limit: lower max_tokens, shorten the input, or split it into several requests',
      'Or use a model or plan with a higher tokens-per-minute limit',
      'Retrying this same request does not help, with or without backoff',
    ],
    remediesMode: 'replace',
  },
  {
    name: '429.long-wait',
    id: 'rate.limited',
    when: { status: [429], all: [P.longRetryAfter] },
    notes: [N.retryAfterNote],
    retryable: false,
    remedies: [
      'Stop retrying for now: the limit resets only after the wait the server named',
      'Ask for a higher quota, or spread the load over a longer period or another model',
      'apidoctor call does not wait that long between retries: it stops and reports this instead of hanging',
    ],
    remediesMode: 'replace',
  },
  {
    name: '429.long-window',
    id: 'rate.limited',
    when: {
      status: [429],
      all: [
        (f) => P.longWindowLimit(f) || P.quotaExceededType(f),
        (f) => f.retryAfterSec === undefined || f.retryAfterSec > P.MAX_WAIT_SEC,
      ],
    },
    notes: [N.longWindowNote],
    retryable: false,
    remedies: [
      'Stop retrying for now: this limit is counted per hour or per day and resets only when its window ends',
      'Ask for a higher quota or plan, or move the load to another model or key',
    ],
    remediesMode: 'replace',
  },
  { name: '429', id: 'rate.limited', when: { status: [429] }, notes: [N.retryAfterNote] },

  // ── other 4xx: the request ────────────────────────────────────────────────────────────────
  {
    name: 'request.content-filter',
    id: 'request.invalid',
    when: { status: range(400, 499), text: CONTENT_FILTER },
    notes: [N.contentFilterNote],
  },
  {
    name: 'request.provider-error',
    id: 'request.invalid',
    when: { status: range(400, 499), all: [P.hasProviderError] },
    notes: [N.providerNote],
  },
  { name: '408', id: 'network.timeout', when: { status: [408] }, notes: [N.requestTimeoutNote] },
  {
    name: '405',
    id: 'request.invalid',
    when: { status: [405] },
    notes: [N.methodNotAllowedNote],
    remedies: [
      'Use a method this path takes (the Allow header, when sent, lists them; the API reference lists each path’s method)',
      'See what the path answers: apidoctor call <path> --include',
    ],
    remediesMode: 'replace',
  },
  { name: 'request.4xx', id: 'request.invalid', when: { status: [400, 405, 409, 411, 413, 414, 415, 422, 431] } },

  // ── 5xx: the server ───────────────────────────────────────────────────────────────────────
  {
    name: '5xx.envoy-upstream',
    id: 'service.unavailable',
    when: { status: range(500, 599), text: ENVOY_UPSTREAM },
    notes: [N.envoyUpstreamNote],
  },
  {
    name: '5xx.model-too-big',
    id: 'server.error',
    when: { status: range(500, 599), text: MODEL_TOO_BIG },
    notes: [N.modelTooBigNote],
    retryable: false,
    remedies: [
      'The server has too little memory for this model: retrying does not help',
      'Use a smaller model (or a smaller quantization or context size), or free memory on the host serving it',
    ],
  },
  {
    name: '5xx.context-overflow',
    id: 'request.invalid',
    when: { status: range(500, 599), text: CONTEXT_OVERFLOW },
    notes: [N.contextOverflowNote],
    retryable: false,
    remedies: [
      'Shorten the input (fewer or shorter messages) or lower max_tokens so the request fits the model’s context',
      'Or use a model with a longer context window; retrying the same request does not help',
    ],
  },
  {
    name: '5xx.model-load-failed',
    id: 'server.error',
    when: { status: range(500, 599), text: MODEL_LOAD_FAILED, all: [(f) => !PASSING.test(f.haystack)] },
    notes: [N.modelLoadFailedNote],
    retryable: false,
    remedies: [
      'The server could not load this model: retrying the same request does not help',
      'Try another (smaller) model, or check the server’s own log for why its model runner stopped (memory, GPU driver, an unsupported model file)',
    ],
  },
  {
    name: '5xx.no-channel',
    id: 'service.unavailable',
    when: { status: range(500, 599), text: NO_CHANNEL },
    notes: [N.noChannelNote, N.modelNote],
    retryable: false,
    remedies: [
      'Check the model id: use one the gateway lists for your key (apidoctor call /v1/models)',
      'If the model should be there, ask the gateway’s admin to enable a channel for it in your key’s group; retrying does not help until they do',
    ],
    remediesMode: 'replace',
  },
  { name: '5xx.cloudflare-origin', id: 'server.error', when: { all: [P.cloudflareOriginError] }, notes: [N.cloudflareNote] },
  { name: '502.proxy-page', id: 'server.error', when: { status: [502], all: [P.proxyPage] }, notes: [N.proxy502Note] },
  // The API's own 502 is the provider behind it failing, even when the provider said "overloaded" (its 529):
  // the 502 remedies (retry shortly; another model with similar capabilities) fit, not a wait for an outage to pass.
  { name: '502', id: 'provider.error', when: { status: [502] }, notes: [N.upstreamStatusNote, N.providerNote] },
  { name: '503-529', id: 'service.unavailable', when: { status: [503, 529] }, notes: [N.retryAfterNote] },
  { name: '5xx.overloaded', id: 'service.unavailable', when: { status: range(500, 599), text: OVERLOADED } },
  { name: '504', id: 'server.error', when: { status: [504] }, notes: [N.gatewayTimeoutNote] },
  { name: '501', id: 'server.error', when: { status: [501] }, notes: [N.notImplementedNote], retryable: false },
  { name: '5xx', id: 'server.error', when: { status: range(500, 599) } },

  // ── 3xx ───────────────────────────────────────────────────────────────────────────────────
  { name: '3xx.redirect', id: 'config.bad-base-url', when: { status: range(300, 399), all: [P.hasLocation] }, notes: [N.redirectNote] },

  // ── 2xx whose body is not what the API promises ───────────────────────────────────────────
  {
    name: '2xx.too-large',
    id: 'response.too-large',
    when: { unexpectedBody: ['too-large'], all: [P.successStatus] },
    notes: [N.expectedNote],
  },
  {
    name: '2xx.web-page',
    id: 'response.not-json',
    when: { format: ['html'], all: [P.successStatus] },
    notes: [N.webPageNote, N.expectedNote],
  },
  { name: '2xx.not-json', id: 'response.not-json', when: { all: [P.successStatus, P.notJsonBody] }, notes: [N.expectedNote] },
  {
    name: '2xx.not-json-marked',
    id: 'response.not-json',
    when: { unexpectedBody: ['not-json'], all: [P.successStatus] },
    notes: [N.expectedNote],
  },
  {
    name: '2xx.bad-shape-marked',
    id: 'response.bad-shape',
    when: { unexpectedBody: ['bad-shape'], all: [P.successStatus] },
    notes: [N.expectedNote],
  },
  { name: '2xx.bad-shape', id: 'response.bad-shape', when: { format: ['json'], all: [P.successStatus] }, notes: [N.expectedNote] },

  // ── anything else: 1xx, unknown 3xx/4xx, ≥ 600, no status at all ──────────────────────────
  { name: 'fallback', id: 'http.unexpected-status', when: {} },
];
