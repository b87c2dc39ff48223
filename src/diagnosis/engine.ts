/** diagnose(): one pure function from a Failure (and what the caller knows) to exactly one Diagnosis. */
import type { DiagnoseContext, Diagnosis, Evidence, Failure } from '../core/types.js';
import { CATALOG, isDiagnosisId, type DiagnosisId } from './catalog.js';
import { buildFacts, type Facts } from './facts.js';
import { challengeNote, fillKeyAdvice, keyAdvice, quote, vendorName, vendorPhrase } from './notes.js';
import { RULES, type Rule, type StatusRange, type When } from './rules.js';
import { remediesFor } from './vendor.js';

export { CATALOG, DIAGNOSIS_IDS, type CatalogEntry, type DiagnosisId } from './catalog.js';
export { RULES, type Rule, type When } from './rules.js';

const FALLBACK = RULES[RULES.length - 1] as Rule;

function statusIn(m: readonly number[] | StatusRange, s: number | undefined): boolean {
  if (s === undefined) return false;
  return 'from' in m ? s >= m.from && s <= m.to : m.includes(s);
}

/** True when every matcher the rule gives holds for these facts. */
export function matchesWhen(w: When, f: Facts): boolean {
  if (w.kind && !w.kind.includes(f.kind)) return false;
  if (w.status && !statusIn(w.status, f.status)) return false;
  if (w.network && !w.network.test(f.network)) return false;
  if (w.text && !w.text.test(f.haystack)) return false;
  if (w.type && !w.type.test(f.errorType ?? '')) return false;
  if (w.code && !w.code.test(f.code ?? '')) return false;
  if (w.format && !w.format.includes(f.body.format)) return false;
  if (w.vendor && (f.body.vendorHint === undefined || !w.vendor.includes(f.body.vendorHint))) return false;
  if (w.header) {
    for (const [name, m] of Object.entries(w.header)) {
      const v = f.headers[name];
      if (v === undefined || (m !== true && !m.test(v))) return false;
    }
  }
  if (w.unexpectedBody && (f.failure.unexpectedBody === undefined || !w.unexpectedBody.includes(f.failure.unexpectedBody))) return false;
  if (w.endpoint && !w.endpoint.test(f.failure.endpoint ?? '')) return false;
  if (w.keyKind && (f.ctx.keyKind === undefined || !w.keyKind.includes(f.ctx.keyKind))) return false;
  if (w.inBand !== undefined && w.inBand !== f.inBand) return false;
  if (w.all && !w.all.every((p) => p(f))) return false;
  return true;
}

function firstRule(f: Facts): Rule {
  return RULES.find((r) => matchesWhen(r.when, f)) ?? FALLBACK;
}

// ── notes every diagnosis may get, whatever the rule ────────────────────────────────────────

type GeneralNote = (f: Facts, rule: Rule) => string | undefined;

const inBandNote: GeneralNote = (f) => {
  if (!f.inBand) return undefined;
  const where = f.body.format === 'sse' ? 'stream, as an SSE error event' : 'answer, as a JSON error';
  return `The error came inside a ${f.failure.status} ${where}: the HTTP status said success, the body did not. It is read as a ${f.status}.`;
};

const statusSourceNote: GeneralNote = (f) => {
  if (f.kind === 'network' || f.failure.status !== undefined) return undefined;
  if (f.statusSource === 'body') return `No HTTP status was given; the body states ${f.status}.`;
  if (f.statusSource === 'text') return `No HTTP status was given; read as ${f.status} from what the error says.`;
  if (f.statusSource === 'error-type')
    return `No HTTP status was given; read as ${f.status} from the error type “${f.errorType ?? f.code}”.`;
  return 'No HTTP status was given, and the body does not state one: pass it (explain --status <n>) for a sharper reading.';
};

const bodyFormatNote: GeneralNote = (f) => {
  const real = f.failure.status;
  if (f.kind !== 'http' || (real !== undefined && real >= 200 && real < 300)) return undefined;
  const b = f.body;
  const excerpt = b.excerpt ? ` (${quote(b.excerpt, 120)})` : '';
  const via = b.cdn ? `, served through ${vendorName(b.cdn)}` : '';
  switch (b.format) {
    case 'html': {
      const page = b.vendorHint ? `${vendorPhrase(b.vendorHint)} HTML page` : 'an HTML page';
      return `The body was ${page}${excerpt}${via}, not the API’s JSON.`;
    }
    case 'text':
      return b.vendorHint ? `The body was plain text from ${vendorName(b.vendorHint)}${excerpt}${via}, not the API’s JSON.` : undefined;
    case 'binary':
      return `The body was binary data (${b.length} characters), not the API’s JSON.`;
    case 'empty':
      return real !== undefined ? 'The body was empty: the server gave no details.' : undefined;
    case 'json':
      return b.malformedJson ? 'The JSON body was cut off or malformed; what could be read from it is shown.' : undefined;
    default:
      return undefined;
  }
};

