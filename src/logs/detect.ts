/**
 * Which lines of a log speak of an error. The seam's looksLikeError() is the word test; on top of it:
 * a bare number such as `took 512 ms` is not a status unless something says it is one (`HTTP/1.1 429`,
 * `status: 429`, `429 Too Many Requests`), and a line logged at INFO or DEBUG counts only with a strong
 * sign (a status in such a context, an exception class, a transport error name).
 */
import { looksLikeError } from '../readers/index.js';
import type { Level } from './jsonlog.js';

const BARE_STATUS = /\b[45]\d\d\b/g;
const STATUS_CONTEXT =
  /\bHTTP\/\d(?:\.\d)?"?\s+[45]\d\d\b|\bstatus(?:[ _-]?code)?["']?\s*[:=]?\s*["']?[45]\d\d\b|\bcode["']?\s*[:=]\s*["']?[45]\d\d\b|\b[45]\d\d\s+[A-Z][a-z]+|\[[45]\d\d\]|"\s+[45]\d\d\s+(?:\d+|-)/i;
const STRONG_ANY = /HTTP\/|tatus|TATUS|Error|Exception|E[A-Z]{4}|UND_ERR_/;
const STRONG_HTTP = /\bHTTP\/\d(?:\.\d)?"?\s+[45]\d\d\b/;
const STRONG_STATUS = /\bstatus(?:[ _-]?code)?["']?\s*[:=]?\s*["']?[45]\d\d\b/i;
const STRONG_CLASS = /\b[A-Z]\w*(?:Error|Exception)\b/;
const STRONG_NET = /\bE[A-Z]{4,}\b|\bUND_ERR_\w/;

/** The word test, without counting a bare number as a status. */
export function speaksOfError(line: string): boolean {
  return looksLikeError(line) && notOnlyNumbers(line);
}

/** For a line the word test passed: true unless only a bare number made it pass. */
export function notOnlyNumbers(line: string): boolean {
  BARE_STATUS.lastIndex = 0;
  if (!BARE_STATUS.test(line)) return true;
  const head = line.length > 4096 ? line.slice(0, 4096) : line;
  return looksLikeError(head.replace(BARE_STATUS, ' ')) || STATUS_CONTEXT.test(head);
}

/** A sign strong enough to count on a line logged at INFO or DEBUG. */
export function strongSign(line: string): boolean {
  const l = line.length > 4096 ? line.slice(0, 4096) : line;
  // one pass for the fixed parts rules out most INFO lines; then the pattern of the part found
  if (!STRONG_ANY.test(l)) return false;
  return STRONG_HTTP.test(l) || STRONG_STATUS.test(l) || STRONG_CLASS.test(l) || STRONG_NET.test(l);
}

const PLAIN_LEVEL =
  /(?:^|[\s[(|:=<])(TRACE|DEBUG|INFO|NOTICE|WARN|WARNING|ERROR|ERR|FATAL|CRITICAL|CRIT|SEVERE|PANIC|trace|debug|info|notice|warn|warning|error|fatal|critical)(?=[\s\]):|,>]|$)/;
const GLOG = /^([IWEF])\d{4} \d{2}:\d{2}/;

/** The level a plain log line is written at (in its first 100 characters), if it says. */
export function levelOfLine(line: string): Level | undefined {
  const head = line.length > 100 ? line.slice(0, 100) : line;
  const g = GLOG.exec(head);
  if (g) return g[1] === 'I' ? 'info' : g[1] === 'W' ? 'warn' : 'error';
  const m = PLAIN_LEVEL.exec(head);
  if (!m) return undefined;
  const s = m[1]!.toLowerCase();
  return s === 'trace' || s === 'debug' ? 'debug' : s === 'info' || s === 'notice' ? 'info' : s.startsWith('warn') ? 'warn' : 'error';
}
