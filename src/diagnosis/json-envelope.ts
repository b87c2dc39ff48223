/** Reads the error fields out of any vendor's JSON error body, by fixed paths (never a deep walk). */
import { parseJson } from '../core/json-depth.js';

/** An error as the provider behind a gateway reported it (OpenRouter's metadata.raw and similar). */
export interface ProviderError {
  name?: string;
  errorType?: string;
  code?: string;
  message?: string;
}

/** The fields an error envelope can carry, whatever its vendor. */
export interface EnvelopeFields {
  /** An error object or string was present (not just a message of some success body). */
  hasError: boolean;
  errorType?: string;
  code?: string;
  message?: string;
  param?: string;
  requestId?: string;
  /** An HTTP status the body itself states (error.code 429, status 400). */
  status?: number;
  /** Google's details[].reason and @type names, Azure's innererror.code. */
  reasons: string[];
  /** Google's RetryInfo.retryDelay, in seconds. */
  retryDelaySec?: number;
  provider?: ProviderError;
}

type Obj = Record<string, unknown>;

const asObj = (v: unknown): Obj | undefined => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : undefined);

/** A short string from a scalar; undefined for objects, null, blank strings. */
export function scalar(v: unknown, max = 2000): string | undefined {
  if (typeof v === 'string') {
    const t = v.trim();
    return t ? t.slice(0, max) : undefined;
  }
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v === 'boolean') return String(v);
  return undefined;
}

/** A number that can be an HTTP status (100–599), from a number or a three-digit string. */
export function statusLike(v: unknown): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d{3}$/.test(v.trim()) ? Number(v.trim()) : NaN;
  return Number.isInteger(n) && n >= 100 && n <= 599 ? n : undefined;
}

/** "37s", "1.5s" (Google duration) → seconds. */
function durationSec(v: unknown): number | undefined {
  const s = scalar(v);
  const m = s ? /^(\d+(?:\.\d+)?)s$/.exec(s) : null;
  return m ? Number(m[1]) : undefined;
}

/** FastAPI's {detail: "..."} or {detail: [{msg, loc, type}]}. */
function readDetail(d: unknown): { message?: string; errorType?: string } {
  if (typeof d === 'string') return { message: scalar(d) };
  if (Array.isArray(d)) {
    const items = d
      .slice(0, 5)
      .map(asObj)
      .filter((x): x is Obj => x !== undefined);
    const msgs = items.map((i) => {
      const loc = Array.isArray(i.loc)
        ? i.loc
            .slice(0, 6)
            .map((x) => scalar(x) ?? '')
            .join('.')
        : undefined;
      const msg = scalar(i.msg) ?? scalar(i.message);
      return msg ? (loc ? `${loc}: ${msg}` : msg) : undefined;
    });
    return { message: msgs.filter(Boolean).join('; ') || undefined, errorType: scalar(items[0]?.type) };
  }
  const o = asObj(d);
  return o ? { message: scalar(o.message) ?? scalar(o.msg), errorType: scalar(o.type) } : {};
}

/** Google's details[]: reasons, @type names, RetryInfo. */
function readDetails(details: unknown, out: EnvelopeFields): void {
  if (!Array.isArray(details)) return;
  for (const d of details.slice(0, 20)) {
    const o = asObj(d);
    if (!o) continue;
    const reason = scalar(o.reason);
    if (reason) out.reasons.push(reason);
    const type = scalar(o['@type']);
    if (type) out.reasons.push(type.slice(type.lastIndexOf('.') + 1));
    const delay = durationSec(o.retryDelay);
    if (delay !== undefined) out.retryDelaySec = delay;
  }
}

/** OpenRouter's error.metadata: the provider's own error as a JSON string in `raw`. */
function readProvider(meta: unknown, depth: number): ProviderError | undefined {
  const m = asObj(meta);
  if (!m) return undefined;
  const name = scalar(m.provider_name, 200);
  const raw = m.raw;
  let inner: EnvelopeFields | undefined;
  if (typeof raw === 'string' && depth < 2) {
    const text = raw.trim();
    if (text.startsWith('{') || text.startsWith('[')) {
      try {
        inner = readEnvelope(parseJson(text), depth + 1);
      } catch {
        inner = undefined;
      }
    }
    if (!inner?.message && text) inner = { hasError: true, reasons: [], message: text.slice(0, 1000) };
  } else if (asObj(raw) && depth < 2) {
    inner = readEnvelope(raw, depth + 1);
  }
  if (!name && !inner?.message) return undefined;
  return { name, errorType: inner?.errorType, code: inner?.code, message: inner?.message };
}