const challengeElsewhereNote: GeneralNote = (f, rule) =>
  f.body.cdnChallenge && rule.name !== 'access.cdn-challenge' ? challengeNote(f) : undefined;

const truncatedNote: GeneralNote = (f) =>
  f.failure.bodyTruncated ? 'The body was longer than apidoctor reads; only its beginning was read.' : undefined;

const networkDetailNote: GeneralNote = (f) => {
  const { networkCode, networkMessage } = f.failure;
  if (f.kind === 'http' || !networkMessage || networkMessage === networkCode) return undefined;
  return `Node reported ${networkCode ?? 'an error'}: ${networkMessage.replace(/\s+/g, ' ').trim()}.`;
};

const GENERAL_NOTES: readonly GeneralNote[] = [
  inBandNote,
  statusSourceNote,
  bodyFormatNote,
  challengeElsewhereNote,
  truncatedNote,
  networkDetailNote,
];

// ── remedies and evidence ───────────────────────────────────────────────────────────────────

/** error.message at the head of the remedies, for diagnoses whose fix is in what the server said. */
function messageQuote(id: DiagnosisId, f: Facts): string | undefined {
  const p = f.body.provider;
  if (p?.message)
    return `${p.name ? `The provider (${p.name})` : 'The provider'} said: ${quote(p.message)}${id === 'request.invalid' ? ' — change the request accordingly' : ''}`;
  if (!f.message || f.body.format === 'html') return undefined;
  return id === 'request.invalid' ? `Fix what error.message names: ${quote(f.message)}` : `error.message says: ${quote(f.message)}`;
}

/** Paths whose bodies are chat requests (model and messages): the chat advice fits them, or an unknown path. */
const CHAT_PATH = /\/(chat\/completions|completions|responses|messages)(\?|$)/;

/** What settles an open 402/403: asking the account with the billing key, when it was not asked. */
function settleOpen(ctx: DiagnoseContext): string {
  // Asked already, or the refused key is the billing key itself (an account route): nothing more to ask with it.
  if (ctx.followUp || ctx.keyRole === 'billingKey') return '';
  if (ctx.hasBillingKey)
    return 'A billing key is configured: let apidoctor ask GET /api/balance and GET /api/keys which cause it is — apidoctor explain --probe for a saved answer (apidoctor call asks by itself)';
  return "Configure a billing key so apidoctor can settle which it is (apidoctor call, and explain --probe, then ask /api/balance and /api/keys themselves): export MODELSWITCH_BILLING_KEY='mk-…'";
}

/**
 * Fills a remedy's placeholders from what is known: <key-id>, <path>, <method>, the failed key's advice (<key-…>),
 * <settle-open>. A remedy that does not apply comes back empty and is dropped: `<if-chat>` ones off a chat path.
 */
function fillPlaceholders(text: string, ctx: DiagnoseContext, endpoint: string | undefined, method: string | undefined): string {
  if (text.startsWith('<if-chat>')) {
    if (endpoint && !CHAT_PATH.test(endpoint.replace(/\?.*$/, ''))) return '';
    text = text.slice('<if-chat>'.length);
  }
  if (text === '<settle-open>') return settleOpen(ctx);
  const keyId = ctx.followUp?.keyRecord?.id;
  let out = keyId !== undefined ? text.replaceAll('<key-id>', String(keyId)) : text;
  if (endpoint) out = out.replaceAll('<path>', endpoint);
  out = out.replaceAll(
    '<method>',
    method && method !== 'GET' ? method : endpoint && !CHAT_PATH.test(endpoint) ? (method ?? 'GET') : 'POST',
  );
  return fillKeyAdvice(out, keyAdvice(ctx, endpoint));
}

function compact<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

