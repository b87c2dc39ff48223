/**
 * `keys` reads GET /api/keys into columns (src/api/key-list.ts) rather than through JSON.parse: whatever the
 * answer, the keys it lists, their dates and the JSON it prints must be exactly what the general path gives.
 */
import { describe, expect, it } from 'vitest';
import { toKeyRecords } from '../../src/api/account.js';
import { keyListFrom } from '../../src/api/key-list.js';
import { KeyListScanner, scanKeyList } from '../../src/api/key-list-scan.js';
import { canonicalTime, dayText, isoText } from '../../src/api/key-time.js';
import { keyView, listView, listViewJson } from '../../src/render/keys.js';
import { JsonArrayStream, Output } from '../../src/render/output.js';

const NOW = Date.parse('2026-06-01T00:00:00.000Z');

/** What the general path makes of a body: JSON.parse, toKeyRecords, views. */
function viaParse(body: string) {
  return toKeyRecords(JSON.parse(body)).map((r) => keyView(r, false, NOW));
}

function viaScan(body: string) {
  const list = scanKeyList(body);
  expect(list, 'the scanner reads this body').toBeDefined();
  return Array.from({ length: list!.length }, (_, i) => listView(list!, i, NOW));
}

describe('scanKeyList reads what JSON.parse reads', () => {
  const bodies: Record<string, string> = {
    plain:
      '{"keys":[{"id":1,"name":"Production","prefix":"ms-abc1xxxx","active":true,"createdAt":"2026-01-31T12:00:00.000Z","expiresAt":"2026-06-11T00:00:00.000Z"}]}',
    'snake case, spaces, other members':
      ' {\n "total": 2, "keys" : [ {"id":"7", "name":null, "prefix":"ms-x", "active":false, "created_at":"2025-12-01", "expires_at":"2026-05-31T23:00:00Z"} , {"id":8,"active":0} ], "next": null }\n',
    'escapes in a name': '{"keys":[{"id":3,"name":"a \\"quoted\\" \\\\ name \\u00e9\\n","prefix":"ms-q","active":true}]}',
    'no id: left out, as toKeyRecords does': '{"keys":[{"name":"no id"},{"id":2,"prefix":"ms-two"}]}',
    'a field given twice: the last wins': '{"keys":[{"id":1,"id":5,"active":true,"active":false}]}',
    'dates of every kind':
      '{"keys":[{"id":1,"createdAt":"2024-02-29T00:00:00.000Z","expiresAt":"2026-02-30T00:00:00.000Z"},{"id":2,"createdAt":"not a date","expiresAt":"1999-12-31T23:59:59.999Z"},{"id":3,"createdAt":"2026-06-01T00:00:00+02:00"}]}',
    'an empty list': '{"keys":[]}',
    numbers: '{"keys":[{"id":1e2,"active":true},{"id":-0.5}]}',
  };
  for (const [what, body] of Object.entries(bodies)) {
    it(what, () => {
      expect(viaScan(body)).toEqual(viaParse(body));
    });
  }

  it('a nested value, a body that is not JSON or not a key list: undefined (JSON.parse then says what is wrong)', () => {
    for (const body of [
      '{"keys":[{"id":1,"meta":{"a":1}}]}',
      '{"keys":[1,2]}',
      '{"keys":[{"id":1}]',
      '{"keys":[{"id":1}]} x',
      '{"keys":[{"id":01}]}',
      '{"keys":[{"id":1,}]}',
      '{"data":[]}',
      '[]',
      '',
      '{"keys":[{"id":1,"name":"a\u0001b"}]}',
      '{"keys":[],"keys":[]}',
    ]) {
      expect(scanKeyList(body), body).toBeUndefined();
    }
  });

  it('the general path gives the same list from a parsed document', () => {
    const body = bodies['snake case, spaces, other members']!;
    const list = keyListFrom(JSON.parse(body));
    expect(Array.from({ length: list.length }, (_, i) => listView(list, i, NOW))).toEqual(viaParse(body));
  });
});