/** Reads an error object ({message, type, code, ...}) into out. */
function readErrorObject(e: Obj, out: EnvelopeFields, depth: number): void {
  out.message ??= scalar(e.message) ?? scalar(e.msg) ?? scalar(e.error_description);
  // Google puts the canonical status text in error.status ("INVALID_ARGUMENT") beside a numeric code.
  const googleStatus = typeof e.status === 'string' && /^[A-Z_]+$/.test(e.status) ? e.status : undefined;
  out.errorType ??= scalar(e.type) ?? googleStatus ?? scalar(e.__type);
  if (typeof e.error === 'string' && !out.message) out.message = scalar(e.error);
  const code = scalar(e.code, 200);
  if (code !== undefined) out.code ??= code;
  out.status ??= typeof e.code === 'number' ? statusLike(e.code) : undefined;
  out.status ??= statusLike(e.status) ?? statusLike(e.code);
  out.param ??= scalar(e.param, 200);
  out.requestId ??= scalar(e.request_id, 200) ?? scalar(e.requestId, 200);
  readDetails(e.details, out);
  const inner = asObj(e.innererror);
  const innerCode = inner ? scalar(inner.code, 200) : undefined;
  if (innerCode) out.reasons.push(innerCode);
  out.provider ??= readProvider(e.metadata, depth);
}

/** A number (or numeric string) that is not a success code (0, "0000", 200): an error code in a {code, msg} body. */
function errorNumber(v: unknown): string | undefined {
  const t = typeof v === 'number' ? String(v) : typeof v === 'string' && /^-?\d{1,9}$/.test(v.trim()) ? v.trim() : undefined;
  return t !== undefined && !/^0+$/.test(t) && t !== '200' ? t : undefined;
}

/**
 * A message that says the call worked ("success", "ok", "操作成功"): business codes differ (FastAdmin's 1, 10000, "00000"),
 * so a body whose code is not 0 but whose message says success is no error.
 */
const SUCCESS_WORDS =
  /^\s*(ok|okay|success(ful(ly)?)?|succeeded|succeed|done)\b(?!\s*[:=]?\s*(false|0)\b)|^\s*(操作|请求|处理|调用|查询|执行|获取)?成功/i;

/** The body carries a result (chat choices, a result object, output): a success shape, whatever else it holds. */
function hasPayload(o: Obj): boolean {
  return ['data', 'result', 'choices', 'output', 'candidates'].some((k) => o[k] !== null && o[k] !== undefined);
}

/**
 * Error shapes beside the usual {error: {...}}, several of which arrive inside a 200: Apigee's
 * {fault: {faultstring, detail.errorcode}}, Tencent Cloud's {Response: {Error: {Code, Message}}}, an
 * error array ({error: [{code, message}]}, Cloudflare), GraphQL's {errors: [...]} with no data, Baidu's
 * {error_code, error_msg}, WeChat's {errcode, errmsg}, {success: false}, {error: true}, and {code: 40005, msg}.
 */
