/**
 * Errors counted by diagnosis: count, first and last seen, one example, the models they name; the
 * groups in the order a person should read them (most frequent first; ties in doctor's order: config →
 * network → auth → balance → rate limit → server → the rest), and what the log shows as a whole.
 */
import type { Category, Diagnosis } from '../core/types.js';
import { redactor } from '../core/redact.js';
import type { LogError } from './scan.js';
import type { Stamp } from './timestamps.js';

/** Doctor's order of the classes, for ties. */
const CATEGORY_ORDER: readonly Category[] = [
  'config',
  'network',
  'timeout',
  'auth',
  'balance',
  'rate_limit',
  'server',
  'unexpected_response',
  'failed',
];

/** Examples are cut to this many characters (after redaction, so no cut can leave part of a key). */
export const EXAMPLE_CHARS = 300;
const MAX_MODELS = 20;

export interface Group {
  id: string;
  category: Category;
  count: number;
  first?: Stamp;
  last?: Stamp;
  firstLine: number;
  lastLine: number;
  example: string;
  /** The first error's diagnosis. */
  diagnosis: Diagnosis;
  /** How many of the errors named each model (at most MAX_MODELS names), and how many named none or another. */
  models: Map<string, number>;
  otherModels: number;
}

/** Control characters and bidi controls as visible escapes: an example is text apidoctor did not write. */
export function visible(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, (c) => {
    const n = c.charCodeAt(0);
    return n < 0x100 ? `\\x${n.toString(16).padStart(2, '0')}` : `\\u${n.toString(16).padStart(4, '0')}`;
  });
}

/** An example as it may be shown: redacted whole, then made visible, one line, then cut. */
export function safeExample(text: string): string {
  const one = redactor.redact(text.length > 4 * EXAMPLE_CHARS ? text.slice(0, 4 * EXAMPLE_CHARS) : text);
  const flat = visible(
    one
      .replace(/\r?\n|\t/g, ' ')
      .replace(/ {2,}/g, ' ')
      .trim(),
  );
  return flat.length > EXAMPLE_CHARS ? `${flat.slice(0, EXAMPLE_CHARS - 1)}…` : flat;
}

export class GroupTable {
  readonly groups = new Map<string, Group>();
  errors = 0;
  /** The run of errors of one id at the end of the log so far. */
  private run: { id: string; count: number; line: number; time?: Stamp } | undefined;
  /** Errors of the run's id before the run began. */
  private runIdBefore = 0;

  add(e: LogError): Group {
    this.errors++;
    const d = e.diagnosis;
    let g = this.groups.get(d.id);
    if (!g) {
      g = {
        id: d.id,
        category: d.category,
        count: 0,
        firstLine: e.line,
        lastLine: e.line,
        example: safeExample(e.example),
        diagnosis: d,
        models: new Map(),
        otherModels: 0,
      };
      this.groups.set(d.id, g);
    }
    g.count++;
    g.lastLine = e.line;
    if (e.time) {
      if (!g.first || e.time.ms < g.first.ms) g.first = e.time;
      if (!g.last || e.time.ms >= g.last.ms) g.last = e.time;
    }
    if (e.model !== undefined && (g.models.has(e.model) || g.models.size < MAX_MODELS))
      g.models.set(e.model, (g.models.get(e.model) ?? 0) + 1);
    else g.otherModels++;
    if (this.run?.id === d.id) this.run.count++;
    else {
      this.runIdBefore = g.count - 1;
      this.run = { id: d.id, count: 1, line: e.line, time: e.time };
    }
    return g;
  }

  /** The groups, most frequent first; ties in doctor's order, then by first appearance. */
  ordered(): Group[] {
    const rank = (c: Category) => {
      const i = CATEGORY_ORDER.indexOf(c);
      return i === -1 ? CATEGORY_ORDER.length : i;
    };
    return [...this.groups.values()].sort((a, b) => b.count - a.count || rank(a.category) - rank(b.category) || a.firstLine - b.firstLine);
  }

  /** What the counts and times show about the log as a whole: only what it shows. */
  patterns(): string[] {
    const out: string[] = [];
    const groups = this.ordered();
    const when = (t: Stamp | undefined, line: number) => (t ? `${shortTime(t)} (line ${fmt(line)})` : `line ${fmt(line)}`);
    if (groups.length === 1 && this.errors >= 2) {
      const g = groups[0]!;
      const span = g.first && g.last && g.last.ms > g.first.ms ? `, from ${shortTime(g.first)} to ${shortTime(g.last)}` : '';
      out.push(`All ${fmt(this.errors)} errors have one cause: ${g.id}${span}.`);
    } else if (this.run && groups.length > 1) {
      const before = this.errors - this.run.count;
      if (this.run.count >= 3 && (this.runIdBefore === 0 || this.run.count >= before)) {
        const others = groups
          .map((g) => ({ id: g.id, n: g.id === this.run!.id ? g.count - this.run!.count : g.count }))
          .filter((x) => x.n > 0)
          .slice(0, 3)
          .map((x) => `${fmt(x.n)} ${x.id}`);
        const fresh = this.runIdBefore === 0 ? `; it had not occurred before` : '';
        out.push(
          `Since ${when(this.run.time, this.run.line)}, every error is ${this.run.id} (${fmt(this.run.count)} in a row, to the end${fresh}). Before that: ${others.join(', ')}${groups.length > 4 ? ', …' : ''}.`,
        );
      }
    }
    const server = groups.filter((g) => g.category === 'server');
    const serverCount = server.reduce((s, g) => s + g.count, 0);
    if (serverCount >= 2) {
      const names = new Map<string, number>();
      let unnamed = 0;
      for (const g of server) {
        unnamed += g.otherModels;
        for (const [m, n] of g.models) names.set(m, (names.get(m) ?? 0) + n);
      }
      if (unnamed === 0 && names.size === 1) {
        const [model] = [...names.keys()];
        out.push(
          `All ${fmt(serverCount)} server errors name one model: ${visible(redactor.redact(model!))}. Another model may answer while it fails.`,
        );
      }
    }
    return out;
  }
}

/** 1,234 */
export function fmt(n: number): string {
  return n.toLocaleString('en-US');
}

/** "2024-05-01 12:00:03" (with " UTC" when the log gave the zone). */
export function shortTime(t: Stamp): string {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})/.exec(t.iso);
  return m ? `${m[1]} ${m[2]}${t.iso.endsWith('Z') ? ' UTC' : ''}` : t.iso;
}
