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

/**
 * The bundle as a module that is also a script whose value is the module's function: required, it runs
 * as any CommonJS module (the arrow takes `this` and `arguments` from Node's own wrapper); compiled as a
 * script (bin/apidoctor.js on Node 20, with its code cache), `arguments` is not defined at the top and
 * the script's value is the function, called with the module's five arguments. So that launcher need
 * not wrap the 0.4 MB source itself (Module.wrap): V8 would copy the joined string once more before
 * compiling it, ~480 kB of memory the process never touched (~1.5 ms here), and young memory that brings
 * the first garbage collection before doctor's first request. The function is parenthesised, so V8
 * compiles it at once, as it does Node's own wrapper.
 */
export function asModuleFunction(code) {
  // bin/apidoctor.js checks for this opening (MODULE_FUNCTION) before it compiles the bundle this way.
  return `(typeof arguments === 'object' ? (f) => f.apply(this, arguments) : (f) => f)((function (exports, require, module, __filename, __dirname) {${code}\n}));\n`;
}