function readOtherShapes(o: Obj, e: unknown, out: EnvelopeFields): void {
  const fault = asObj(o.fault);
  if (fault) {
    out.hasError = true;
    out.message ??= scalar(fault.faultstring);
    out.code ??= scalar(asObj(fault.detail)?.errorcode, 200);
  }
  const tencent = asObj(asObj(o.Response)?.Error);
  if (tencent) {
    out.hasError = true;
    out.message ??= scalar(tencent.Message);
    out.code ??= scalar(tencent.Code, 200);
    out.requestId ??= scalar(asObj(o.Response)?.RequestId, 200);
  }
  if (Array.isArray(e) && e.length > 0) {
    const first = asObj(e[0]);
    out.hasError = true;
    out.message ??= first ? (scalar(first.message) ?? scalar(first.msg)) : scalar(e[0]);
    if (first && first.code !== undefined) out.code ??= scalar(first.code, 200);
  }
  // GraphQL's errors with no data; Cloudflare's {success, errors, result} — an error only when success is not true.
  if (Array.isArray(o.errors) && o.errors.length > 0 && o.success !== true && !hasPayload(o)) {
    const first = asObj(o.errors[0]);
    out.hasError = true;
    out.code ??= scalar(asObj(first?.extensions)?.code, 200);
  }
  const baidu = errorNumber(o.error_code);
  if (baidu !== undefined && (scalar(o.error_msg) || scalar(o.error_message))) {
    out.hasError = true;
    out.code ??= baidu;
    out.message ??= scalar(o.error_msg) ?? scalar(o.error_message);
  }
  const wechat = errorNumber(o.errcode);
  if (wechat !== undefined && scalar(o.errmsg)) {
    out.hasError = true;
    out.code ??= wechat;
    out.message ??= scalar(o.errmsg);
  }
  // MiniMax's {base_resp: {status_code, status_msg}}, beside the result or alone, often inside a 200: an error when the
  // code is not 0 and the message does not say success (its successes carry {status_code: 0, status_msg: "success"}).
  const base = asObj(o.base_resp) ?? asObj(o.BaseResp);
  const baseCode = base ? errorNumber(base.status_code ?? base.StatusCode) : undefined;
  const baseMsg = base ? (scalar(base.status_msg) ?? scalar(base.StatusMessage)) : undefined;
  if (baseCode !== undefined && baseMsg && !SUCCESS_WORDS.test(baseMsg) && !hasPayload(o)) {
    out.hasError = true;
    out.code ??= baseCode;
    out.message ??= baseMsg;
  }
  // An error object nested under FastAPI's `detail` ({detail: {code: "token_expired", message, type}}), which some
  // servers send with a 200: an error when it carries a code or type beside its message, and there is no result.
  const detail = asObj(o.detail);
  if (detail && (scalar(detail.message) ?? scalar(detail.msg)) && (scalar(detail.code) ?? scalar(detail.type)) && !hasPayload(o)) {
    out.hasError = true;
    out.code ??= scalar(detail.code, 200);
  }
  if (o.success === false || o.error === true) out.hasError = true;
  // {code: 40005, msg: "…", data: null}: a non-success number with a message and no payload — unless the message
  // says success (FastAdmin's {code: 1, msg: "请求成功", data: null}) or success: true is stated.
  const coded = errorNumber(o.code);
  const codedMsg = scalar(o.msg) ?? scalar(o.message);
  if (
    coded !== undefined &&
    codedMsg &&
    !SUCCESS_WORDS.test(codedMsg) &&
    o.success !== true &&
    !hasPayload(o) &&
    Object.keys(o).length <= 8
  )
    out.hasError = true;
}

/**
 * The error fields of a parsed JSON body. Handles OpenAI, Anthropic, OpenRouter, Google, xAI, FastAPI,
 * AWS, OAuth and "{code, msg}" gateway shapes. Looks only at fixed paths, so any depth of nesting is safe.
 */
export function readEnvelope(root: unknown, depth = 0): EnvelopeFields {
  const out: EnvelopeFields = { hasError: false, reasons: [] };
  const top = Array.isArray(root) ? root[0] : root; // Google sometimes wraps the error in an array
  if (typeof top === 'string') {
    out.message = scalar(top);
    return out;
  }
  const o = asObj(top);
  if (!o) return out;
  const e = o.error;
  const eo = asObj(e);
  if (eo) {
    out.hasError = true;
    readErrorObject(eo, out, depth);
  } else if (typeof e === 'string' && e.trim()) {
    out.hasError = true;
    // xAI: {code: "<gRPC text>", error: "<message>"}; OAuth: {error: "invalid_token", error_description}.
    const description = scalar(o.error_description);
    if (description) {
      out.code = scalar(e, 200);
      out.message = description;
    } else {
      out.message = scalar(e);
    }
  }
  if (o.type === 'error') out.hasError = true; // Anthropic's envelope (its error object was read above)
  readOtherShapes(o, e, out);
  if (!out.message) {
    const d = readDetail(o.detail);
    out.message = d.message;
    out.errorType ??= d.errorType;
  }
  out.message ??= scalar(o.message) ?? scalar(o.msg) ?? scalar(o.errorMessage) ?? scalar(o.error_message);
  if (!out.message && Array.isArray(o.errors)) {
    const first = asObj(o.errors[0]);
    out.message = first ? (scalar(first.message) ?? scalar(first.msg)) : scalar(o.errors[0]);
  }
  out.errorType ??= scalar(o.__type, 200) ?? (o.type !== 'error' ? scalar(o.type, 200) : undefined);
  out.code ??= scalar(o.code, 200);
  out.status ??= statusLike(o.status) ?? statusLike(o.statusCode) ?? (typeof o.code === 'number' ? statusLike(o.code) : undefined);
  out.requestId ??= scalar(o.request_id, 200) ?? scalar(o.requestId, 200);
  return out;
}