describe('times without a Date', () => {
  it('canonicalTime takes only what toISOString writes, and isoText gives it back', () => {
    for (const t of [
      0,
      Date.parse('2024-02-29T23:59:59.999Z'),
      Date.parse('1900-03-01T00:00:00.000Z'),
      Date.parse('9999-12-31T00:00:00.000Z'),
      NOW + 123_456_789,
    ]) {
      const iso = new Date(t).toISOString();
      expect(canonicalTime(iso)).toBe(t);
      expect(isoText(t)).toBe(iso);
      expect(dayText(t)).toBe(iso.slice(0, 10));
    }
    for (const s of [
      '2026-02-30T00:00:00.000Z',
      '2025-02-29T00:00:00.000Z',
      '2026-01-01T24:00:00.000Z',
      '2026-01-01T00:00:00Z',
      '2026-01-01',
      '2026-13-01T00:00:00.000Z',
      '2026-01-01T00:00:00.000+',
      '2026-0a-01T00:00:00.000Z',
    ]) {
      expect(canonicalTime(s), s).toBeUndefined();
    }
  });
});

describe('times read from the bytes of an answer', () => {
  it('a time the scanner reads is exactly one canonicalTime reads: every character of a canonical one changed in turn', () => {
    const base = '2024-02-29T23:59:59.999Z';
    const texts = [base, '2025-02-28T00:00:00.000Z', '2000-02-29T12:00:00.000Z', '1900-02-29T12:00:00.000Z', '2026-04-31T00:00:00.000Z'];
    for (let k = 0; k < base.length; k++) for (const c of '09/:-.TZa ') texts.push(base.slice(0, k) + c + base.slice(k + 1));
    texts.push(base.slice(1), `${base}0`);
    for (const text of texts) {
      const list = scanKeyList(`{"keys":[{"id":1,"createdAt":"${text}"}]}`)!;
      const t = canonicalTime(text);
      // A canonical time is kept as its milliseconds; any other text as it came (then its ms are +Infinity).
      expect(list.createdMs(0), text).toBe(t ?? Infinity);
      expect(list.createdAt(0), text).toBe(text);
    }
  });
});

describe('keys --json written piece by piece', () => {
  it('the document is the one JSON.stringify writes of the views', () => {
    const body =
      '{"keys":[' +
      Array.from(
        { length: 2500 },
        (_, i) =>
          `{"id":${i + 1},"name":"k\\"${i}","prefix":"ms-p${i}","active":${i % 3 !== 0},"createdAt":"2026-01-0${(i % 9) + 1}T00:00:00.000Z"${i % 2 ? `,"expiresAt":"2026-06-${String((i % 28) + 1).padStart(2, '0')}T06:00:00.000Z"` : ''}}`,
      ).join(',') +
      ']}';
    const list = scanKeyList(body)!;
    list.configured = 4;
    const views = Array.from({ length: list.length }, (_, i) => listView(list, i, NOW));
    let written = '';
    const writes: number[] = [];
    const out = new Output({ write: (t: string) => ((written += t), writes.push(t.length)) }, { write: () => true }, { json: true });
    const doc = {
      schemaVersion: 1,
      keys: new JsonArrayStream(
        list.length,
        (i) => listView(list, i, NOW),
        (i, indent) => listViewJson(list, i, NOW, indent),
      ),
      warnings: [],
    };
    out.jsonDocument(doc);
    expect(written).toBe(JSON.stringify({ schemaVersion: 1, keys: views, warnings: [] }, null, 2) + '\n');
    expect(writes.length).toBeGreaterThan(2);
    // Elsewhere (the library, a compact line) the stream is the whole array.
    expect(JSON.parse(JSON.stringify(doc)).keys).toEqual(JSON.parse(JSON.stringify(views)));
  });

  it('to a reader that is behind, the pieces wait for it (a pipe no longer queues the whole document)', async () => {
    const { EventEmitter } = await import('node:events');
    let written = '';
    let pieces = 0;
    let behind = true;
    // A sink as a pipe's stream is while its reader is behind: over 256 KiB waiting, until it says 'drain'.
    const sink = Object.assign(new EventEmitter(), {
      write: (t: string) => ((written += t), pieces++, true),
      get writableLength() {
        return behind ? 1024 * 1024 : 0;
      },
      destroyed: false,
    });
    const out = new Output(sink, { write: () => true }, { json: true });
    const items = Array.from({ length: 5000 }, (_, i) => ({ id: i + 1 }));
    const done = out.jsonDocument({ keys: new JsonArrayStream(items.length, (i) => items[i]!), n: 1 });
    expect(done).toBeInstanceOf(Promise);
    // The opening and the first piece of 1,024 items are out; the rest waits for the reader.
    const first = pieces;
    expect(written).toContain('"id": 1024');
    expect(written).not.toContain('"id": 1025');
    for (let k = 0; k < 10 && !written.endsWith('}\n'); k++) {
      behind = k % 2 === 0; // the reader catches up, falls behind again
      sink.emit('drain');
      await new Promise((r) => setTimeout(r, 0));
    }
    behind = false;
    sink.emit('drain');
    await done;
    expect(pieces).toBeGreaterThan(first);
    expect(JSON.parse(written)).toEqual({ keys: items, n: 1 });
  });

  it('an empty list is []', () => {
    let written = '';
    const out = new Output({ write: (t: string) => (written += t) }, { write: () => true }, { json: true });
    out.jsonDocument({ keys: new JsonArrayStream(0, () => ({})), n: 1 });
    expect(JSON.parse(written)).toEqual({ keys: [], n: 1 });
  });
});

