/**
 * Secrets other than ModelSwitch keys that a log or an echoed request may hold — other LLM vendors' keys,
 * GitHub, Slack, AWS, Stripe tokens, HTTP Basic credentials — are masked wherever apidoctor prints text;
 * words that only look like them stay readable. And the invisible characters that can hide a word or
 * forge a line (bidi marks, line separators, zero-width spaces) are shown as escapes.
 */
import { describe, expect, it } from 'vitest';
import { Redactor } from '../../src/core/redact.js';
import { jsonSafe, neutralize, oneLine } from '../../src/render/sanitize.js';

const r = new Redactor();
// Built from parts so that no secret scanner mistakes this file for a leak.
const body = (n: number) => 'Q7x9Kp2mZ4vB8nL1cR6tY3wE5uH0jS'.repeat(3).slice(0, n);
const SECRETS: Record<string, string> = {
  'GitHub personal token': 'ghp_' + body(36),
  'GitHub OAuth token': 'gho_' + body(36),
  'GitHub fine-grained token': 'github_pat_' + body(22) + '_' + body(40),
  'Slack bot token': 'xoxb-' + '1234567890-0987654321-' + body(24),
  'AWS access key id': 'AKIA' + 'IOSFODNN7EXAMPLE',
  'Stripe live key': 'sk_live_' + body(24),
  'Stripe restricted key': 'rk_test_' + body(24),
  'xAI key': 'xai-' + body(40),
  'Groq key': 'gsk_' + body(40),
  'Hugging Face token': 'hf_' + body(34),
};

describe('other services’ secrets', () => {
  it.each(Object.entries(SECRETS))('%s is masked, in a log line and in JSON', (_name, secret) => {
    for (const text of [
      `2024-05-01 ERROR push failed token=${secret} (retrying)`,
      JSON.stringify({ headers: { authorization: `token ${secret}` } }),
    ]) {
      const out = r.redact(text);
      expect(out).not.toContain(secret);
      expect(out).not.toContain(secret.slice(-12));
      expect(out).toContain('…');
      // Masked once is masked for good: a second pass changes nothing.
      expect(r.redact(out)).toBe(out);
    }
  });

  it('HTTP Basic credentials (base64 of user:password) are masked; "Basic" in prose is not', () => {
    const cred = Buffer.from('deploy:' + body(20)).toString('base64');
    const out = r.redact(`> GET /v1/models\n> Authorization: Basic ${cred}\n`);
    expect(out).not.toContain(cred);
    expect(out).not.toContain(cred.slice(4, 20));
    expect(out).toMatch(/Authorization: Basic \S+…/);
    const prose = 'Basic information: the Basic authentication scheme is not supported here.';
    expect(r.redact(prose)).toBe(prose);
  });

  it('words shaped like the prefixes are not secrets', () => {
    const text = 'see ghp_example, AKIA keys, sk_live_ prefix, xoxb-token, the hf_hub library and gsk_short';
    expect(r.redact(text)).toBe(text);
  });
});

describe('invisible and layout characters from outside', () => {
  const CHARS = ['\u061c', '\u200b', '\u200e', '\u200f', '\u2028', '\u2029', '\u2060', '\u2064', '\ufeff', '\ufff9', '\ufffb'];
  it.each(CHARS.map((c) => [`U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`, c]))(
    '%s is shown as an escape, never raw',
    (_name, c) => {
      const text = `Invalid${c}key`;
      for (const out of [neutralize(text), oneLine(text), jsonSafe(JSON.stringify(text))]) {
        expect(out).not.toContain(c);
        expect(out).toContain(`\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
      }
      expect(JSON.parse(jsonSafe(JSON.stringify(text)))).toBe(text); // the JSON value is unchanged
    },
  );
  it('emoji and scripts that need the zero-width joiners keep them', () => {
    const text = 'family 👨\u200d👩\u200d👧 and می\u200cخواهم';
    expect(neutralize(text)).toBe(text);
  });
});

describe('a key hidden among invisible characters or in fullwidth forms', () => {
  // Built from parts, as above. A configured key, and one only the ms-/sk- patterns know.
  const configured = 'ms-' + body(32);
  const other = 'sk-proj-' + body(40);
  const known = new Redactor();
  known.add(configured);
  const fullwidth = (s: string) => [...s].map((c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0)).join('');
  const spaced = (s: string, sep: string) => [...s].join(sep);
  const plain = (s: string) => s.replace(/[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g, '').normalize('NFKC');

  it.each([
    ['zero-width spaces', (s: string) => spaced(s, '\u200b')],
    ['soft hyphens', (s: string) => spaced(s, '\u00ad')],
    ['word joiners and a BOM', (s: string) => `\ufeff${spaced(s, '\u2060')}`],
    ['direction marks', (s: string) => spaced(s, '\u200e')],
    ['fullwidth forms', fullwidth],
    [
      'fullwidth in part, a zero-width joiner in the middle',
      (s: string) => fullwidth(s.slice(0, 8)) + s.slice(8, 20) + '\u200d' + s.slice(20),
    ],
  ])('%s: masked, and what is printed no longer reads as the key', (_how, disguise) => {
    for (const [secret, redactor] of [
      [configured, known],
      [other, r],
    ] as const) {
      const text = `Incorrect API key provided: ${disguise(secret)}. See the docs.`;
      const out = redactor.redact(text);
      expect(plain(out)).not.toContain(secret);
      expect(plain(out)).not.toContain(secret.slice(12, 28)); // no long piece of it either
      expect(out).toMatch(/^Incorrect API key provided: \S+…\S+\. See the docs\.$/);
    }
  });

  it('the same written as escapes (a sanitised quote shows a zero-width space as \\u200b): masked', () => {
    for (const sep of ['\\u200b', '\\u00ad', '\\\\u200b', '\\uFEFF'])
      for (const [secret, redactor] of [
        [configured, known],
        [other, r],
      ] as const) {
        const out = redactor.redact(`Server said: "${spaced(secret, sep)}"`);
        expect(out.replaceAll(sep, '')).not.toContain(secret.slice(12, 28));
        expect(out, sep).toMatch(/^Server said: "\S+…\S+"$/);
      }
    // An escaped character that hides no key stays as it was.
    expect(known.redact('a\\u200bb and \\u4e2d')).toBe('a\\u200bb and \\u4e2d');
  });

  it('text with such characters and no key keeps them as they are', () => {
    for (const text of ['zero\u200bwidth in a word', 'ｆｕｌｌｗｉｄｔｈ words', 'a soft\u00adhyphen', 'ms\u200b-short'])
      expect(known.redact(text)).toBe(text);
  });
});
