/**
 * A tolerant reader for the object literals clients print: JSON, Python repr ('single quotes', None,
 * True), Node's util.inspect ({ error: { message: '…' } }, [Object], <ref *1>), Ruby hashes
 * ("error"=>…, :sym=>…), Rust Debug (ApiError { message: "…", r#type: Some("…") }) and Go's
 * map[key:value …]. Best effort: what cannot be read is skipped, nothing throws past parseLoose, and
 * the work is linear in the input (every step consumes at least one character; nesting is capped).
 */
import { parseJson } from '../core/json-depth.js';

type Value = null | boolean | number | string | Value[] | { [k: string]: Value };

const MAX_DEPTH = 64;

class Reader {
  pos = 0;
  constructor(readonly s: string) {}

  ws(): void {
    const s = this.s;
    while (this.pos < s.length) {
      const c = s.charCodeAt(this.pos);
      if (c === 32 || c === 9 || c === 10 || c === 13) this.pos++;
      else break;
    }
  }

  peek(): string {
    return this.s[this.pos] ?? '';
  }

  value(depth: number): Value | undefined {
    this.ws();
    if (depth > MAX_DEPTH) throw new Error('too deep');
    const s = this.s;
    const c = this.peek();
    if (c === '{') return this.object(depth, '}');
    if (c === '[') return this.array(depth);
    if (c === '"' || c === "'" || c === '`') return this.string();
    if (s.startsWith('map[', this.pos)) {
      this.pos += 4;
      return this.goMap(depth);
    }
    if (s.startsWith('<ref *', this.pos)) {
      // util.inspect's "<ref *1> { … }"
      const end = s.indexOf('>', this.pos);
      this.pos = end === -1 ? s.length : end + 1;
      return this.value(depth + 1);
    }
    const num = /^-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(s.slice(this.pos, this.pos + 40));
    if (num) {
      this.pos += num[0].length;
      return Number(num[0]);
    }
    // a word: null, None, nil, true, True, a Ruby :symbol, or a constructor/struct name before { ( [
    const word = /^:?[A-Za-z_$][\w$.:#]*/.exec(s.slice(this.pos, this.pos + 200));
    if (word) {
      this.pos += word[0].length;
      const w = word[0];
      if (/^(null|None|nil|undefined|NULL)$/.test(w)) return null;
      if (/^(true|True)$/.test(w)) return true;
      if (/^(false|False)$/.test(w)) return false;
      this.ws();
      const next = this.peek();
      if (next === '{') return this.object(depth + 1, '}');
      if (next === '(') {
        // Some("x"), Ok(…), Symbol(foo), Headers(…): the value inside
        this.pos++;
        const inner = this.value(depth + 1);
        this.skipTo(')', depth);
        return inner === undefined ? null : inner;
      }
      return w.startsWith(':') ? w.slice(1) : w;
    }
    return undefined;
  }

  /** Skips to just after `close` at this depth (or to a separator/closer of the enclosing level). */
  skipTo(close: string, depth: number): void {
    const s = this.s;
    let level = 0;
    while (this.pos < s.length) {
      const c = s[this.pos]!;
      if (c === '"' || c === "'" || c === '`') {
        this.string();
        continue;
      }
      if (c === '{' || c === '[' || c === '(') level++;
      else if (c === '}' || c === ']' || c === ')') {
        if (level === 0) {
          if (c === close) this.pos++;
          return;
        }
        level--;
      }
      this.pos++;
    }
    void depth;
  }

  string(): string {
    const s = this.s;
    const q = s[this.pos]!;
    this.pos++;
    const stop = q === '"' ? /["\\]/g : q === "'" ? /['\\]/g : /[`\\]/g;
    let out = '';
    for (;;) {
      stop.lastIndex = this.pos;
      const m = stop.exec(s);
      if (!m) {
        out += s.slice(this.pos);
        this.pos = s.length;
        return out;
      }
      out += s.slice(this.pos, m.index);
      this.pos = m.index + 1;
      if (m[0] === q) return out;
      // an escape
      const e = s[this.pos] ?? '';
      this.pos++;
      if (e === 'n') out += '\n';
      else if (e === 't') out += '\t';
      else if (e === 'r') out += '\r';
      else if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(s.slice(this.pos, this.pos + 4))) {
        out += String.fromCharCode(parseInt(s.slice(this.pos, this.pos + 4), 16));
        this.pos += 4;
      } else if (e === 'x' && /^[0-9a-fA-F]{2}$/.test(s.slice(this.pos, this.pos + 2))) {
        out += String.fromCharCode(parseInt(s.slice(this.pos, this.pos + 2), 16));
        this.pos += 2;
      } else out += e;
    }
  }

  key(): string | undefined {
    this.ws();
    const c = this.peek();
    if (c === '"' || c === "'" || c === '`') return this.string();
    const m = /^:?(?:r#)?([A-Za-z_$][\w$-]*|\d+)/.exec(this.s.slice(this.pos, this.pos + 200));
    if (!m) return undefined;
    this.pos += m[0].length;
    return m[1];
  }

  /** After a key: ':', '=>', '=' (Python kwargs-like reprs), or ': ' … */
  sep(): boolean {
    this.ws();
    const s = this.s;
    if (s.startsWith('=>', this.pos)) this.pos += 2;
    else if (s[this.pos] === ':' || s[this.pos] === '=') this.pos++;
    else return false;
    return true;
  }

  object(depth: number, close: string): { [k: string]: Value } {
    this.pos++; // the opener
    const out: { [k: string]: Value } = {};
    for (let guard = 0; this.pos < this.s.length && guard < 100_000; guard++) {
      this.ws();
      const c = this.peek();
      if (c === close) {
        this.pos++;
        return out;
      }
      if (c === ',') {
        this.pos++;
        continue;
      }
      const start = this.pos;
      const k = this.key();
      if (k !== undefined && this.sep()) {
        const v = this.value(depth + 1);
        if (v !== undefined && !(k in out)) out[k] = v;
      }
      if (this.pos === start) this.pos++;
      // anything unread up to the next ',' or the closer at this level ("... 3 more items", "[Symbol(x)]")
      this.ws();
      const n = this.peek();
      if (n !== ',' && n !== close && this.pos < this.s.length) this.skipItem(close);
    }
    return out;
  }

  /** Skips one unreadable item: up to the next ',' or `close` at this nesting level. */
  skipItem(close: string): void {
    const s = this.s;
    let level = 0;
    while (this.pos < s.length) {
      const c = s[this.pos]!;
      if (c === '"' || c === "'" || c === '`') {
        this.string();
        continue;
      }
      if (level === 0 && (c === ',' || c === close)) return;
      if (c === '{' || c === '[' || c === '(') level++;
      else if (c === '}' || c === ']' || c === ')') {
        if (level === 0) return;
        level--;
      }
      this.pos++;
    }
  }

  array(depth: number): Value[] {
    this.pos++;
    const out: Value[] = [];
    for (let guard = 0; this.pos < this.s.length && guard < 100_000; guard++) {
      this.ws();
      const c = this.peek();
      if (c === ']') {
        this.pos++;
        return out;
      }
      if (c === ',') {
        this.pos++;
        continue;
      }
      const start = this.pos;
      const v = this.value(depth + 1);
      if (v !== undefined) out.push(v);
      if (this.pos === start) this.pos++;
      this.ws();
      const n = this.peek();
      if (n !== ',' && n !== ']' && this.pos < this.s.length) this.skipItem(']');
    }
    return out;
  }

  /** Go's fmt of a map: map[code:429 message:You exceeded … type:insufficient_quota] (values may hold spaces). */
  goMap(depth: number): { [k: string]: Value } {
    const s = this.s;
    const out: { [k: string]: Value } = {};
    for (let guard = 0; this.pos < s.length && guard < 100_000; guard++) {
      this.ws();
      if (this.peek() === ']') {
        this.pos++;
        return out;
      }
      const m = /^([\w$.-]+):/.exec(s.slice(this.pos, this.pos + 200));
      if (!m) {
        this.pos++;
        continue;
      }
      this.pos += m[0].length;
      const key = m[1]!;
      if (s.startsWith('map[', this.pos)) {
        this.pos += 4;
        out[key] = this.goMap(depth + 1);
        continue;
      }
      if (s.startsWith('<nil>', this.pos)) {
        this.pos += 5;
        out[key] = null;
        continue;
      }
      // a scalar runs to the next " key:" or the closing "]"
      const rest = s.slice(this.pos, this.pos + 8192);
      const stop = /\s[\w$.-]+:(?!\/\/)|\]/.exec(rest);
      const raw = (stop ? rest.slice(0, stop.index) : rest).trim();
      this.pos += stop ? stop.index : rest.length;
      out[key] = /^-?\d+(\.\d+)?$/.test(raw) ? Number(raw) : raw === 'true' ? true : raw === 'false' ? false : raw;
    }
    return out;
  }
}

/** Reads one literal starting at `text[0]` ('{', '[' or 'map['), or undefined when nothing readable is there. */
export function parseLoose(text: string): Value | undefined {
  try {
    return parseJson(text) as Value;
  } catch {
    // not JSON: the tolerant reader below
  }
  try {
    return new Reader(text).value(0);
  } catch {
    return undefined;
  }
}

export type { Value as LooseValue };
