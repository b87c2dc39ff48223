/**
 * End-to-end fuzz: server text never drives the terminal. A hostile server puts ESC, OSC 52 (sets the
 * clipboard), OSC 0 (window title), CSI 2J (clears the screen), C1 controls, `\r\n* 3 FAKE …` and bidi
 * overrides in every field it serves: error messages, codes, types, request ids and other headers, key
 * names and prefixes, model ids; `explain` reads the same from a file. Every byte of every sink is then
 * scanned: stdout, stderr (which carries the y/N prompt of `keys delete` and the spinner), the GitHub
 * step summary and the workflow-command annotations. None may hold a raw control or bidi character
 * (only apidoctor's own colour and the spinner's cursor sequences), and no line may be forged.
 */
import fc from 'fast-check';
import { PassThrough } from 'node:stream';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/entry/cli.js';
import { emptyDir } from '../helpers/run-cli.js';
import { startHostileServer, type HostileServer, type HostileSpec } from '../helpers/hostile-server.js';
import { FUZZ_SEED } from '../fuzz/arbitraries.js';
import { terminalSink } from '../helpers/terminal-sink.js';

/** What a server can send in a JSON string: any of these, in any order. */
const ATTACKS = [
  '\u001b]52;c;ZWNobyBvd25lZA==\u0007', // OSC 52: set the clipboard
  '\u001b]0;pwned\u0007', // OSC 0: window title
  '\u001b]8;;https://evil.example\u001b\\link\u001b]8;;\u001b\\', // OSC 8 hyperlink
  '\u001b[2J', // clear the screen
  '\u001b[31m', // colour
  '\u001b[1A\u001b[2K', // cursor up, erase the line
  '\u009b2J', // C1 CSI
  '\u009d0;x\u009c', // C1 OSC … ST
  '\r\n* 3 FAKE   ms-fake0000   active', // a forged table row
  '\rOVERWRITE', // carriage return: rewrite the line
  '\u202eevil\u202c', // right-to-left override
  '\u2066iso\u2069', // isolate
  '\u200fmark\u061c', // right-to-left and Arabic letter marks
  'line\u2028sep\u2029para', // line and paragraph separators
  'zero\u200bwidth\ufeff\u2060', // invisibles that hide or split a word
  '\u0008\u0008\u0008', // backspaces
  '\u007f', // DEL
  '\u0000',
  '<img src=x onerror=alert(1)> [click](https://evil.example) | cell |',
];
/** What a header can carry (Node's parser refuses C0 there): C1 controls, as latin1 bytes. */
const HEADER_ATTACKS = ['\u009b2J', '\u009d52;c;eA==\u009c', '\u0085', '\u009b31m'];

const payloadArb = fc.array(fc.constantFrom(...ATTACKS), { minLength: 2, maxLength: 6 }).map((a) => `A${a.join('x')}Z`);
const headerArb = fc.array(fc.constantFrom(...HEADER_ATTACKS), { minLength: 1, maxLength: 3 }).map((a) => `r${a.join('-')}`);

/**
 * A raw control or bidi character: C0 but LF and TAB (and CR before LF), DEL, C1, U+202A–U+202E,
 * U+2066–U+2069, the bidi marks, the line and paragraph separators and the invisibles (U+200B, U+FEFF…). apidoctor's own SGR colours and ora's cursor and synchronized-output sequences are
 * removed first: those are the only escape sequences a sink may hold.
 */
