import { MAX_KEY_LENGTH, maskKey } from './keys.js';

/**
 * Patterns of secrets that may appear in any text, including what a server echoes back: ModelSwitch keys
 * and other vendors' (OpenAI `sk-…`/`sk-proj-…`, Anthropic `sk-ant-…`, Google `AIza…`, xAI, Groq, Hugging
 * Face, JWTs), and the tokens a log may hold (GitHub, Slack, AWS access key ids, Stripe).
 * Each needs enough characters after the prefix to be a real key, so masked forms never match again.
 *
 * Linear on any text, and safe on a run of many MiB: a pattern may start only where a run of its characters
 * starts (the lookbehind), so no run is scanned from more than one start; and a run is matched as `{n}`
 * then `*` (V8's simple greedy loop), never `{n,}` or a repeated group, which keep a backtracking entry
 * per character and overflow the stack on a long run. Not `\b`: `key_ms-…` and `1ms-…` are keys too.
 *
 * Past ~300 lines on purpose: the patterns, the encodings a server may echo a key in, and the one Redactor that
 * applies them are read together; a pattern split from its masking is how a key slips through.
 */
const SECRET_PATTERNS: readonly RegExp[] = [
  // 12+ characters after the prefix: a listed key prefix ("ms-abc1xxxx") is not a secret, a key is longer.
  /(?<![A-Za-z])(?:ms|mk)-[A-Za-z0-9_-]{12}[A-Za-z0-9_-]*/gi, // any case: "MS-…" is a mistyped key, still a key
  /(?<![A-Za-z])sk-[A-Za-z0-9_-]{12}[A-Za-z0-9_-]*/g, // sk-…, sk-proj-…, sk-ant-…, sk-or-…
  /(?<![A-Za-z])msk_[A-Za-z0-9_-]{8}[A-Za-z0-9_-]*/g,
  /(?<![A-Za-z])ms_(?:live|test)_[A-Za-z0-9_-]{8}[A-Za-z0-9_-]*/g,
  /(?<![\w-])eyJ[\w-]{5}[\w-]*\.[\w-]{8}[\w-]*\.[\w-]{8}[\w-]*/g,
  /(?<![A-Za-z0-9])AIza[0-9A-Za-z_-]{20}[0-9A-Za-z_-]*/g,
  /(?<![A-Za-z])(?:xai|gsk)[-_][A-Za-z0-9]{16}[A-Za-z0-9]*/g, // xAI, Groq
  /(?<![A-Za-z])hf_[A-Za-z0-9]{20}[A-Za-z0-9]*/g, // Hugging Face
  // Secrets of the tools around an app, which a log given to `explain` may hold: GitHub tokens, Slack
  // tokens, AWS access key ids, Stripe keys.
  /(?<![A-Za-z0-9])gh[oprsu]_[A-Za-z0-9]{20}[A-Za-z0-9]*/g,
  /(?<![A-Za-z0-9])github_pat_[A-Za-z0-9_]{20}[A-Za-z0-9_]*/g,
  /(?<![A-Za-z0-9])xox[abposr]-[A-Za-z0-9-]{10}[A-Za-z0-9-]*/g,
  /(?<![A-Z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Z0-9])/g,
  /(?<![A-Za-z0-9])[rs]k_(?:live|test)_[A-Za-z0-9]{10}[A-Za-z0-9]*/g,
];

/**
 * A piece of text that each of the patterns below but the first one needs (and BEARER, BASIC, API_KEY_FIELD),
 * in one case-sensitive scan: text with none of them (a key table, whose every line holds `ms-` and so runs
 * the first pattern) is spared fifteen scans. A superset on purpose; a pattern added below adds its piece here
 * (the tests of each kind of secret fail otherwise).
 */
