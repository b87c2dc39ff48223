/**
 * The one builder of a Failure. Every source of an error (the client's answer, a saved response, a reader's text,
 * a doctor socket check, a stream `call` judged broken) makes its Failure here, from transport facts: status,
 * headers, body and its size, network code, method, endpoint, host, attempts. What a reader or command adds
 * (a success body that is not what the API promises, the vendor a text named) is passed apart, as notes.
 */
import type { Attempt, Failure, FailureNotes, TransportFacts } from '../core/types.js';

/** Header names lower-cased (the form every reader of a Failure expects); non-string values dropped. */
export function lowerHeaders(headers: Record<string, string> | undefined): Record<string, string> {
  // Already so: the same object, which keeps its body's reading (parseBody) with it.
  if (headers && Object.entries(headers).every(([k, v]) => typeof v === 'string' && k === k.toLowerCase())) return headers;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers ?? {})) if (typeof v === 'string') out[k.toLowerCase()] = v;
  return out;
}

/** A Failure from transport facts, and what the caller noted about it. Header names come out lower-cased. */
export function toFailure(facts: Omit<TransportFacts, 'attempts'> & { attempts?: Attempt[] }, notes: FailureNotes = {}): Failure {
  const f: Failure = { ...facts, ...notes, attempts: facts.attempts ?? [] };
  f.headers = lowerHeaders(facts.headers);
  return f;
}