describe('the answer read as it arrives', () => {
  const body =
    ' {"total": 3, "next": null, "keys" : [' +
    [
      '{"id":1,"name":"Production","prefix":"ms-abc1xxxx","active":true,"createdAt":"2026-01-31T12:00:00.000Z","expiresAt":"2026-06-11T00:00:00.000Z"}',
      '{"id":"7", "name":null, "prefix":"ms-x", "active":false, "created_at":"2025-12-01", "expires_at":"2026-05-31T23:00:00Z"}',
      '{"id":3,"name":"a \\"quoted\\" \\\\ name \\u00e9\\n","prefix":"ms-q","active":true}',
      '{"id":12.5e1,"name":"caf\u00e9 \u2603","prefix":"ms-\u00fc","createdAt":null,"created_at":"2024-02-29T00:00:00.000Z"}',
      '{"name":"no id"}',
    ].join(' , ') +
    '], "more": false}\n';

  it('split anywhere, in pieces of any size, the list is the one read whole', () => {
    const bytes = Buffer.from(body, 'utf8');
    const whole = viaScan(body);
    expect(whole).toEqual(viaParse(body));
    for (const size of [1, 2, 3, 7, 64]) {
      for (let first = 0; first < Math.min(bytes.length, 200); first += size === 1 ? 1 : 13) {
        const scanner = new KeyListScanner();
        scanner.write(bytes.subarray(0, first));
        for (let i = first; i < bytes.length; i += size) scanner.write(bytes.subarray(i, i + size));
        const list = scanner.end();
        expect(list, `pieces of ${size} after ${first}`).toBeDefined();
        expect(Array.from({ length: list!.length }, (_, i) => listView(list!, i, NOW))).toEqual(whole);
      }
    }
  });

  it('a body cut short, or not plain past its first piece, is not a list', () => {
    const bytes = Buffer.from(body, 'utf8');
    const cut = new KeyListScanner();
    cut.write(bytes.subarray(0, bytes.length - 20));
    expect(cut.end()).toBeUndefined();
    const nested = new KeyListScanner();
    expect(nested.write(Buffer.from('{"keys":[{"id":1},'))).toBe(true);
    expect(nested.write(Buffer.from('{"id":2,"meta":{}}]}'))).toBe(false);
    expect(nested.end()).toBeUndefined();
  });
});

