/** Data shapes of the ModelSwitch emulator: its mutable state, its request log and its failure specs. */

/** A proxy (ms-) key as the server stores it. `key` is server-side only; the API returns `prefix` instead. */
export interface KeyRecord {
  id: number;
  name: string;
  /** The full key. Never returned by the API except once by POST /api/keys. */
  key: string;
  active: boolean;
  /** ISO 8601. */
  createdAt: string;
  /** ISO 8601; a key past it is refused like an inactive one (see `expiredKeyStatus`). */
  expiresAt?: string;
}

/** A key record as GET /api/keys and PUT /api/keys/:id return it. */
export interface PublicKeyRecord {
  id: number;
  name: string;
  prefix: string;
  active: boolean;
  createdAt: string;
  expiresAt?: string;
}

/** One entry of GET /v1/models. Price field names are not documented; these follow the docs' cost formula. */
export interface ModelEntry {
  id: string;
  object: 'model';
  created: number;
  owned_by: string;
  prompt_price_per_1M?: number;
  completion_price_per_1M?: number;
  [extra: string]: unknown;
}

/** One entry of GET /api/usage (camelCase, as documented). */
export interface UsageEntry {
  id: number;
  model: string;
  promptTokens: number;
  completionTokens: number;
  chargedAmount: number;
  createdAt: string;
}

/** One entry of GET /api/transactions; amount < 0 is a charge. */
export interface Transaction {
  id: number;
  amount: number;
  type: 'usage' | 'payment' | 'refund';
  description: string;
  createdAt: string;
}

/**
 * Any canned response. A string body is sent as-is; an object body is JSON-encoded; bytes (a Buffer, in
 * process only) are sent as they are, with no encoding per request (the bench's 12 MB key list: encoding
 * it again for each request cost the emulator ~60 ms inside the time it measures).
 */
export interface CannedResponse {
  kind?: 'respond';
  status: number;
  headers?: Record<string, string>;
  body?: string | Buffer | object;
}

/** What an injected failure does instead of the normal handling. */
export type FailureSpec =
  | CannedResponse
  /** Accept the request and never answer (released by the client giving up or by close()). */
  | { kind: 'hang' }
  /** Reset the connection (TCP RST where possible) without any response. */
  | { kind: 'reset' }
  /** Send status, headers (with the full content-length) and `bytes` bytes of `body`, then close the socket. */
  | { kind: 'resetMidBody'; status?: number; bytes?: number; body?: string; headers?: Record<string, string> }
  /** Send headers at once, then the body `chunkBytes` (default 4) bytes at a time every `chunkDelayMs`. */
  | { kind: 'drip'; status?: number; headers?: Record<string, string>; body: string; chunkDelayMs: number; chunkBytes?: number }
  /** A body of exactly `bytes` bytes, streamed in 64 KiB chunks (valid JSON / HTML padding for those types). */
  | { kind: 'huge'; status: number; bytes: number; contentType?: string }
  /** 200 SSE with `chunks` (default 2) content chunks, then the response ends without `data: [DONE]` (abrupt: the socket is destroyed instead). */
  | { kind: 'streamCut'; chunks?: number; abrupt?: boolean }
  /** 200 SSE whose event (after `afterChunks` content chunks, default 0) is an error object, then `data: [DONE]`. */
  | { kind: 'streamErrorEvent'; afterChunks?: number; message?: string; errorType?: string }
  /** 401 (or `status`) whose error message and `x-echo-key` header contain the full key the client sent. */
  | { kind: 'echoKey'; status?: number }
  /** A redirect to `location` (point it at a second emulator to check what crosses hosts). */
  | { kind: 'redirect'; status: 301 | 302 | 303 | 307 | 308; location: string };

/** Which requests a failure rule applies to. All given fields must match. */
export interface FailureMatch {
  /** Case-insensitive. */
  method?: string;
  /** String: equal to the path (with or without query), or a prefix when it ends with '*'. RegExp: tested on path + query. */
  path?: string | RegExp;
}

/** An entry of `state.failures`: first matching rule wins; it is removed after `times` uses (default: never). */
export type FailureRule = FailureSpec & {
  match?: FailureMatch;
  times?: number;
  /** Delay before this response, overriding `state.delayMs`. */
  delayMs?: number;
  /**
   * /api routes only: the request takes effect first (POST /api/keys creates the key, DELETE deletes it),
   * then this failure answers instead of the route's own response — the answer is lost, the change is not.
   */
  applyFirst?: boolean;
};

/** Everything the emulator's behaviour depends on. Mutable between requests through `emulator.state`. */
export interface EmulatorState {
  /** Account balance in USD. ≤ 0 → inference refused with `balanceStatus`. */
  balance: number;
  /** Status for an empty balance on /v1: 403 (generic body unless descriptive403) or 402 "Account balance is insufficient". */
  balanceStatus: 402 | 403;
  /** Proxy keys on the account. */
  keys: KeyRecord[];
  /** Valid billing (mk-) keys. */
  billingKeys: string[];
  /** Valid dashboard JWTs (accepted on every /api route, refused on /v1). */
  jwtTokens: string[];
  /** Key id → true when that key's spend limit is reached (403 on /v1). */
  spendLimitReached: Record<number, boolean>;
  /** Expired key (expiresAt in the past) on /v1: 403 like a deactivated key (default) or 401 "invalid or expired". */
  expiredKeyStatus: 401 | 403;
  /** 403s name their cause (deactivated, expired, balance, spend limit, wrong key kind) instead of one generic body. */
  descriptive403: boolean;
  /** /api/balance, /api/usage*, /api/transactions refuse mk- keys with 401 (the docs show a dashboard JWT there). */
  jwtOnlyRoutes: boolean;
  models: ModelEntry[];
  /** Newest first. */
  usage: UsageEntry[];
  /** Newest first. */
  transactions: Transaction[];
  /** Delay before every response (not the control endpoints), in ms. */
  delayMs: number;
  /** Gap between SSE events, in ms. */
  streamIntervalMs: number;
  /** The assistant's answer; one word is one token and one stream chunk. */
  completionText: string;
  /** Injected failures, checked in order before normal handling. */
  failures: FailureRule[];
}

/** One request as the emulator received and answered it. Times are epoch ms with sub-ms precision. */
export interface LoggedRequest {
  /** 1, 2, 3 … in arrival order. */
  id: number;
  method: string;
  /** Path with query. */
  path: string;
  /** Lower-case names, raw values (authorization included). */
  headers: Record<string, string>;
  body: string;
  startedAt: number;
  finishedAt?: number;
  durationMs?: number;
  /** Status sent, if headers went out. */
  status?: number;
  /** For SSE responses: when each event (the final `data: [DONE]` included) was written. */
  chunksWrittenAt?: number[];
  /** Kind of the injected failure that answered it ('respond' for a canned response). */
  injected?: string;
  /** The connection closed before the response was complete (client gave up, injected reset, or close()). */
  aborted?: boolean;
}

/** Options of startEmulator: any state field, plus server settings. */
export interface EmulatorOptions extends EmulatorState {
  /** Port on 127.0.0.1; 0 (default) picks a free one. */
  port: number;
  /** Serve HTTPS with the committed self-signed localhost certificate; 'expired' uses the expired one. */
  tls: boolean | 'expired';
  /** Called when a logged request finishes (answered, reset, or abandoned). */
  onRequest?: (entry: LoggedRequest) => void;
}
