// Start-up trick: dist/run.cjs in ASCII only, opened by a line naming its build. Applied by scripts/build.mjs.
//
// V8 keeps a source that holds one character past Latin-1 as two-byte text: the whole 0.5 MB bundle is
// then decoded from UTF-8, held at twice the size and scanned as UTF-16, for a few regular expressions
// with "…", "✗" or Chinese in them (esbuild escapes such characters in strings, not in regex literals).
// Escaped, Node 20 reads and compiles the bundle in ~12 ms instead of ~18 ms here.
// The build line (`// build <16 hex digits>`, a hash of the rest) names the bundle for the code cache
// bin/apidoctor.js keeps on Node 20.
import { createHash } from 'node:crypto';

/**
 * `code` with every non-ASCII character written as a \u escape, which means the same in a string, a
 * template, a regular expression (with or without the u flag: an astral character becomes its surrogate
 * pair) and an identifier (none here is astral). A character that was itself escaped (`/\…/`) loses its backslash.
 */
export function asciiOnly(code) {
  // eslint-disable-next-line no-control-regex -- the ASCII range is written from \x00
  const out = code.replace(/(\\*)([^\x00-\x7f])/gu, (_, slashes, ch) => {
    const units = ch.length === 2 ? [ch.charCodeAt(0), ch.charCodeAt(1)] : [ch.charCodeAt(0)];
    const escaped = units.map((u) => `\\u${u.toString(16).padStart(4, '0')}`).join('');
    return (slashes.length % 2 ? slashes.slice(1) : slashes) + escaped;
  });
  // eslint-disable-next-line no-control-regex -- as above
  if (/[^\x00-\x7f]/.test(out)) throw new Error('build: the bundle is not ASCII after escaping');
  return out;
}

/** The bundle opened by its build line. */
export function withBuildLine(code) {
  const id = createHash('sha256').update(code).digest('hex').slice(0, 16);
  return `// build ${id}\n${code}`;
}