const RAW =
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\u061c\u200b\u200e\u200f\u2028\u2029\u2060-\u2064\ufeff\ufff9-\ufffb]|\r(?!\n)/;
const OWN = /\u001b\[(?:1|2|22|31|32|33|36|39)m|\u001b\[\?(?:25|2026)[lh]/g;

function rawIn(text: string): string | undefined {
  const m = RAW.exec(text.replace(OWN, ''));
  return m
    ? `${JSON.stringify(m[0])} at ${m.index} in ${JSON.stringify(text.replace(OWN, '').slice(Math.max(0, m.index - 40), m.index + 40))}`
    : undefined;
}

const terminal = terminalSink;

let srv: HostileServer;
const savedCI = process.env.CI;
beforeAll(async () => {
  srv = await startHostileServer();
  delete process.env.CI; // a person's terminal: the spinner runs
});
afterAll(async () => {
  if (savedCI !== undefined) process.env.CI = savedCI;
  await srv.close();
});

let caseNo = 0;
/** Serves `spec` for one run and returns its base URL. */
function serve(spec: HostileSpec): string {
  const name = `c${++caseNo}`;
  srv.serve(name, spec);
  return `${srv.url}/${name}`;
}

interface Sinks {
  stdout: string;
  stderr: string;
  summary: string;
  code: number;
}

/** Runs the CLI in-process on terminal sinks; answers a y/N question with "n". */
async function run(args: string[], baseUrl: string, opts: { color?: boolean; env?: Record<string, string> } = {}): Promise<Sinks> {
  const out = terminal();
  const err = terminal();
  const stdin = Object.assign(new PassThrough(), { isTTY: true });
  const dir = emptyDir();
  const summaryFile = join(dir, 'summary.md');
  writeFileSync(summaryFile, '');
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: dir,
    MODELSWITCH_BASE_URL: baseUrl,
    MODELSWITCH_API_KEY: 'ms-test0good0key0a1b2c3d4e5f6a7b8c9',
    MODELSWITCH_BILLING_KEY: 'mk-test0billing00d4e5f6a7b8c9d0e1f2',
    GITHUB_STEP_SUMMARY: summaryFile,
    ...(opts.color ? { FORCE_COLOR: '1' } : { NO_COLOR: '1' }),
    ...opts.env,
  };
  const done = main([...args, '--timeout', '3000'], { env, cwd: dir, stdout: out, stderr: err, stdin });
  const answer = setInterval(() => {
    if (err.text.includes('[y/N]')) {
      clearInterval(answer);
      stdin.write('n\n');
    }
  }, 10);
  const code = await done.finally(() => clearInterval(answer));
  return { stdout: out.text, stderr: err.text, summary: readFileSync(summaryFile, 'utf8'), code };
}

/** A JSON answer with hostile headers. */
function answer(status: number, body: unknown, hdr: string): HostileSpec {
  return {
    kind: 'respond',
    status,
    headers: [
      ['content-type', 'application/json'],
      ['x-request-id', Buffer.from(hdr, 'latin1')],
      ['x-evil', Buffer.from(hdr, 'latin1')],
      ['retry-after', Buffer.from(hdr, 'latin1')],
    ],
    body: JSON.stringify(body),
  };
}

function expectClean(r: Sinks, what: string): void {
  for (const [sink, text] of Object.entries({ stdout: r.stdout, stderr: r.stderr, summary: r.summary })) {
    expect(rawIn(text), `${what}: ${sink}`).toBeUndefined();
    // No forged line: the fake row's text never starts a line.
    expect(text, `${what}: ${sink}`).not.toMatch(/^\s*\* 3 FAKE/m);
  }
}

describe('e2e fuzz: no server text drives the terminal', () => {
  it('every command, every field, every sink', async () => {
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(payloadArb, headerArb, fc.boolean(), async (evil, hdr, color) => {
        const error = (status: number) =>
          answer(status, { error: { message: `Invalid API key ${evil}`, type: evil, code: evil, param: evil } }, hdr);
        const keys = answer(
          200,
          {
            keys: [1, 2, 3].map((id) => ({
              id,
              name: `${evil} ${id}`,
              prefix: id === 1 ? 'ms-test0goo' : `ms-${evil}`,
              active: id !== 2,
              createdAt: evil,
              expiresAt: id === 3 ? evil : undefined,
            })),
          },
          hdr,
        );
        const models = answer(
          200,
          {
            object: 'list',
            data: [`gpt-4o${evil}`, `${evil}gpt-4o-mini`, 'gpt-4o'].map((id) => ({ id, object: 'model', created: 0, owned_by: evil })),
          },
          hdr,
        );
        const savedFile = join(emptyDir(), 'saved.txt');
        writeFileSync(
          savedFile,
          `HTTP/1.1 401 Unauthorized\r\nx-request-id: ${evil}\r\ncontent-type: application/json\r\n\r\n${JSON.stringify({ error: { message: evil, code: evil } })}`,
        );
        const cases: Array<[string, string[], HostileSpec]> = [
          ['doctor (401 everywhere)', ['doctor'], error(401)],
          ['doctor --format github (403)', ['doctor', '--format', 'github'], error(403)],
          ['doctor --model (did you mean)', ['doctor', '--model', 'gpt-4'], models],
          ['doctor --model --format github', ['doctor', '--model', 'gpt-4o-min', '--format', 'github'], models],
          ['call (401)', ['call', '/v1/models'], error(401)],
          ['call --include (400)', ['call', '--include', 'POST', '/v1/chat/completions', '--data', '{}'], error(400)],
          ['call --include (200)', ['call', '--include', '/v1/models'], models],
          ['call --json (500)', ['call', '--json', '/v1/models'], error(500)],
          ['keys', ['keys'], keys],
          ['keys show', ['keys', 'show', '2'], keys],
          ['keys delete (the y/N prompt)', ['keys', 'delete', '3'], keys],
          ['keys (401)', ['keys'], error(401)],
          ['balance (402)', ['balance'], error(402)],
          ['balance --json (401)', ['balance', '--json'], error(401)],
        ];
        for (const [what, args, spec] of cases) {
          const r = await run(args, serve(spec), { color });
          expectClean(r, `${what} ${JSON.stringify(evil)}`);
          runs++;
          if (what.startsWith('keys delete')) expect(r.stderr, what).toContain('[y/N]');
          if (args.includes('github')) expect(r.stdout, what).toMatch(/^::(error|warning) /m);
          if (args.includes('--json')) expect(() => JSON.parse(r.stdout), what).not.toThrow();
        }
        const ex = await run(['explain', savedFile], serve(error(401)), { color });
        expectClean(ex, `explain ${JSON.stringify(evil)}`);
        runs++;
      }),
      { seed: FUZZ_SEED, numRuns: 4 },
    );
    expect(runs).toBe(4 * 15);
  }, 240_000);

  it('the text is still there, as visible escapes: a reader sees what the server sent', async () => {
    const evil = '\u001b]52;c;eA==\u0007 \u202eevil\r\n* 3 FAKE';
    const keys = serve(answer(200, { keys: [{ id: 1, name: evil, prefix: 'ms-abc', active: true }] }, 'r'));
    const r = await run(['keys'], keys);
    expect(r.code).toBe(0);
    // one header line, one row: the name's line break forged nothing
    expect(r.stdout.trimEnd().split('\n')).toHaveLength(2);
    const show = await run(['keys', 'show', '1'], keys);
    expect(show.stdout).toContain('name       \\x1b]52;c;eA==\\x07 \\u202eevil\\r\\n* 3 FAKE\n');
    const d = await run(
      ['doctor', '--only', 'api.proxy-key'],
      serve(answer(401, { error: { message: evil, code: `c${evil}` } }, '\u009b2J')),
    );
    expect(d.stderr).toContain('code c\\x1b]52;c;eA==\\x07 \\u202eevil\\r\\n* 3 FAKE');
  });

  it('the step summary renders server text as text: no link, image, HTML or extra cell', async () => {
    const evil = '<img src=x onerror=alert(1)> [click](https://evil.example) | x |';
    const r = await run(['doctor', '--format', 'github'], serve(answer(401, { error: { message: evil, code: evil } }, 'r')));
    expect(r.summary).toContain('apidoctor doctor');
    expect(r.summary).not.toMatch(/<img|\]\(https|[^\\]\| x [^\\]\|/);
    for (const line of r.summary.split('\n').filter((l) => l.startsWith('| ')))
      expect(line.replace(/\\\|/g, '').split('|')).toHaveLength(6);
  });
});
