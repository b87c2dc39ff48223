import { maskKey } from './config/keys.js';

/**
 * Patterns of secrets that may appear in any text, including what a server echoes back.
 * Each needs enough characters after the prefix to be a real key, so masked forms never match again.
 */
const SECRET_PATTERNS: readonly RegExp[] = [
  // 12+ characters after the prefix: a listed key prefix ("ms-abc1xxxx") is not a secret, a key is longer.
  /\b(?:ms|mk)-[A-Za-z0-9_-]{12,}/g,
  /\bsk-[A-Za-z0-9_-]{12,}/g,
  /\bmsk_[A-Za-z0-9_-]{8,}/g,
  /\bms_(?:live|test)_[A-Za-z0-9_-]{8,}/g,
  /\beyJ[\w-]{8,}\.[\w-]{8,}\.[\w-]{8,}/g,
  /\bAIza[0-9A-Za-z_-]{20,}/g,
];

/** Bearer credentials in any header-like text. */
const BEARER = /(\bBearer\s+)([^\s"',;]{6,})/gi;

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
    // Longest first, so a secret containing another is replaced whole.
    for (const s of [...this.secrets].sort((a, b) => b.length - a.length)) {
      if (out.includes(s)) out = out.split(s).join(maskKey(s));
    }
    out = out.replace(BEARER, (_m, scheme: string, token: string) => scheme + (token.includes('…') ? token : maskKey(token)));
    for (const re of SECRET_PATTERNS) out = out.replace(re, (m) => maskKey(m));
    return out;
  }
}

/** The process-wide redactor: config registers every key it reads; every output path goes through it. */
export const redactor = new Redactor();
