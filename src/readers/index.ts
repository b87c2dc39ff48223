/**
 * The one entry from outside text to the engine: a text (an SDK exception, an app's error line, a JSON
 * body, a curl dump, a HAR file) becomes a Failure plus where each fact was read from.
 *
 * This is the seam between the text readers (issue 12, which owns this folder and replaces the body of
 * readErrorText) and the log scanner (issue 13, src/logs/, which calls both functions below per error).
 * Keep the two signatures stable.
 */
import type { Failure } from '../types.js';
import { parseSavedResponse, readSaved } from '../diagnosis/failure.js';

/** What one error text said, ready for diagnose(). */
export interface TextReading {
  /** Facts only; `failure.status` may be undefined when the text gave none. */
  failure: Failure;
  /** False when the text is a success answer (a 200 with a healthy body): nothing to diagnose. */
  isError: boolean;
  /** Where each fact came from, for the user ("status 429 from `Error code: 429`"). Empty when obvious. */
  sources: string[];
}

/** Reads one error text. Never throws; bounded in time for any input (linear in its length). */
export function readErrorText(text: string, opts: { status?: number; headers?: Record<string, string> } = {}): TextReading {
  const saved = parseSavedResponse(text, { status: opts.status });
  Object.assign(saved.headers, opts.headers ?? {});
  const read = readSaved(saved);
  return { failure: read.failure, isError: !read.healthy, sources: [] };
}

const ERROR_WORDS =
  /\b(?:error|exception|failed|failure|refused|denied|forbidden|unauthori[sz]ed|timed? ?out|rate.?limit|quota|insufficient|overloaded|unavailable|E[A-Z]{4,}|UND_ERR_\w+|[45]\d\d)\b/i;

/** A cheap test for the log scanner: does this line look like (part of) an API error? */
export function looksLikeError(line: string): boolean {
  return ERROR_WORDS.test(line.slice(0, 4096));
}
