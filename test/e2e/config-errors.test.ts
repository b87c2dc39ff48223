/**
 * Config files and arguments that are wrong: every one exits 2 (usage) with a message that names the
 * thing (the file, the field, the flag) and the fix — in human mode and as one JSON document — and
 * never prints a stack trace or a key that sits in the broken file.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { emptyDir, runCli, type CliRun, flat } from '../helpers/run-cli.js';

/** A key of no known shape: the redactor's patterns cannot recognise it, only knowing it helps. */
const ODD_KEY = 'hunter2-Correct-Horse-Battery-Staple-0451';
const PROXY_KEY = 'ms-cfg0test0proxy0key0a1b2c3d4e5f6a7b8';

function dirWith(files: Record<string, string>): string {
  const dir = emptyDir();
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

function expectClean(r: CliRun): void {
  const all = r.stdout + r.stderr;
  expect(all).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
  expect(all).not.toMatch(/internal error/i);
  // Any 9 characters of a key in a row are more than its masked form shows (ms-ab12…9f3c).
  for (const [key, from] of [
    [ODD_KEY, 0],
    [PROXY_KEY, 3],
  ] as const) {
    for (let i = from; i + 9 <= key.length; i++) expect(all, `a piece of a key: ${key.slice(i, i + 9)}`).not.toContain(key.slice(i, i + 9));
  }
}

/** Runs in human mode and with --json: exit 2 both times; the message names `what`, and `fix` is said. */
async function expectUsage(args: string[], opts: { cwd?: string; env?: Record<string, string> }, what: RegExp, fix: RegExp): Promise<void> {
  const [human, json] = await Promise.all([runCli(args, opts), runCli([...args, '--json'], opts)]);
  expect(human.code, human.stderr).toBe(2);
  expect(flat(human.stderr)).toMatch(what);
  expect(flat(human.stderr)).toMatch(fix);
  expect(human.stdout).toBe('');
  expectClean(human);
  expect(json.code, json.stderr).toBe(2);
  const doc = json.json();
  expect(doc).toMatchObject({ schemaVersion: 1, ok: false, exitCode: 2, exitReason: 'usage', diagnoses: [] });
  expect(doc.error.message).toMatch(what);
  expect(`${doc.error.message}\n${doc.error.hint ?? ''}`).toMatch(fix);
  expectClean(json);
}

const FIX_FILE = /Fix the file|--config/;

describe.concurrent('config files that cannot be used: exit 2, naming the file and the fix', () => {
  it('invalid JSON', async () => {
    const cwd = dirWith({ '.apidoctorrc.json': `{"apiKey": "${ODD_KEY}", "timeout": }` });
    await expectUsage(['balance'], { cwd }, /\.apidoctorrc\.json.*cannot be parsed/, FIX_FILE);
  });

  it('invalid YAML: the key on the broken line is not quoted back', async () => {
    const cwd = dirWith({ '.apidoctorrc.yaml': `apiKey: ${ODD_KEY}\nbaseUrl: [unclosed\n` });
    await expectUsage(['doctor'], { cwd }, /\.apidoctorrc\.yaml.*cannot be parsed/, FIX_FILE);
  });

  it('invalid YAML in an extensionless .apidoctorrc, the key in quotes', async () => {
    const cwd = dirWith({ '.apidoctorrc': `apiKey: "${ODD_KEY}"\n  billingKey: : x\n` });
    await expectUsage(['call', '/v1/models'], { cwd }, /\.apidoctorrc.*cannot be parsed/, FIX_FILE);
  });

  it('JSON with the key on the line that breaks', async () => {
    const cwd = dirWith({ 'conf/apidoctor.json': `{\n  "apiKey": "${ODD_KEY}" "baseUrl": "http://127.0.0.1:9"\n}` });
    await expectUsage(
      ['call', '/v1/models', '--config', 'conf/apidoctor.json'],
      { cwd },
      /conf\/apidoctor\.json.*cannot be parsed/,
      FIX_FILE,
    );
  });

  it('a wrong type: apiKey is a number', async () => {
    const cwd = dirWith({ '.apidoctorrc.json': '{"apiKey": 12345}' });
    await expectUsage(['call', '/v1/models'], { cwd }, /\.apidoctorrc\.json.*"apiKey" must be a string, got number/, FIX_FILE);
  });

  it('a wrong type: timeout is not a number of milliseconds', async () => {
    const cwd = dirWith({ '.apidoctorrc.json': `{"apiKey": "${PROXY_KEY}", "timeout": "fast"}` });
    await expectUsage(
      ['call', '/v1/models'],
      { cwd },
      /\.apidoctorrc\.json.*"timeout".*"fast"/,
      /milliseconds between 1 and 3600000|For example/,
    );
  });

  it('a wrong type: the whole file is an array', async () => {
    const cwd = dirWith({ '.apidoctorrc.json': '[1, 2]' });
    await expectUsage(['call', '/v1/models'], { cwd }, /\.apidoctorrc\.json.*expected an object of settings, got an array/, FIX_FILE);
  });

  it('a config file that throws when it is loaded (CommonJS)', async () => {
    const cwd = dirWith({ 'apidoctor.config.cjs': "throw new Error('config exploded');\n" });
    await expectUsage(
      ['call', '/v1/models', '--config', 'apidoctor.config.cjs'],
      { cwd },
      /apidoctor\.config\.cjs.*config exploded/,
      FIX_FILE,
    );
  });

  it('a config file that throws when it is loaded (ES module, top-level await)', async () => {
    const cwd = dirWith({
      'apidoctor.config.mjs': "await Promise.resolve();\nthrow new TypeError('no settings here');\nexport default {};\n",
    });
    await expectUsage(
      ['call', '/v1/models', '--config', 'apidoctor.config.mjs'],
      { cwd },
      /apidoctor\.config\.mjs.*no settings here/,
      FIX_FILE,
    );
  });

  it('a config file with a syntax error (JavaScript)', async () => {
    const cwd = dirWith({ 'apidoctor.config.js': `export default { apiKey: '${ODD_KEY}' ,, };\n` });
    await expectUsage(['call', '/v1/models', '--config', 'apidoctor.config.js'], { cwd }, /apidoctor\.config\.js/, FIX_FILE);
  });

  it('a format apidoctor does not read (.toml): which formats it does read, and to convert', async () => {
    const cwd = dirWith({ 'apidoctor.toml': `apiKey = "${ODD_KEY}"\n` });
    await expectUsage(
      ['call', '/v1/models', '--config', 'apidoctor.toml'],
      { cwd },
      /apidoctor\.toml.*\.toml is not supported.*JSON.*YAML.*JavaScript/,
      /Convert it.*\.apidoctorrc\.json/,
    );
  });

  it('a CommonJS apidoctor.config.js in a "type": "module" project: rename it to .cjs', async () => {
    const cwd = dirWith({
      'package.json': '{"name":"app","type":"module"}',
      'apidoctor.config.js': `module.exports = { apiKey: '${ODD_KEY}' };\n`,
    });
    await expectUsage(
      ['call', '/v1/models', '--config', 'apidoctor.config.js'],
      { cwd },
      /apidoctor\.config\.js uses CommonJS.*"type": "module"/,
      /Rename it to \.\/apidoctor\.config\.cjs/,
    );
  });

  it('an ES module .cjs config: rename it to .mjs', async () => {
    const cwd = dirWith({ 'apidoctor.config.cjs': `export default { apiKey: '${ODD_KEY}' };\n` });
    await expectUsage(
      ['call', '/v1/models', '--config', 'apidoctor.config.cjs'],
      { cwd },
      /apidoctor\.config\.cjs uses ES module syntax/,
      /Rename it to \.\/apidoctor\.config\.mjs/,
    );
  });

  it('--config naming a file that does not exist, or a directory; APIDOCTOR_CONFIG likewise', async () => {
    const cwd = dirWith({ 'sub/.keep': '' });
    await expectUsage(['call', '/v1/models', '--config', 'missing.json'], { cwd }, /missing\.json.*no such file/, FIX_FILE);
    await expectUsage(['call', '/v1/models', '--config', 'sub'], { cwd }, /sub.*is a directory/, FIX_FILE);
    await expectUsage(['doctor'], { cwd, env: { APIDOCTOR_CONFIG: 'nope.yaml' } }, /nope\.yaml.*no such file/, FIX_FILE);
  });
});

describe('unknown settings are a warning that names them, not an error', () => {
  it('names each unknown key and the known ones; the command still runs; --json stays one document', async () => {
    const cwd = dirWith({
      '.apidoctorrc.json': JSON.stringify({ apiKey: PROXY_KEY, api_key: 'x', colour: true, baseURL: 'http://127.0.0.1:9' }),
    });
    const r = await runCli(['call', '/v1/models', '--base-url', 'http://127.0.0.1:9', '--timeout', '2000'], { cwd });
    expect(r.code).toBe(7); // refused: the command ran
    expect(flat(r.stderr)).toMatch(
      /unknown settings "api_key", "colour", "baseURL" ignored \(known: apiKey, billingKey, baseUrl, timeout, model\)/,
    );
    expectClean(r);
    const j = await runCli(['call', '/v1/models', '--base-url', 'http://127.0.0.1:9', '--timeout', '2000', '--json'], { cwd });
    expect(j.json()).toMatchObject({ exitCode: 7, exitReason: 'network' });
    expect(j.stderr).toMatch(/"colour"/);
  });
});

describe('arguments: exit 2, naming the flag and the fix', () => {
  const cases: Array<[string, string[], RegExp, RegExp, Record<string, string>?]> = [
    ['an unknown flag', ['call', '/v1/models', '--bogus'], /unknown option '--bogus'/, /--help/],
    ['an unknown flag before the command', ['--frobnicate', 'doctor'], /unknown option '--frobnicate'/, /--help/],
    ['--timeout abc', ['call', '/v1/models', '--timeout', 'abc'], /--timeout.*"abc"/, /between 1 and 3600000|For example/],
    ['--timeout 0', ['doctor', '--timeout', '0'], /--timeout.*"0"/, /between 1 and 3600000/],
    ['--timeout -5', ['doctor', '--timeout=-5'], /--timeout.*"-5"/, /between 1 and 3600000/],
    ['APIDOCTOR_TIMEOUT=abc', ['call', '/v1/models'], /APIDOCTOR_TIMEOUT.*"abc"/, /For example/, { APIDOCTOR_TIMEOUT: 'abc' }],
    ['--min -5', ['balance', '--min=-5', '--billing-key', 'mk-cfg0test0billing0a1b2c3d4e5f6a7'], /--min.*"-5"/, /0 or more|For example/],
    ['--min abc', ['balance', '--min', 'abc'], /--min.*"abc"/, /For example/],
    ['--min-balance lots', ['doctor', '--min-balance', 'lots'], /--min-balance.*"lots"/, /For example/],
    ['--retries -1', ['call', '/v1/models', '--retries=-1'], /--retries.*"-1"/, /whole number from 0 to 10/],
    ['--retries 1000', ['call', '/v1/models', '--retries', '1000'], /--retries.*"1000"/, /whole number from 0 to 10/],
    ['--status abc', ['explain', '--status', 'abc', '-'], /--status.*"abc"/, /three-digit HTTP status/],
    ['--format xml', ['doctor', '--format', 'xml'], /--format.*"xml"/, /one of text, json, github, junit/],
    ['--only an unknown check', ['doctor', '--only', 'api.nope'], /--only.*api\.nope/, /--list-checks/],
    [
      '--data @ a file that does not exist',
      ['call', 'POST', '/v1/chat/completions', '--api-key', PROXY_KEY, '--data', '@no-such-request.json'],
      /--data @no-such-request\.json.*no such file/,
      /Check the path/,
    ],
    [
      '--data @ a directory',
      ['call', 'POST', '/v1/chat/completions', '--api-key', PROXY_KEY, '--data', '@.'],
      /--data @\..*directory/,
      /Check the path/,
    ],
    [
      '--data that is not JSON',
      ['call', 'POST', '/v1/chat/completions', '--api-key', PROXY_KEY, '--data', '{model: gpt-4o}'],
      /--data is not valid JSON/,
      /check quotes and commas/,
    ],
    ['an unknown HTTP method', ['call', 'FETCH', '/v1/models'], /unknown HTTP method "FETCH"/, /Use one of GET/],
    ['a full URL instead of a path', ['call', 'https://example.invalid/v1/models?key=1'], /not a full URL/, /--base-url/],
    ['explain of a file that does not exist', ['explain', 'no-such-response.txt'], /no-such-response\.txt.*no such file/, /no such file/],
    [
      '--header with a line break in its value',
      ['call', '/v1/models', '--api-key', PROXY_KEY, '--header', 'X-Note: a\r\nX-Injected: b'],
      /--header X-Note: .*a line break/,
      /printable ASCII/,
    ],
    [
      '--header with a character outside Latin-1',
      ['call', '/v1/models', '--api-key', PROXY_KEY, '--header', 'X-Note: 你好'],
      /--header X-Note: .*"你"/,
      /percent-encode/,
    ],
  ];
  it.concurrent.each(cases)('%s', async (_name, args, what, fix, env) => {
    await expectUsage(args, { env }, what, fix);
  });

  it('a bad APIDOCTOR_TIMEOUT does not stop explain, which sends nothing: a warning, then the diagnosis', async () => {
    const r = await runCli(['explain', '-', '--status', '429'], {
      env: { APIDOCTOR_TIMEOUT: 'abc' },
      stdin: '{"error":{"message":"Rate limit reached","type":"rate_limit_error"}}',
    });
    expect(flat(r.stderr)).toMatch(/APIDOCTOR_TIMEOUT.*"abc".*ignored, as this command sends no request/);
    expect(r.stdout + r.stderr).toMatch(/rate\.limited/);
    expect(r.code).toBe(6);
    expectClean(r);
  });
});

describe('a config file holding megabytes where a key goes', () => {
  it('a 20 MB "key": exit 3 key.malformed with its length, at once, no stack and no echo of it (it hung, printing ~290 MB)', async () => {
    const cwd = dirWith({
      '.apidoctorrc.json': JSON.stringify({ baseUrl: 'http://127.0.0.1:9', apiKey: `ms-${'x'.repeat(20 * 1024 * 1024)}` }),
    });
    const r = await runCli(['doctor'], { cwd, timeoutMs: 30_000 });
    expect(r.code).toBe(3);
    expect(flat(r.stderr)).toMatch(/key\.malformed.*20,971,523 characters long/);
    expect(r.stdout.length + r.stderr.length).toBeLessThan(20_000);
    expect(r.stdout + r.stderr).not.toMatch(/x{64}/);
    expectClean(r);
  }, 60_000);
});
