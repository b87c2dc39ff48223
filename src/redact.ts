import { maskKey } from './config/keys.js';

/**
 * Patterns of secrets that may appear in any text, including what a server echoes back.
 * Each needs enough characters after the prefix to be a real key, so masked forms never match again.
 */
const SECRET_PATTERNS: readonly RegExp[] = [
  // 12+ characters after the prefix: a listed key prefix ("ms-abc1xxxx") is not a secret, a key is longer.
  /\b(?:ms|mk)-[A-Za-z0-9_-]{12,}/gi, // any case: "MS-…" is a mistyped key, still a key
  /\bsk-[A-Za-z0-9_-]{12,}/g,
  /\bmsk_[A-Za-z0-9_-]{8,}/g,
  /\bms_(?:live|test)_[A-Za-z0-9_-]{8,}/g,
  /\beyJ[\w-]{8,}\.[\w-]{8,}\.[\w-]{8,}/g,
  /\bAIza[0-9A-Za-z_-]{20,}/g,
];

/** Bearer credentials in any header-like text. */
const BEARER = /(\bBearer\s+)([^\s"',;]{6,})/gi;

/**
 * Masks the pieces of `secret` that text cut at its end (`ms-ab12cd34ef56…`, from a `slice(0, n)` of a
 * message) or at its start (`…cd34ef56a7b8`, the second of two stream chunks). A piece counts once it
 * shows 5 characters more than the masked form does (so a listed key prefix such as `ms-abc1xxxx`,
 * which the API itself shows, stays as it is); it becomes the masked form's head or tail.
 * Whole occurrences must already have been replaced.
 */
function maskCut(text: string, secret: string): string {
  const [head = '', tail = ''] = maskKey(secret).split('…');
  if (secret.length < 12) return text; // short secrets: whole matches only
  let out = text;
  const headStem = head.length + 5;
  const start = secret.slice(0, headStem);
  for (let i = out.indexOf(start); i !== -1; i = out.indexOf(start, i + 1)) {
    let n = headStem;
    while (n < secret.length && out[i + n] === secret[n]) n++;
    const rep = head + (out[i + n] === '…' ? '' : '…');
    out = out.slice(0, i) + rep + out.slice(i + n);
  }
  const tailStem = tail.length + 5;
  const end = secret.slice(-tailStem);
  for (let j = out.indexOf(end); j !== -1; j = out.indexOf(end, j + 1)) {
    const stop = j + tailStem;
    let n = tailStem;
    while (n < secret.length && stop - n - 1 >= 0 && out[stop - n - 1] === secret[secret.length - n - 1]) n++;
    const from = stop - n;
    const rep = (out[from - 1] === '…' ? '' : '…') + tail;
    out = out.slice(0, from) + rep + out.slice(stop);
    j = from;
  }
  return out;
}

/**
 * A run of key characters, some of them escaped: JSON `\u00XX`, HTML `&#NN;` / `&#xXX;`, URL `%XX`.
 * The alternatives start with different characters, so matching stays linear on any text.
 */
const ESCAPED_RUN = /(?:[A-Za-z0-9_-]|\\u00[0-9a-fA-F]{2}|&#\d{2,3};|&#[xX][0-9a-fA-F]{2};|%[0-9a-fA-F]{2})+/g;
const ESCAPE = /\\u00([0-9a-fA-F]{2})|&#(\d{2,3});|&#[xX]([0-9a-fA-F]{2});|%([0-9a-fA-F]{2})/g;

/** The run with its escapes of key characters decoded (other escapes stay as they are). */
function decodeRun(run: string): string {
  return run.replace(ESCAPE, (m, u?: string, d?: string, x?: string, p?: string) => {
    const c = String.fromCharCode(d !== undefined ? Number(d) : parseInt((u ?? x ?? p)!, 16));
    return /^[A-Za-z0-9_-]$/.test(c) ? c : m;
  });
}

/** Replaces every secret it knows of, and anything shaped like a key, with its masked form. */
export class Redactor {
  private readonly secrets = new Set<string>();

  /** Remembers a secret (as given, and its trimmed/unquoted forms) so that it is never printed. */
  add(secret: string | undefined): void {
    if (!secret) return;
    for (const s of [secret, secret.trim(), secret.trim().replace(/^(["'`])(.*)\1$/s, '$2').trim()]) {
      if (s.length >= 4) this.secrets.add(s);
      // The server may echo the key URL-encoded.
      const enc = encodeURIComponent(s);
      if (enc !== s && enc.length >= 4) this.secrets.add(enc);
    }
  }

  /** The text with every known secret and key-shaped token masked. */
  redact(text: string): string {
    let out = text;
    // A server can escape some characters of a key it echoes (\u006ds-…, &#109;s-…, %6Ds-…), so that no
    // pattern sees it while a reader still can: where decoding a run of key characters reveals a key,
    // the run is printed decoded and masked. Runs that hide no key are left exactly as they were.
    if (/\\u00|&#|%[0-9a-fA-F]/.test(out)) {
      // Shorter runs cannot hide a key: the patterns need 12+ characters, a known secret its own length.
      const shortest = Math.min(12, ...[...this.secrets].map((s) => s.length));
      out = out.replace(ESCAPED_RUN, (run) => {
        if (run.length < shortest || !/[\\&%]/.test(run)) return run;
        const decoded = decodeRun(run);
        if (decoded.length < shortest) return run;
        const masked = decoded === run ? run : this.redact(decoded);
        return masked === decoded ? run : masked;
      });
    }
    // Longest first, so a secret containing another is replaced whole.
    const secrets = [...this.secrets].sort((a, b) => b.length - a.length);
    for (const s of secrets) {
      if (out.includes(s)) out = out.split(s).join(maskKey(s));
    }
    // What is left of a secret that a length limit or a chunk boundary cut short.
    for (const s of secrets) out = maskCut(out, s);
    out = out.replace(BEARER, (_m, scheme: string, token: string) => scheme + (token.includes('…') ? token : maskKey(token)));
    for (const re of SECRET_PATTERNS) out = out.replace(re, (m) => maskKey(m));
    return out;
  }
}

/** The process-wide redactor: config registers every key it reads; every output path goes through it. */
export const redactor = new Redactor();
