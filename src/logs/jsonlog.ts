/**
 * One JSON log line (pino, bunyan, winston, structlog, python-json-logger, ECS, docker's json-file…)
 * → the error it reports, if any: its text for the reader, the HTTP status and headers its fields
 * hold, its time, and a short example. Only fields are read; the line's words were already seen.
 */
import { stampOfValue, type Stamp } from './timestamps.js';
import { exampleOf } from './example.js';

export type Level = 'error' | 'warn' | 'info' | 'debug';

export interface JsonLogReading {
  level?: Level;
  time?: Stamp;
  /** The text for readErrorText: the response body when a field holds it, else the error's stack or message. */
  text: string;
  status?: number;
  headers?: Record<string, string>;
  /** True when the fields say it is an error (a level, an error object, a status ≥ 400). */
  hasErrorFields: boolean;
  /** The message fields only, for the word test when nothing else decides. */
  message: string;
  /** One line for a person: the message and the error's first line. */
  example: string;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** pino/bunyan numbers, syslog-ish and language names → four levels. */
export function levelOf(v: unknown): Level | undefined {
  if (typeof v === 'number') return v >= 50 ? 'error' : v >= 40 ? 'warn' : v >= 30 ? 'info' : 'debug';
  if (typeof v !== 'string') return undefined;
  const s = v.toLowerCase();
  if (/^(?:error|err|fatal|critical|crit|alert|emerg|emergency|panic|severe|dpanic)$/.test(s)) return 'error';
  if (/^(?:warn|warning)$/.test(s)) return 'warn';
  if (/^(?:info|notice|information|informational)$/.test(s)) return 'info';
  if (/^(?:debug|trace|verbose|silly|fine|finer|finest)$/.test(s)) return 'debug';
  return undefined;
}

function statusOf(v: unknown): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d{3}$/.test(v.trim()) ? Number(v) : NaN;
  return Number.isInteger(n) && n >= 100 && n <= 599 ? n : undefined;
}

const STATUS_KEYS = ['status', 'statusCode', 'status_code', 'http_status', 'httpStatus', 'response_status'];

function statusIn(o: Obj | undefined): number | undefined {
  if (!o) return undefined;
  for (const k of STATUS_KEYS) {
    const s = statusOf(o[k]);
    if (s !== undefined) return s;
  }
  for (const k of ['response', 'res', 'http']) {
    const inner = o[k];
    if (!isObj(inner)) continue;
    const s = statusIn(inner) ?? (isObj(inner.response) ? statusIn(inner.response) : undefined);
    if (s !== undefined) return s;
  }
  return undefined;
}

function headersIn(o: Obj | undefined): Record<string, string> | undefined {
  const h = o && (isObj(o.headers) ? o.headers : isObj(o.response) && isObj(o.response.headers) ? o.response.headers : undefined);
  if (!h) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) if (typeof v === 'string' || typeof v === 'number') out[k.toLowerCase()] = String(v);
  return Object.keys(out).length ? out : undefined;
}

function json(v: unknown): string | undefined {
  try {
    return JSON.stringify(v);
  } catch {
    return undefined;
  }
}

/** The response body an error object carries: openai's `error`, anthropic's body, axios `response.data`, Vercel's `responseBody`. */
function bodyIn(e: Obj): string | undefined {
  const direct = str(e.responseBody) ?? str(e.response_body) ?? str(e.body);
  if (direct) return direct;
  // openai-python's e.body is the body's `error` object
  if (isObj(e.body)) return json('error' in e.body ? e.body : 'message' in e.body ? { error: e.body } : e.body);
  const r = e.response;
  if (isObj(r)) {
    if (str(r.data) || isObj(r.data)) return typeof r.data === 'string' ? r.data : json(r.data);
    if (str(r.body) || isObj(r.body)) return typeof r.body === 'string' ? r.body : json(r.body);
  }
  // openai-node keeps the body's `error` object as err.error; @anthropic-ai/sdk keeps the whole body
  if (isObj(e.error)) return json('error' in e.error || ('type' in e.error && !('message' in e.error)) ? e.error : { error: e.error });
  return undefined;
}

function firstLine(s: string): string {
  const i = s.indexOf('\n');
  return (i === -1 ? s : s.slice(0, i)).trim();
}

const LOG_KEYS = [
  'level',
  'severity',
  'levelname',
  'lvl',
  'loglevel',
  'msg',
  'time',
  'timestamp',
  '@timestamp',
  'ts',
  'event',
  'logger',
  'log',
  'v',
  'pid',
  'hostname',
];

/** A JSON line written by a logger (it has a level, a time or a message field), not a bare response body. */
export function isLogLine(o: Obj): boolean {
  return LOG_KEYS.some((k) => k in o);
}

/** Reads a parsed JSON log line. */
export function readJsonLogLine(o: Obj, now: number): JsonLogReading {
  const level = levelOf(o.level ?? o.severity ?? o.levelname ?? o.lvl ?? o.loglevel ?? (isObj(o.log) ? o.log.level : undefined));
  let time: Stamp | undefined;
  for (const k of ['time', 'timestamp', '@timestamp', 'ts', 't', 'date', 'datetime', 'asctime', 'eventTime']) {
    if (o[k] !== undefined && (time = stampOfValue(o[k], now))) break;
  }
  const message = str(o.msg) ?? str(o.message) ?? str(o.event) ?? str(o['@message']) ?? str(o.log) ?? '';
  const errField = o.err ?? o.error ?? o.exception ?? o.exc ?? o.cause;
  const errObj = isObj(errField) ? errField : undefined;
  const errText = typeof errField === 'string' ? errField : undefined;
  const stack =
    str(errObj?.stack) ?? str(o.stack) ?? str(o.stack_trace) ?? str(o.stacktrace) ?? str(o.exc_info) ?? str(o.exc_text) ?? errText;
  const errMessage = str(errObj?.message) ?? str(errObj?.msg);
  const errName = str(errObj?.type) ?? str(errObj?.name) ?? str(errObj?.class);
  const code = str(errObj?.code) ?? str(o.code);
  const status = statusIn(errObj) ?? statusIn(o);
  const headers = headersIn(errObj) ?? headersIn(o);
  // the body an error object carries, or one the line holds beside a status (structlog: status_code=…, body=…)
  const body = (errObj ? bodyIn(errObj) : undefined) ?? (statusIn(o) !== undefined ? bodyIn(o) : undefined);

  let errorText = stack ?? (errMessage ? `${errName ? `${errName}: ` : ''}${errMessage}` : undefined);
  if (errorText && errMessage && !errorText.includes(errMessage)) errorText = `${errMessage}\n${errorText}`;
  if (errorText && code && /^[A-Z][A-Z_]{3,}$/.test(code) && !errorText.includes(code)) errorText += ` (${code})`;
  const text = body ?? errorText ?? (message || (errObj ? (json(errObj) ?? '') : ''));
  const hasErrorFields = level === 'error' || (status !== undefined && status >= 400) || errField !== undefined || stack !== undefined;
  const summary = errorText ? exampleOf(errorText.split('\n')) : body ? firstLine(body) : '';
  const parts = [message && !summary.includes(message) ? firstLine(message) : '', summary].filter(Boolean);
  if (status !== undefined && !parts.some((p) => p.includes(String(status)))) parts.push(`status ${status}`);
  return { level, time, text, status, headers, hasErrorFields, message, example: parts.join(' — ') || firstLine(text) };
}
