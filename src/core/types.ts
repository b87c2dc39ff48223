/** Shared shapes that flow between config, client, diagnosis and render: the core of the layers (it imports nothing). Data only. */

/** Exit reasons of the contract, in the order of the exit-code table. */
export type ExitReason =
  | 'ok'
  | 'failed'
  | 'usage'
  | 'config'
  | 'auth'
  | 'balance'
  | 'rate_limit'
  | 'network'
  | 'timeout'
  | 'server'
  | 'unexpected_response'
  | 'interrupted';

/** The diagnosis category is the exit reason it maps to (never 'ok' or 'usage'). */
export type Category = Exclude<ExitReason, 'ok' | 'usage' | 'interrupted'>;

/** Timings of one attempt, in milliseconds from the attempt's start. */
export interface Timings {
  dnsMs?: number;
  connectMs?: number;
  tlsMs?: number;
  firstByteMs?: number;
  totalMs: number;
}

/** One HTTP attempt as the client saw it. */
export interface Attempt {
  n: number;
  status?: number;
  /** Network error code (ECONNREFUSED, UND_ERR_HEADERS_TIMEOUT, ...) when no status came. */
  networkCode?: string;
  timings: Timings;
  /** Milliseconds waited after this attempt before the next one. */
  waitMs?: number;
  /** Why the next attempt was or was not made ("Retry-After: 1", "backoff 2 s", "Retry-After 86400 s exceeds the cap"). */
  retryNote?: string;
}

/**
 * What the transport saw of a failed request: the facts only, no advice and no command notes. Every field but
 * kind, headers, attempts is optional: a saved body for `explain` may have no status. Built by toFailure()
 * (src/http/failure.ts), the one builder.
 */
export interface TransportFacts {
  /** http: a response with a status came; network: no response; stream: a 200 stream that went wrong. */
  kind: 'http' | 'network' | 'stream';
  status?: number;
  /** Lower-cased header names. */
  headers: Record<string, string>;
  /** The body as text (already capped). Parsed once, by parseBody (src/diagnosis/envelope.ts), whoever asks. */
  body?: string;
  /** True when the body was cut at the size cap. */
  bodyTruncated?: boolean;
  /** Bytes of the body that were read. */
  bodyBytes?: number;
  method?: string;
  /** Path of the request (/v1/models), never the full URL with credentials. */
  endpoint?: string;
  /** Host the request went to. */
  host?: string;
  attempts: Attempt[];
  /** From the error's cause chain: ENOTFOUND, ECONNREFUSED, CERT_HAS_EXPIRED, UND_ERR_CONNECT_TIMEOUT ... */
  networkCode?: string;
  /** The innermost error message of a network failure. */
  networkMessage?: string;
  /** True when a stream ended without its terminator (data: [DONE]). */
  streamCut?: boolean;
}

/**
 * What a reader or a command noted about a failure, apart from the transport's facts: the error's fields when
 * they came without a body (an SDK's error object, a log line), and why a success answer was refused.
 */
export interface FailureNotes {
  /** From the error envelope, whatever the vendor's shape (a body's own are read from the body). */
  errorType?: string;
  code?: string;
  message?: string;
  /** Request id from a header (x-request-id, request-id, cf-ray, ...) or the body. */
  requestId?: string;
  /** True when a success status carried a body that is not what the API promises (set by the command). */
  unexpectedBody?: 'not-json' | 'bad-shape' | 'too-large';
  /** What the command expected of a success body ("a JSON model list"), for the message. */
  expected?: string;
  /** Whose error it is, when a reader could tell (src/diagnosis/vendor.ts): the remedies name that vendor's console. */
  vendor?: string;
}

/** A failure, normalised from any response or thrown error: the one record diagnose() reads. */
export interface Failure extends TransportFacts, FailureNotes {}

/** A key kind, detected from its shape. */
export type KeyKind = 'proxy' | 'billing' | 'jwt' | 'foreign' | 'unknown';

/** Evidence gathered by follow-up probes (GET /api/balance, GET /api/keys) after a 402/403. */
export interface FollowUpEvidence {
  balance?: number;
  /** Why the balance could not be read, if it was asked. */
  balanceError?: string;
  /** The used proxy key's record, matched by prefix; null when it is not in the list. */
  keyRecord?: { id: number; name?: string; prefix: string; active: boolean; expiresAt?: string } | null;
  keysError?: string;
  /** GET /api/keys accepted (true) or refused (false) the billing key itself: settles a refused /api/balance. */
  billingKeyAccepted?: boolean;
}

/** What the caller knows besides the failure itself. */
export interface DiagnoseContext {
  /** Kind of the key that was sent, if any. */
  keyKind?: KeyKind;
  /** Which setting the key came from: 'apiKey' or 'billingKey'. */
  keyRole?: 'apiKey' | 'billingKey';
  /** Whether a billing key is configured (for access.denied's advice). */
  hasBillingKey?: boolean;
  followUp?: FollowUpEvidence;
  /** The base URL in use, for remedies that name it. */
  baseUrl?: string;
  /** The model that was asked for, if known. */
  model?: string;
  /** The clock for expiry checks (ms since the epoch); Date.now() when absent. Keeps diagnose() testable. */
  now?: number;
}

/** What the user reads: one diagnosis. */
export interface Diagnosis {
  id: string;
  category: Category;
  title: string;
  explanation: string;
  remedies: string[];
  docs: string;
  retryable: boolean;
  /** Extra sentences the rule or the evidence adds ("The body was a Cloudflare HTML page, not the API's JSON"). */
  notes: string[];
  evidence: Evidence;
}

/** The facts a diagnosis rests on, safe to print (redacted by the output layer). */
export interface Evidence {
  status?: number;
  errorType?: string;
  code?: string;
  message?: string;
  requestId?: string;
  method?: string;
  endpoint?: string;
  attempts?: Attempt[];
  networkCode?: string;
  /** html | json | text | sse | empty | binary */
  bodyFormat?: string;
  /** A short excerpt of a non-JSON body (title of an HTML page, first line of text). */
  bodyExcerpt?: string;
  bodyTruncated?: boolean;
  balance?: number;
  keyActive?: boolean;
  /** Whose error it is, when the input told (openai, anthropic, modelswitch, …). */
  vendor?: string;
}