describe('the table of a list is the table of its views', () => {
  const records = [
    '{"id":1,"name":"Production","prefix":"ms-abc1xxxx","active":true,"createdAt":"2026-01-31T12:00:00.000Z","expiresAt":"2026-06-11T00:00:00.000Z"}',
    '{"id":22,"name":"a name far longer than the thirty-two columns of NAME","prefix":"ms-b","active":false,"createdAt":"2026-01-31T12:00:00.000Z"}',
    '{"id":333,"name":"ligne\\nbreak \u202e bidi","prefix":"","createdAt":"not a date","expiresAt":"2026-05-31T23:00:00Z"}',
    '{"id":4444,"prefix":"ms-\u00e9t\u00e9","expiresAt":"2026-06-01T12:00:00.000Z"}',
    '{"id":5,"name":"","prefix":"ms-five","expiresAt":"2026-05-01T00:00:00.000Z"}',
    '{"id":1.5,"name":"caf\u00e9","prefix":"ms-six","active":true,"expiresAt":"2026-06-05T00:00:00.000Z"}',
  ];
  it.each([200, 100, 80, 72, 60, 40])('at %i columns, with and without the configured key', async (width) => {
    const { keysTable, writeKeyListTable } = await import('../../src/render/keys-table.js');
    const { PLAIN } = await import('../../src/render/style.js');
    for (const n of [1, 2, 6]) {
      const list = scanKeyList(`{"keys":[${records.slice(0, n).join(',')}]}`)!;
      for (const configured of [-1, 0]) {
        list.configured = configured;
        const views = Array.from({ length: list.length }, (_, i) => listView(list, i, NOW));
        let written = '';
        await writeKeyListTable(list, NOW, PLAIN, 'from MODELSWITCH_API_KEY', width, (t) => (written += t));
        expect(written, `${n} keys, configured ${configured}`).toBe(keysTable(views, PLAIN, 'from MODELSWITCH_API_KEY', width));
      }
    }
  });
});

describe('names in wide scripts', () => {
  it('CJK, Hangul, emoji and combining marks: every column starts at the same screen column on every row', async () => {
    const { keysTable, writeKeyListTable } = await import('../../src/render/keys-table.js');
    const { PLAIN } = await import('../../src/render/style.js');
    const { displayWidth } = await import('../../src/render/layout.js');
    const names = [
      'Production',
      '生产环境',
      '운영 키',
      '🔑 deploy',
      'cafe\u0301 au lait',
      '本番環境のとても長い名前のキーでございますよ本番環境のとても長い',
    ];
    const body = JSON.stringify({
      keys: names.map((name, i) => ({ id: i + 1, name, prefix: `ms-k${i}xxxx`, active: true, createdAt: '2026-01-31T12:00:00.000Z' })),
    });
    const list = scanKeyList(body)!;
    const views = Array.from({ length: list.length }, (_, i) => listView(list, i, NOW));
    for (const width of [200, 80]) {
      let written = '';
      await writeKeyListTable(list, NOW, PLAIN, undefined, width, (t) => (written += t));
      expect(written).toBe(keysTable(views, PLAIN, undefined, width));
      const lines = written.trimEnd().split('\n');
      // Where PREFIX starts, in screen columns: the same on the header and on every row.
      const prefixAt = (line: string) => displayWidth(line.slice(0, line.search(/ms-k\dxxxx|PREFIX/)));
      const col = prefixAt(lines[0]!);
      for (const line of lines.slice(1)) expect(prefixAt(line), line).toBe(col);
      for (const line of lines) expect(displayWidth(line), line).toBeLessThanOrEqual(width);
    }
    // The long name is cut to NAME's 32 columns (16 wide characters at most), not 32 characters.
    expect(
      displayWidth(
        keysTable(views, PLAIN)
          .split('\n')[6]!
          .split(/\s{2,}/)[2]!,
      ),
    ).toBeLessThanOrEqual(32);
  });
});

describe('long names and pieces sent a byte at a time', () => {
  it('names and prefixes of every length and script read as JSON.parse reads them', () => {
    const body = JSON.stringify({
      keys: [
        { id: 1, name: 'a'.repeat(70_000), prefix: 'é'.repeat(30_000), createdAt: '2026-01-31T12:00:00.000Z' },
        { id: 2, name: 'é'.repeat(40_000), prefix: 'ms-\u{1F600}', active: false },
        { id: 3, name: 'z'.repeat(65_535), prefix: 'y'.repeat(65_536) },
        // Past the first MiB of names (they are kept in blocks of 1 MiB).
        ...Array.from({ length: 20_000 }, (_, i) => ({ id: 10 + i, name: `k${i}`.repeat(i % 50), prefix: `ms-${i}` })),
      ],
    });
    expect(viaScan(body)).toEqual(viaParse(body));
  });

  it('a record of 200 KiB sent a byte at a time is read in linear time (ends; the list is right)', () => {
    const body = Buffer.from(JSON.stringify({ keys: [{ id: 1, name: 'n'.repeat(200 * 1024), prefix: 'ms-p' }, { id: 2 }] }));
    const scanner = new KeyListScanner();
    for (let i = 0; i < body.length; i++) scanner.write(body.subarray(i, i + 1));
    const list = scanner.end()!;
    expect(list.length).toBe(2);
    expect(list.name(0)).toBe('n'.repeat(200 * 1024));
    expect(list.id(1)).toBe(2);
  });
});