function evidenceOf(f: Facts): Evidence {
  const x = f.failure;
  const hasBody = x.kind !== 'network' || (x.body !== undefined && x.body !== '');
  return compact<Evidence>({
    status: x.status,
    errorType: f.errorType,
    code: f.code,
    message: f.message,
    requestId: x.requestId ?? f.body.requestId,
    method: x.method,
    endpoint: x.endpoint,
    attempts: x.attempts.length > 0 ? x.attempts : undefined,
    networkCode: x.networkCode,
    bodyFormat: hasBody ? f.body.format : undefined,
    bodyExcerpt: f.body.format === 'html' || f.body.format === 'text' ? f.body.excerpt : undefined,
    bodyTruncated: x.bodyTruncated || undefined,
    balance: f.ctx.followUp?.balance,
    keyActive: f.ctx.followUp?.keyRecord?.active,
    vendor: x.vendor,
  });
}

function unique(xs: readonly (string | undefined)[]): string[] {
  return [...new Set(xs.filter((x): x is string => typeof x === 'string' && x.length > 0))];
}

function build(rule: Rule, f: Facts): Diagnosis {
  const entry = CATALOG[rule.id];
  const ruleNotes = (rule.notes ?? []).map((n) => n(f));
  const general = GENERAL_NOTES.map((n) => n(f, rule));
  const base = rule.remediesMode === 'replace' && rule.remedies ? rule.remedies : [...(rule.remedies ?? []), ...entry.remedies];
  const remedies = unique(
    [entry.quoteMessage ? messageQuote(rule.id, f) : undefined, ...base].map((r) =>
      r === undefined ? r : fillPlaceholders(r, f.ctx, f.failure.endpoint, f.failure.method),
    ),
  );
  return {
    id: entry.id,
    category: rule.category ?? entry.category,
    title: entry.title,
    explanation: entry.explanation,
    remedies: remediesFor(entry.id, rule.category ?? entry.category, remedies, f.failure.vendor),
    docs: entry.docs,
    retryable: rule.retryable ?? entry.retryable,
    notes: unique([...ruleNotes, ...general]),
    evidence: evidenceOf(f),
  };
}

/** When reading the failure itself failed: the closest class, said honestly. */
function fallbackFor(failure: Failure, error: unknown): Diagnosis {
  const s = failure?.status;
  const id: DiagnosisId =
    failure?.kind === 'network' ? 'network.reset' : s !== undefined && s >= 500 && s < 600 ? 'server.error' : 'http.unexpected-status';
  const why = error instanceof Error ? error.message : String(error);
  return diagnoseById(
    id,
    compact<Evidence>({ status: s, networkCode: failure?.networkCode, endpoint: failure?.endpoint, method: failure?.method }),
    [`apidoctor could not read this answer fully (${why.slice(0, 200)}); this is the closest reading.`],
  );
}

/** The rule that decides a failure (for tests and --verbose traces). */
export function matchRule(failure: Failure, ctx: DiagnoseContext = {}): Rule {
  return firstRule(buildFacts(failure, ctx));
}

/**
 * Whether a retry can help, as the diagnosis would say (`diagnose(f, ctx).retryable`), without building the
 * diagnosis: only the deciding rule is found. The retry policy (src/http/retry.ts) asks it for a 429, 500, 502
 * or 503 only; the body is parsed once (parseBody keeps its last reading for the diagnosis that follows).
 */
export function isRetryable(failure: Failure, ctx: DiagnoseContext = {}): boolean {
  try {
    const rule = firstRule(buildFacts(failure, ctx));
    return rule.retryable ?? CATALOG[rule.id].retryable;
  } catch (e) {
    return fallbackFor(failure, e).retryable;
  }
}

/**
 * Diagnoses a failure: exactly one diagnosis, with evidence and notes. Pure (the clock comes from ctx.now)
 * and never throws.
 */
export function diagnose(failure: Failure, ctx: DiagnoseContext = {}): Diagnosis {
  try {
    const f = buildFacts(failure, ctx ?? {});
    return build(firstRule(f), f);
  } catch (e) {
    return fallbackFor(failure, e);
  }
}

/** The catalogue entry as a diagnosis, for problems found locally (missing key, bad base URL, below minimum). */
export function diagnoseById(id: DiagnosisId, evidence: Evidence = {}, notes: string[] = [], ctx: DiagnoseContext = {}): Diagnosis {
  const known = isDiagnosisId(id);
  const entry = CATALOG[known ? id : 'http.unexpected-status'];
  return {
    id: entry.id,
    category: entry.category,
    title: entry.title,
    explanation: entry.explanation,
    remedies: unique(entry.remedies.map((r) => fillPlaceholders(r, ctx, evidence.endpoint, evidence.method))),
    docs: entry.docs,
    retryable: entry.retryable,
    notes: known ? [...notes] : [`Unknown diagnosis id “${String(id)}”.`, ...notes],
    evidence: { ...evidence },
  };
}
