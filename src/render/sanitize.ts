/**
 * Text that apidoctor did not write itself (server bodies and headers, key names, model ids, config values,
 * input files) must not drive the terminal or forge the layout. The output layer (Output) passes every
 * write through `neutralize`, so no raw control character reaches a sink whoever built the text; the
 * renderers pass each one-line field through `oneLine`, so a line break inside a key name cannot forge a
 * table row. apidoctor's own colours are not control characters until Output writes them (style.ts).
 */
/* eslint-disable no-control-regex -- this module's patterns name the control characters it escapes */

/**
 * C0 controls but tab and line feed, DEL, C1, the bidi overrides and isolates (U+202A–U+202E,
 * U+2066–U+2069) and marks (U+061C, U+200E, U+200F), the line and paragraph separators (U+2028, U+2029),
 * and the invisible characters that can hide or split a word (U+200B, U+2060–U+2064, U+FEFF,
 * U+FFF9–U+FFFB); a carriage return only when no line feed follows it (CRLF is a line end). The
 * zero-width joiner and non-joiner (U+200C, U+200D) stay: emoji and several scripts need them.
 */
const UNSAFE =
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\u061c\u200b\u200e\u200f\u2028\u2029\u2060-\u2064\ufeff\ufff9-\ufffb]|\r(?!\n)/g;
/** The same, and every line break and tab: for text that must stay on one line. */
const UNSAFE_IN_LINE =
  /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\u061c\u200b\u200e\u200f\u2028\u2029\u2060-\u2064\ufeff\ufff9-\ufffb]/g;
/** What JSON.stringify leaves raw that a terminal still reads: DEL, C1, the bidi controls and the invisibles above. */
const UNSAFE_IN_JSON = /[\u007f-\u009f\u202a-\u202e\u2066-\u2069\u061c\u200b\u200e\u200f\u2028\u2029\u2060-\u2064\ufeff\ufff9-\ufffb]/g;

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** A visible escape for one character: `\x1b`, `\x9b`, `\u202e`, `\n`. */
export function visibleEscape(c: string): string {
  const named = NAMED[c];
  if (named) return named;
  const code = c.charCodeAt(0);
  return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** Every character that could drive a terminal shown as a visible escape; line feeds and tabs stay. */
export function neutralize(text: string): string {
  return text.replace(UNSAFE, visibleEscape);
}

/** For a one-line field (a key name, a code, a model id): line breaks and tabs shown as escapes too. */
export function oneLine(text: string): string {
  return text.replace(UNSAFE_IN_LINE, visibleEscape);
}

/** A JSON document with what JSON.stringify leaves raw (DEL, C1, bidi) as \uXXXX escapes: the same JSON value. */
export function jsonSafe(json: string): string {
  return json.replace(UNSAFE_IN_JSON, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Characters a terminal acts on, in a JSON text: C0 but tab, line feed and carriage return, and those of jsonSafe. */
const UNSAFE_IN_JSON_TEXT =
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\u061c\u200b\u200e\u200f\u2028\u2029\u2060-\u2064\ufeff\ufff9-\ufffb]/g;

/**
 * A server's JSON text (a body `call` prints, an SSE chunk) with each such character as a \uXXXX escape:
 * the same JSON value, still valid for `| jq` (neutralize's visible `\x9b` is not a JSON escape). Raw C0
 * in a string is invalid JSON already; it gets the same escape. Apply before the output layer neutralises.
 */
export function jsonTextSafe(text: string): string {
  return text.replace(UNSAFE_IN_JSON_TEXT, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * Text for a Markdown table cell (GitHub's step summary): on one line, and every ASCII punctuation
 * character backslash-escaped, so that server text renders as text: no link, image, HTML tag (`<img>`),
 * autolink, emphasis, mention, or cell break (`|`).
 */
export function markdownText(text: string): string {
  return oneLine(text).replace(/[!-/:-@[-`{-~]/g, (c) => (c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '&' ? '&amp;' : `\\${c}`));
}

/** A GitHub workflow command's data (`::error …::DATA`): %, CR and LF escaped per the runner's syntax. */
export function workflowData(text: string): string {
  return neutralize(text).replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** A workflow command's property value (`title=…`): also `:` and `,`. */
export function workflowProperty(text: string): string {
  return workflowData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}