describe('a long table waits for a slow reader', () => {
  it('past 256 KiB not yet taken by stdout, the table stops writing until stdout drains', async () => {
    const { EventEmitter } = await import('node:events');
    const { writeKeyListTable } = await import('../../src/render/keys-table.js');
    const { PLAIN } = await import('../../src/render/style.js');
    // A pipe whose reader takes nothing until told: what is written stays queued.
    const sink = Object.assign(new EventEmitter(), {
      writableLength: 0,
      written: '',
      write(t: string) {
        sink.written += t;
        sink.writableLength += t.length;
        return true;
      },
    });
    const out = new Output(sink, { write: () => true });
    const list = scanKeyList(`{"keys":[${Array.from({ length: 20_000 }, (_, i) => `{"id":${i + 1},"prefix":"ms-p${i}"}`).join(',')}]}`)!;
    const done = writeKeyListTable(
      list,
      NOW,
      PLAIN,
      undefined,
      80,
      (t) => out.out(t),
      () => out.drained(),
    );
    let finished = false;
    void done.then(() => (finished = true));
    await new Promise((r) => setTimeout(r, 50));
    // Stopped a little past 256 KiB, far from the whole table (~800 KiB).
    expect(finished).toBe(false);
    const held = sink.written.length;
    expect(held).toBeGreaterThan(256 * 1024);
    expect(held).toBeLessThan(400 * 1024);
    // The reader takes everything each time it is asked: the table goes on to its end.
    while (!finished) {
      sink.writableLength = 0;
      sink.emit('drain');
      await new Promise((r) => setTimeout(r, 1));
    }
    const lines = sink.written.trimEnd().split('\n');
    expect(lines).toHaveLength(20_001);
    expect(lines.at(-1)).toMatch(/^\s+20000\s+-\s+ms-p19999\s+active/);
  });
});

describe('names and prefixes are masked before the table measures or cuts them', () => {
  it('plain and non-ASCII rows, name or prefix: the masked cells, every other row untouched', async () => {
    const { maskedCells } = await import('../../src/render/keys-table.js');
    const { Redactor, redactor } = await import('../../src/core/redact.js');
    const key = 'mk-unit0masked0c3d4e5f6a7b8c9d0e1f2g3';
    redactor.add(key);
    const mask = new Redactor();
    mask.add(key);
    const rows = [
      { name: 'Production', prefix: 'ms-abc1xxxx' },
      { name: [...key].reverse().join(''), prefix: 'ms-def2xxxx' }, // plain ASCII, from the bytes
      { name: `clé ${key}`, prefix: 'ms-ghi3xxxx' }, // not ASCII: through strings
      { name: 'Fine', prefix: key }, // a key as the prefix
    ];
    const list = keyListFrom({ keys: rows.map((r, i) => ({ id: i + 1, active: true, ...r })) });
    const m = maskedCells(list);
    expect([...m.keys()]).toEqual([1, 2, 3]);
    expect(m.get(1)!.name).toBe(mask.redact(rows[1]!.name));
    expect(m.get(1)!.name).not.toContain(rows[1]!.name.slice(0, 10));
    expect(m.get(2)!.name).toBe(`clé ${mask.redact(key)}`);
    expect(m.get(3)).toEqual({ name: 'Fine', prefix: mask.redact(key) });
  });
});

describe('"active" said otherwise than with a boolean', () => {
  it('false, 0, "false", "0" and "inactive" are inactive, in the scanner as in the records; anything else is active', () => {
    const values = [false, 0, 'false', 'FALSE', '0', 'inactive', true, 1, 'true', 'yes', null];
    const body = JSON.stringify({ keys: values.map((active, i) => ({ id: i + 1, prefix: `ms-k${i}xxxxxx`, active })) });
    const want = [false, false, false, false, false, false, true, true, true, true, true];
    const scanned = scanKeyList(body)!;
    expect(Array.from({ length: scanned.length }, (_, i) => scanned.active(i))).toEqual(want);
    expect(toKeyRecords(JSON.parse(body)).map((r) => r.active)).toEqual(want);
    // and a record without the field is active
    expect(scanKeyList('{"keys":[{"id":1,"prefix":"ms-k0xxxxxx"}]}')!.active(0)).toBe(true);
  });
});

