/**
 * A body embedded anywhere in a text: JSON with words around it, JSON escaped inside a JSON string, a
 * Python dict, Node's util.inspect, a Ruby hash, Go's map[…], a Rust Debug struct; or an HTML page.
 * One pass finds the top-level {…} and map[…] spans (quotes counted only inside them), then each is read
 * by the tolerant reader until one looks like an error. Linear in the text; never throws.
 */
import { parseLoose, type LooseValue } from './loose.js';
import { parseJson } from '../core/json-depth.js';

export interface EmbeddedBody {
  value: { [k: string]: LooseValue };
  /** Where it starts in the text. */
  index: number;
  end: number;
  /** What kind of literal it was ("the JSON", "the Python dict"), for the sources line. */
  kind: string;
}

const MAX_SPANS = 64;
const MAX_SPAN = 2 * 1024 * 1024;

/** Top-level spans starting at '{' or 'map['; an unclosed one runs to the end of the text. */
function spans(text: string): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  const OPEN = /\{|map\[/g;
  const INSIDE = /[{}[\]"'`]/g;
  const QUOTE: Record<string, RegExp> = { '"': /["\\\n]/g, "'": /['\\\n]/g, '`': /[`\\\n]/g };
  let i = 0;
  while (out.length < MAX_SPANS) {
    OPEN.lastIndex = i;
    const open = OPEN.exec(text);
    if (!open) break;
    const start = open.index;
    let depth = 1;
    let pos = start + open[0].length;
    let closed = false;
    while (pos < text.length) {
      INSIDE.lastIndex = pos;
      const m = INSIDE.exec(text);
      if (!m) {
        pos = text.length;
        break;
      }
      const c = m[0];
      pos = m.index + 1;
      if (c === '"' || c === "'" || c === '`') {
        // an apostrophe inside a word ("You're") in a Go map or a Rust string is not a quote
        if (c === "'" && /\w/.test(text[m.index - 1] ?? '') && /\w/.test(text[m.index + 1] ?? '')) continue;
        const q = QUOTE[c]!;
        for (;;) {
          q.lastIndex = pos;
          const e = q.exec(text);
          if (!e) {
            pos = text.length;
            break;
          }
          if (e[0] === '\\') {
            pos = e.index + 2;
            continue;
          }
          pos = e.index + 1;
          break;
        }
      } else if (c === '{' || c === '[') depth++;
      else if (--depth === 0) {
        out.push([start, pos]);
        closed = true;
        break;
      }
    }
    if (!closed) {
      out.push([start, text.length]);
      break;
    }
    i = pos;
  }
  return out;
}

const ERROR_KEYS =
  /^(error|errors|message|msg|detail|error_msg|errorMessage|error_message|type|code|status|statusCode|status_code|reason|title|base_resp|err)$/;

function errorish(v: LooseValue | undefined): v is { [k: string]: LooseValue } {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return false;
  const keys = Object.keys(v);
  return keys.some((k) => ERROR_KEYS.test(k));
}

function kindOf(raw: string, escaped: boolean): string {
  if (escaped) return 'the JSON inside a JSON string';
  if (raw.startsWith('map[')) return 'the Go map';
  try {
    parseJson(raw);
    return 'the JSON';
  } catch {
    // a literal of some language
  }
  if (/=>/.test(raw.slice(0, 2000))) return 'the Ruby hash';
  if (/\bSome\(|\br#\w|\bNone\b.*\}$/.test(raw.slice(0, 4000)) && /^\{\s*\w+:/.test(raw)) return 'the Rust Debug struct';
  if (/^\{\s*'|\bNone\b|\bTrue\b|\bFalse\b/.test(raw.slice(0, 4000))) return 'the Python dict';
  if (/^\{\s*[A-Za-z_$][\w$]*:\s/.test(raw)) return 'the JavaScript object (util.inspect)';
  return 'the JSON-like text';
}

/** The first error-like body in the text (an object with error, message, type, code, detail … keys), if any. */
export function embeddedBody(text: string): EmbeddedBody | undefined {
  for (const [s, e] of spans(text)) {
    if (e - s < 2) continue;
    let raw = text.slice(s, Math.min(e, s + MAX_SPAN));
    // Rust Debug: "ApiError { message: …" — the struct name stays outside the span; fine.
    let escaped = false;
    if (/^\{\s*\\+"/.test(raw)) {
      // JSON escaped inside a JSON string: {\"error\":{\"message\":\"…\"}}
      const unescaped = unescapeJsonString(raw);
      if (unescaped !== undefined) {
        raw = unescaped;
        escaped = true;
      }
    }
    const v = parseLoose(raw);
    if (!v || typeof v !== 'object' || Array.isArray(v)) continue;
    const hit: EmbeddedBody = { value: v, index: s, end: e, kind: kindOf(raw, escaped) };
    if (errorish(v)) return hit;
  }
  return undefined;
}

/** Undoes one or more levels of JSON string escaping ({\"a\":1} or {\\\"a\\\":1}). */
function unescapeJsonString(raw: string): string | undefined {
  let s = raw;
  for (let level = 0; level < 4 && /^\{\s*\\+"/.test(s); level++) {
    const end = s.lastIndexOf('}');
    const candidate = s.slice(0, end + 1);
    try {
      s = JSON.parse(`"${candidate.replace(/(^|[^\\])"/g, '$1\\"')}"`) as string;
    } catch {
      s = candidate.replace(/\\(["\\/])/g, '$1').replace(/\\n/g, '\n');
    }
  }
  return s.startsWith('{') ? s : undefined;
}

/** An HTML page quoted inside a text (a CDN or nginx page in an exception message). */
export function htmlInText(text: string): { html: string; index: number } | undefined {
  const head = text.length > 4_194_304 ? text.slice(0, 4_194_304) : text;
  const m = /<!DOCTYPE html|<html[\s>]|<head>|<body[\s>]|<title>|<center><h1>/i.exec(head);
  if (!m) return undefined;
  const close = /<\/html>/i.exec(head.slice(m.index));
  const end = close ? m.index + close.index + close[0].length : head.length;
  return { html: head.slice(m.index, end), index: m.index };
}