const OTHER_SECRETS_HINT =
  /sk-|msk_|ms_(?:live|test)_|eyJ|AIza|xai[-_]|gsk[-_]|hf_|gh[oprsu]_|github_pat_|xox|AKIA|ASIA|k_(?:live|test)_|Basic|[Bb][Ee][Aa][Rr][Ee][Rr]|[Aa][Pp][Ii][-_]?[Kk][Ee][Yy]/;

/** HTTP Basic credentials (`Authorization: Basic dXNlcjpwYXNz`): base64 of `user:password`. */
const BASIC = /(?<![A-Za-z])(Basic[ \t]+)([A-Za-z0-9+/]{8}[A-Za-z0-9+/]*={0,2})/g;

/** True when a Basic token decodes to `user:password` (so "Basic information" stays as it is). */
function isBasicCredential(token: string): boolean {
  if (token.length > 4096) return true;
  return Buffer.from(token, 'base64').toString('latin1').includes(':');
}

/** Bearer credentials in any header-like text. */
const BEARER = /(?<![A-Za-z])(Bearer[ \t]+)([^\s"',;]{6}[^\s"',;]*)/gi;

/** `api-key: …`, `x-api-key: …`, `"api_key": "…"`, `apiKey=…`: the value is a secret, whoever issued it. */
const API_KEY_FIELD = /(?<![A-Za-z])((?:x-)?api[-_]?key["']?[ \t]*[:=][ \t]*["']?)([^\s"',;&]{6}[^\s"',;&]*)/gi;

/**
 * Words that stand for a secret in documentation and examples (`Bearer YOUR_JWT_TOKEN`, `<token>`,
 * `$MODELSWITCH_API_KEY`, `sk-xxxx…`): they are not secrets, and masking them mangles the advice.
 */
const PLACEHOLDER = /^(?:[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+|<[^<>]*>|\$\{?[A-Za-z_]\w*\}?|\{\{?[^{}]*\}\}?|\[[^[\]]*\]|[xX*.•…-]+)$|YOUR|your/;

/** True when a token is a placeholder rather than a secret. */
export function isPlaceholder(token: string): boolean {
  if (token.length > 200) return false;
  return PLACEHOLDER.test(token) || /^(?:sk|ms|mk)-[xX*.•…]+$/.test(token);
}

/** What a masked form shows before and after its `…`. */
function headTail(secret: string): [string, string] {
  const m = maskKey(secret);
  const i = m.indexOf('…');
  return [m.slice(0, i), m.slice(i + 1).replace(/ \(\d+ characters\)$/, '')];
}

/** What maskCut needs of a secret: the masked form's head and tail, and the stems it looks for. */
interface Cut {
  secret: string;
  head: string;
  tail: string;
  /** The secret's start and end, each 5 characters past what the masked form shows. */
  start: string;
  end: string;
}

/** A secret's Cut; none for a short one, which is masked only where it appears whole. */
function cutOf(secret: string): Cut | undefined {
  if (secret.length < 12) return undefined;
  const [head, tail] = headTail(secret);
  return { secret, head, tail, start: secret.slice(0, head.length + 5), end: secret.slice(-(tail.length + 5)) };
}

/**
 * Masks the pieces of a secret that text cut at its end (`ms-ab12cd34ef56…`, from a `slice(0, n)` of a
 * message) or at its start (`…cd34ef56a7b8`, the second of two stream chunks). A piece counts once it
 * shows 5 characters more than the masked form does (so a listed key prefix such as `ms-abc1xxxx`,
 * which the API itself shows, stays as it is); it becomes the masked form's head or tail.
 * Whole occurrences must already have been replaced. One pass each way, building the result in parts.
 */
function maskCut(text: string, { secret, head, tail, start, end }: Cut): string {
  const headStem = start.length;
  let parts: string[] = [];
  let pos = 0;
  for (let i = text.indexOf(start); i !== -1; i = text.indexOf(start, pos)) {
    let n = headStem;
    while (n < secret.length && text[i + n] === secret[n]) n++;
    parts.push(text.slice(pos, i), head + (text[i + n] === '…' ? '' : '…'));
    pos = i + n;
  }
  let out = pos === 0 ? text : (parts.push(text.slice(pos)), parts.join(''));
  const tailStem = end.length;
  parts = [];
  pos = 0;
  for (let j = out.indexOf(end); j !== -1; j = out.indexOf(end, j + tailStem)) {
    const stop = j + tailStem;
    let n = tailStem;
    while (n < secret.length && stop - n - 1 >= pos && out[stop - n - 1] === secret[secret.length - n - 1]) n++;
    const from = stop - n;
    parts.push(out.slice(pos, from), (out[from - 1] === '…' ? '' : '…') + tail);
    pos = stop;
  }
  if (pos > 0) {
    parts.push(out.slice(pos));
    out = parts.join('');
  }
  return out;
}

/** A key character: A-Z a-z 0-9 _ - */
function isKeyChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 45;
}
function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

/**
 * The length of the escape at `i`: JSON `\uXXXX` (also escaped again, `\\uXXXX`, up to 4 backslashes),
 * HTML `&#NN;` / `&#NNN;` / `&#xXX;`, URL `%XX`; 0 when there is none.
 */
function escapeAt(t: string, i: number): number {
  const c = t.charCodeAt(i);
  if (c === 92) {
    let j = i;
    while (j < i + 4 && t.charCodeAt(j) === 92) j++;
    return t.charCodeAt(j) === 117 &&
      isHex(t.charCodeAt(j + 1)) &&
      isHex(t.charCodeAt(j + 2)) &&
      isHex(t.charCodeAt(j + 3)) &&
      isHex(t.charCodeAt(j + 4))
      ? j + 5 - i
      : 0;
  }
  if (c === 37) return isHex(t.charCodeAt(i + 1)) && isHex(t.charCodeAt(i + 2)) ? 3 : 0;
  if (c === 38 && t.charCodeAt(i + 1) === 35) {
    const x = t.charCodeAt(i + 2);
    if ((x === 120 || x === 88) && isHex(t.charCodeAt(i + 3)) && isHex(t.charCodeAt(i + 4)) && t.charCodeAt(i + 5) === 59) return 6;
    let j = i + 2;
    while (j < i + 5 && t.charCodeAt(j) >= 48 && t.charCodeAt(j) <= 57) j++;
    return j - i >= 4 && t.charCodeAt(j) === 59 ? j + 1 - i : 0;
  }
  return 0;
}

/** An escape that may stand for a key character or one of DISGUISE's (\u00XX, \u200b, \uff4d, &#109;, %6D). */
const ESCAPED = /\\u(?:00|20[0-6]|[Ff][Ee][Ff][Ff]|[Ff][Ff][0-5])|&#|%[0-9a-fA-F]/;
/**
 * Characters a key can hide among as it is copied or echoed, that a reader passes over: invisible format
 * characters (zero-width space and joiners, soft hyphen, word joiner, direction marks and isolates, the BOM),
 * and the fullwidth forms of a key's characters (ｍｓ－…, which read, and normalise, as ms-…).
 */
const DISGUISE = /[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\uff0d\uff10-\uff19\uff21-\uff3a\uff3f\uff41-\uff5a]/;
/** One scan for either: a text with neither (nearly every text) is spared both walks. */
const ESCAPED_OR_DISGUISED = new RegExp(`${ESCAPED.source}|${DISGUISE.source}`);

function isInvisible(c: number): boolean {
  return (
    c === 0xad ||
    (c >= 0x200b && c <= 0x200f) ||
    (c >= 0x202a && c <= 0x202e) ||
    (c >= 0x2060 && c <= 0x2064) ||
    (c >= 0x2066 && c <= 0x2069) ||
    c === 0xfeff
  );
}
/** The key character a fullwidth one stands for, or 0. */
function fromFullwidth(c: number): number {
  if (c < 0xff0d || c > 0xff5a) return 0;
  return isKeyChar(c - 0xfee0) ? c - 0xfee0 : 0;
}

/** The length of a disguised character at `i` (an invisible one, or a fullwidth key character), or 0. */
function disguiseAt(t: string, i: number): number {
  const c = t.charCodeAt(i);
  return isInvisible(c) || fromFullwidth(c) ? 1 : 0;
}

/** A disguised run as the key it reads as: invisible characters left out, fullwidth ones as their ASCII. */
function undisguise(run: string): string {
  let plain = '';
  for (let j = 0; j < run.length; j++) {
    const c = run.charCodeAt(j);
    if (isKeyChar(c)) plain += run[j];
    else if (!isInvisible(c)) plain += String.fromCharCode(fromFullwidth(c));
  }
  return plain;
}

/**
 * Each maximal run of key characters and of the pieces `pieceAt` finds (the length of one at i, 0 for none:
 * an escape, a disguised character) that holds at least one such piece, replaced by `fn(run)`. A plain
 * loop, linear in the text (a regular expression repeating an alternation keeps a backtracking entry per
 * character and overflows the stack on a run of a few MiB).
 */
function replaceRuns(text: string, pieceAt: (t: string, i: number) => number, fn: (run: string) => string): string {
  const parts: string[] = [];
  let pos = 0;
  for (let i = 0; i < text.length;) {
    let special = false;
    const start = i;
    for (;;) {
      if (isKeyChar(text.charCodeAt(i))) i++;
      else {
        const n = pieceAt(text, i);
        if (n === 0) break;
        special = true;
        i += n;
      }
    }
    if (i === start) {
      i++;
      continue;
    }
    if (!special) continue;
    const run = text.slice(start, i);
    const rep = fn(run);
    if (rep !== run) {
      parts.push(text.slice(pos, start), rep);
      pos = i;
    }
  }
  if (pos === 0) return text;
  parts.push(text.slice(pos));
  return parts.join('');
}

/** The code of the character an escape of `len` characters at `i` stands for. */
function escapedCode(t: string, i: number, len: number): number {
  const c = t.charCodeAt(i);
  if (c === 37) return parseInt(t.slice(i + 1, i + 3), 16);
  if (c === 92) return parseInt(t.slice(i + len - 4, i + len), 16);
  const x = t.charCodeAt(i + 2);
  return x === 120 || x === 88 ? parseInt(t.slice(i + 3, i + 5), 16) : Number(t.slice(i + 2, i + len - 1));
}

/**
 * The run with its escapes of key characters decoded, and those of the characters a key can hide among (an
 * escaped zero-width space, as a sanitised quote shows it: redact() then reads the run as the key it hides);
 * other escapes stay as they are. One pass.
 */
function decodeRun(run: string): string {
  const codes = new Uint16Array(run.length);
  let n = 0;
  for (let i = 0; i < run.length;) {
    const len = escapeAt(run, i);
    const code = len > 0 ? escapedCode(run, i, len) : -1;
    if (len > 0 && (isKeyChar(code) || isInvisible(code) || fromFullwidth(code) > 0)) {
      codes[n++] = code;
      i += len;
    } else {
      const end = i + Math.max(len, 1);
      for (; i < end; i++) codes[n++] = run.charCodeAt(i);
    }
  }
  return Buffer.from(codes.buffer, 0, n * 2).toString('utf16le');
}

/**
 * The forms a server may echo a secret in besides the plain one, each with what is printed instead:
 * base64 and base64url (at each of the three byte alignments it can have inside a longer encoded text,
 * only the characters that depend on the secret alone), hex (either case) and reversed. Fixed strings,
 * found with indexOf, so the search is linear.
 */
function encodedForms(s: string): Array<[string, string]> {
  // Past MAX_KEY_LENGTH it is no key (the key check refuses it, nothing sends it): masked where it is shown as it is.
  if (s.length < 8 || s.length > MAX_KEY_LENGTH) return [];
  const shown = maskKey(s);
  const forms: Array<[string, string]> = [];
  const add = (form: string, label: string) => {
    if (form.length >= 8 && form !== s) forms.push([form, `[${label} of ${shown}]`]);
  };
  // The key, and the key without its kind prefix (ms-, mk-, sk-…): a server may encode only the secret part.
  const body = s.replace(/^[A-Za-z]{2,4}[-_](?:(?:ant|proj)-)?/, '');
  for (const part of body !== s && body.length >= 16 ? [s, body] : [s]) {
    const bytes = Buffer.from(part, 'utf8');
    for (let pad = 0; pad < 3; pad++) {
      const b64 = Buffer.concat([Buffer.alloc(pad), bytes]).toString('base64');
      // Characters that mix in the pad bytes (at the start) or what follows (at the end) are left out.
      const from = Math.ceil((pad * 8) / 6);
      const to = Math.floor(((pad + bytes.length) * 8) / 6);
      const core = b64.slice(from, to);
      add(core, 'base64');
      add(core.replace(/\+/g, '-').replace(/\//g, '_'), 'base64url');
    }
  }
  const bytes = Buffer.from(s, 'utf8');
  const hex = bytes.toString('hex');
  add(hex, 'hex');
  add(hex.toUpperCase(), 'hex');
  add([...s].reverse().join(''), 'reversed');
  return forms;
}

/** What a Redactor looks for of the secrets it knows (see Redactor#prepared). */
interface Known {
  /** Every secret's plain and encoded forms with their replacements, longest first. */
  forms: Array<[string, string]>;
  /** What maskCut needs of each secret long enough to be cut. */
  cuts: Cut[];
  /**
   * Whether text holds anything of a known secret, a form or a stem maskCut would find: one scan for all (a
   * regex of the literal strings) instead of one per form and stem, ~25 ms less for a 7 MB key table. None
   * without secrets.
   */
  any: RegExp | undefined;
}

/** Replaces every secret it knows of, and anything shaped like a key, with its masked form. */
export class Redactor {
  private readonly secrets = new Set<string>();
  /**
   * What redact() looks for, made on the first redact() after a secret is added, not in add(): config registers
   * keys before the first request, and the encodings (base64 at three offsets, hex, …) cost milliseconds that a
   * start would otherwise wait for. None yet: null.
   */
  private known: Known | null = null;

  /** Remembers a secret (as given, and its trimmed/unquoted forms) so that it is never printed. */
  add(secret: string | undefined): void {
    if (!secret) return;
    for (const s of [
      secret,
      secret.trim(),
      secret
        .trim()
        .replace(/^(["'`])(.*)\1$/s, '$2')
        .trim(),
    ]) {
      if (s.length >= 4) this.secrets.add(s);
      // The server may echo the key URL-encoded.
      const enc = encodeURIComponent(s);
      if (enc !== s && enc.length >= 4) this.secrets.add(enc);
    }
    this.known = null;
  }

  private get prepared(): Known {
    if (this.known) return this.known;
    const forms = new Map<string, string>();
    for (const s of this.secrets) forms.set(s, maskKey(s));
    for (const s of this.secrets) for (const [f, m] of encodedForms(s)) if (!forms.has(f)) forms.set(f, m);
    const cuts = [...this.secrets].flatMap((s) => cutOf(s) ?? []);
    const pieces = [...forms.keys(), ...cuts.flatMap((c) => [c.start, c.end])];
    // Past a few hundred pieces (a process that has seen hundreds of keys) the one regex costs more to build
    // than the scans it spares, and past 64 KiB of them (a "key" of megabytes in a config file) V8 refuses to
    // build it: every text is then looked through form by form, as without it.
    const any =
      pieces.length === 0
        ? undefined
        : pieces.length > 256 || pieces.reduce((n, p) => n + p.length, 0) > 64 * 1024
          ? /(?:)/
          : new RegExp(pieces.map((p) => p.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')).join('|'));
    return (this.known = { forms: [...forms].sort((a, b) => b[0].length - a[0].length), cuts, any });
  }

  /**
   * Does now what the first redact() would: the encoded forms, and V8's compiling of every pattern (a few ms in
   * all). The HTTP client calls it once its first request is on the wire, so that this happens while the
   * answer is awaited, not after it, when the output is due.
   */
  prepare(): void {
    this.redact('Bearer warm-up sk-warm-up %6D \\u006d');
  }

  /** The text with every known secret and key-shaped token masked. Linear in the text's length. */
  redact(text: string): string {
    let out = text;
    if (ESCAPED_OR_DISGUISED.test(out)) {
      // Shorter runs cannot hide a key: the patterns need 12+ characters, a known secret its own length.
      const shortest = Math.min(12, ...[...this.secrets].map((s) => s.length));
      // A server can escape some characters of a key it echoes (\u006ds-…, &#109;s-…, %6Ds-…), so that no
      // pattern sees it while a reader still can: where decoding a run of key characters reveals a key,
      // the run is printed decoded and masked. Runs that hide no key are left exactly as they were.
      if (ESCAPED.test(out)) {
        out = replaceRuns(out, escapeAt, (run) => {
          if (run.length < shortest) return run;
          const decoded = decodeRun(run);
          if (decoded.length < shortest) return run;
          const masked = decoded === run ? run : this.redact(decoded);
          return masked === decoded ? run : masked;
        });
      }
      // The same for a key among invisible characters (m\u200bs-…, pasted from a chat) or in fullwidth forms:
      // where the run read as a key holds one, it is printed plain and masked.
      if (DISGUISE.test(out)) {
        out = replaceRuns(out, disguiseAt, (run) => {
          const plain = undisguise(run);
          if (plain.length < shortest) return run;
          const masked = this.redact(plain);
          return masked === plain ? run : masked;
        });
      }
    }
    const { forms, cuts, any } = this.prepared;
    if (any?.test(out)) {
      // Longest first, so a secret containing another is replaced whole.
      for (const [form, masked] of forms) {
        if (out.includes(form)) out = out.split(form).join(masked);
      }
      // What is left of a secret that a length limit or a chunk boundary cut short.
      for (const cut of cuts) out = maskCut(out, cut);
    }
    const masked = (m: string) => (isPlaceholder(m) ? m : maskKey(m));
    if (OTHER_SECRETS_HINT.test(out)) {
      const mask = (token: string) => (token.includes('…') || isPlaceholder(token) ? token : maskKey(token));
      out = out.replace(BEARER, (_m, scheme: string, token: string) => scheme + mask(token));
      out = out.replace(BASIC, (m, scheme: string, token: string) => (isBasicCredential(token) ? scheme + maskKey(token) : m));
      out = out.replace(API_KEY_FIELD, (_m, field: string, token: string) => field + mask(token));
      for (const re of SECRET_PATTERNS) out = out.replace(re, masked);
    } else out = out.replace(SECRET_PATTERNS[0]!, masked);
    return out;
  }
}

/** The process-wide redactor: config registers every key it reads; every output path goes through it. */
export const redactor = new Redactor();

/**
 * Every string in a value (a Diagnosis, its evidence, any JSON-shaped data) redacted: known secrets and
 * every vendor's key shapes masked. Pure: returns a copy, the input is not changed. The library and the
 * JSON output use it on what they hand out; `using` defaults to the process-wide redactor.
 */
export function redactDeep<T>(value: T, using: Redactor = redactor, depth = 0): T {
  if (typeof value === 'string') return using.redact(value) as T;
  if (value === null || typeof value !== 'object' || depth > 100) return value;
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, using, depth + 1)) as T;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = redactDeep(v, using, depth + 1);
  return out as T;
}

/** A Diagnosis (or any object) with every secret in it masked; see redactDeep. */
export function redactDiagnosis<T extends object>(d: T, using: Redactor = redactor): T {
  return redactDeep(d, using);
}