describe('matchIndex: the key apidoctor is configured with, found by its listed prefix', () => {
  const KEY = 'ms-test0good0key0a1b2c3d4e5f6a7b8c9';
  // The rule as the general path states it: a prefix of 5+ characters, its padding cut, that starts the key.
  const reference = (prefix: string) => prefix.length >= 5 && KEY.startsWith(prefix.replace(/[x*…\u2026.]+$/i, ''));
  const prefixes = [
    'ms-test0goo',
    'ms-test0xxxx',
    'ms-test0XXXX',
    'ms-te...',
    'ms-t**',
    'ms-te',
    'ms-t',
    'xxxxx',
    'MS-TEST0GOO',
    'ms-test0good0key0a1b2c3d4e5f6a7b8c9extra',
    'ms-test0good0key0a1b2c3d4e5f6a7b8c9',
    'ms-tést0goo',
    'ms-test0g…',
    'ms-g0000001',
  ];
  it.each(prefixes)('prefix %j', (prefix) => {
    const body = JSON.stringify({ keys: [{ id: 7, name: 'n', prefix, active: true }] });
    for (const list of [scanKeyList(body)!, keyListFrom(JSON.parse(body))]) {
      expect(list.prefixStarts(0, KEY), `${prefix} (${list === undefined ? 'none' : 'list'})`).toBe(reference(prefix));
    }
  });
});

describe('pieces of the table the output layer need not redact again', () => {
  it('a piece marked masked never holds a row with outside text other than a redacted name and prefix, wherever that row falls', async () => {
    const { writeKeyListTable } = await import('../../src/render/keys-table.js');
    const { PLAIN } = await import('../../src/render/style.js');
    // One row whose time is not canonical (its text is printed as it came) among plain rows, at every position
    // around the first piece boundaries: the row that starts a piece, ends one, and fills the last room in one.
    const row = (i: number, created: string) => `{"id":${i + 1},"name":"key ${i + 1}","prefix":"ms-g${i}","createdAt":"${created}"}`;
    const plain = '2026-01-31T12:00:00.000Z';
    const odd = 'ODD-TIME-TEXT-MARKER-1234567890';
    // The last row is odd too, in every table: the columns, and so the piece boundaries, are the same in all.
    const last = 'END-TIME-TEXT-MARKER-1234567890';
    const table = async (at: number) => {
      const list = scanKeyList(
        `{"keys":[${Array.from({ length: 2000 }, (_, i) => row(i, i === at ? odd : i === 1999 ? last : plain)).join(',')}]}`,
      )!;
      const pieces: Array<[string, boolean | undefined]> = [];
      await writeKeyListTable(list, NOW, PLAIN, undefined, 200, (t, masked) => pieces.push([t, masked]));
      return pieces;
    };
    // The rows that start a piece when every row is plain (the first piece is short, the others 64 KiB).
    const starts: number[] = [];
    let rows = -1; // the header line first
    for (const [t] of await table(-1)) {
      starts.push(rows);
      rows += t.split('\n').length - 1;
    }
    expect(starts.length).toBeGreaterThan(2);
    let boundaries = 0;
    for (const at of starts.slice(1).flatMap((s) => [s - 2, s - 1, s, s + 1, s + 2])) {
      const pieces = await table(at);
      const holder = pieces.findIndex(([t]) => t.includes(odd));
      expect(holder, `row ${at}`).toBeGreaterThanOrEqual(0);
      expect(pieces[holder]![1], `row ${at}: its piece`).not.toBe(true);
      if (pieces[holder]![0].indexOf(odd) < 100) boundaries++;
      // The other pieces are marked, and all of them together are the table.
      expect(pieces.filter(([, m]) => m === true).length, `row ${at}`).toBeGreaterThanOrEqual(pieces.length - 3);
    }
    // Some of those rows were the first of their piece.
    expect(boundaries).toBeGreaterThan(0);
  });
});
