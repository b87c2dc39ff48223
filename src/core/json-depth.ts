/**
 * JSON.parse with bounds on nesting and on the number of objects and arrays. V8 parses any depth,
 * keeping a frame a level: a hostile body of 16 MiB of `[` costs hundreds of MiB before it fails, and a
 * closed one builds millions of arrays that every walker would then recurse through. And a flat body of
 * small objects (`[{},{},…]`, 4 MiB: 1.3 million objects) costs ~100 bytes of heap an object: 200 MiB
 * for 4 MiB, 700 MiB for 16 MiB, past the 150 MiB apidoctor promises for any answer. No API answer comes
 * near either bound (a key list read as JSON is the largest, ~1 container per 100 bytes; GET /api/keys
 * is read by its own scanner, src/api/key-list.ts). A text past a bound is refused with JsonTooComplex,
 * a SyntaxError, so that every caller that reads malformed JSON as text does so; a caller that wants to
 * say "too large" rather than "not JSON" checks for the class. One linear pass, strings skipped.
 */

export const MAX_JSON_DEPTH = 256;
export const MAX_JSON_CONTAINERS = 300_000;

/** A JSON text past a bound: nested deeper than MAX_JSON_DEPTH, or holding more than MAX_JSON_CONTAINERS objects and arrays. */
export class JsonTooComplex extends SyntaxError {
  constructor(readonly bound: 'depth' | 'containers') {
    super(
      bound === 'depth'
        ? `JSON nested deeper than ${MAX_JSON_DEPTH} levels`
        : `JSON with more than ${MAX_JSON_CONTAINERS.toLocaleString('en-US')} objects and arrays`,
    );
  }
}

/** Which bound a JSON text passes (outside its strings), if any. */
export function jsonBoundPassed(
  text: string,
  maxDepth = MAX_JSON_DEPTH,
  maxContainers = MAX_JSON_CONTAINERS,
): 'depth' | 'containers' | undefined {
  // A text with fewer brackets than the depth bound cannot exceed it, nor (two characters each) the count: most texts stop here.
  if (text.length <= maxDepth) return undefined;
  const countAlso = text.length > 2 * maxContainers;
  let depth = 0;
  let containers = 0;
  for (let i = 0, n = text.length; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 34 /* " */) {
      // to the closing quote, minding backslashes (an unclosed string ends the text)
      for (i++; i < n; i++) {
        const d = text.charCodeAt(i);
        if (d === 92 /* \ */) i++;
        else if (d === 34) break;
      }
    } else if (c === 123 /* { */ || c === 91 /* [ */) {
      if (++depth > maxDepth) return 'depth';
      if (countAlso && ++containers > maxContainers) return 'containers';
    } else if (c === 125 /* } */ || c === 93 /* ] */) depth--;
  }
  return undefined;
}

/** JSON.parse, throwing JsonTooComplex (a SyntaxError, as for malformed JSON) for a text past a bound. */
export function parseJson(text: string): unknown {
  const passed = jsonBoundPassed(text);
  if (passed) throw new JsonTooComplex(passed);
  return JSON.parse(text);
}
