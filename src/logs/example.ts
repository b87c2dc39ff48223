/** The line of a record a person recognises the error by, and the model an error names. */
import { speaksOfError } from './detect.js';

const FRAME = /^\s+(?:at |File "|\.\.\.)/;
export const LEADING_STAMP = /^\[?\d{4}[-/]\d{2}[-/]\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2})?\]?\s*/;

/** An exception's own line: `RateLimitError: 429 …`, `com.openai.errors.RateLimitException: …`, `Error: 502 …`. */
export const EXCEPTION_LINE = /^(?:[\w$]+\.)*[\w$]*(?:Error|Exception)\b:?\s/;

/**
 * A Python traceback is known by its last line (the exception); anything else by its first line that
 * is an exception's (`SomethingError: …`), or else speaks of an error and is not a stack frame. The leading timestamp is dropped (the time is shown apart).
 */
export function exampleOf(lines: readonly string[]): string {
  let pick: string | undefined;
  if (lines.some((l) => l.includes('Traceback (most recent call last):'))) {
    for (let i = lines.length - 1; i >= 0 && pick === undefined; i--) {
      const l = lines[i]!;
      if (
        l !== '' &&
        !/^\s/.test(l) &&
        !l.includes('Traceback (most recent call last):') &&
        !/^(?:During handling|The above exception)/.test(l)
      )
        pick = l;
    }
  }
  pick ??= lines.find((l) => EXCEPTION_LINE.test(l)) ?? lines.find((l) => !FRAME.test(l) && speaksOfError(l)) ?? lines[0] ?? '';
  return pick.replace(LEADING_STAMP, '').trim();
}

const MODEL_PATTERNS: readonly RegExp[] = [
  /"model"\s*:\s*"([^"\s]{2,100})"/,
  /'model'\s*:\s*'([^'\s]{2,100})'/,
  /\bmodel[ _-]?(?:id|name)?\s*[:=]\s*["'`]?([\w./:@-]{2,100})/i,
  /\bmodel\s+["'`]([^"'`\s]{2,100})["'`]/i,
  /\bfor model\s+["'`]?([\w./:@-]{2,100})/i,
  /\bmodels\/([\w.-]{2,100})/,
];

/** The model an error text names (`"model": "gpt-4o"`, `model 'x'`, `for model x`, `models/x`), if any. */
export function modelNamedIn(text: string): string | undefined {
  const t = text.length > 16_384 ? text.slice(0, 16_384) : text;
  for (const re of MODEL_PATTERNS) {
    const m = re.exec(t);
    if (m) return m[1]!.replace(/[.,;:)\]}'"`]+$/, '');
  }
  return undefined;
}
