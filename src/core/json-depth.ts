/**
 * JSON.parse with a bound on nesting. V8 parses any depth, keeping a frame a level: a hostile body of
 * 16 MiB of `[` costs hundreds of MiB before it fails, and a closed one builds millions of arrays that
 * every walker would then recurse through. A text nested deeper than MAX_JSON_DEPTH (no API answer is
 * within a hundred levels of it) is refused as malformed, as if it were not JSON: each caller already
 * reads malformed JSON as text. The check is one linear pass over the characters, strings skipped.
 */

export const MAX_JSON_DEPTH = 256;

/** True when the brackets of a JSON text (outside its strings) open deeper than `max`. */
export function jsonTooDeep(text: string, max = MAX_JSON_DEPTH): boolean {
  // a text with fewer brackets than the bound cannot exceed it: most texts stop here
  if (text.length <= max) return false;
  let depth = 0;
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
      if (++depth > max) return true;
    } else if (c === 125 /* } */ || c === 93 /* ] */) depth--;
  }
  return false;
}

/** JSON.parse, throwing a SyntaxError (as for malformed JSON) for a text nested deeper than MAX_JSON_DEPTH. */
export function parseJson(text: string): unknown {
  if (jsonTooDeep(text)) throw new SyntaxError(`JSON nested deeper than ${MAX_JSON_DEPTH} levels`);
  return JSON.parse(text);
}
