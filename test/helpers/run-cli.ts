import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const BIN = resolve(import.meta.dirname, '../../bin/apidoctor.js');

/** What a finished CLI run left behind. */
export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  durationMs: number;
  /** stdout parsed as the one JSON document (throws when it is not exactly one). */
  json(): Record<string, any>;
}

/** An empty working directory, so that no config file is found by accident. */
export function emptyDir(): string {
  return mkdtempSync(join(tmpdir(), 'apidoctor-test-'));
}

/**
 * Runs the built CLI (bin/apidoctor.js) as a user would, with a clean environment:
 * only PATH, HOME and what the test passes; NO_COLOR unless the test sets colour itself.
 */
export function runCli(
  args: string[],
  opts: {
    env?: Record<string, string | undefined>;
    stdin?: string;
    cwd?: string;
    timeoutMs?: number;
    onSpawn?: (pid: number) => void;
    bin?: string;
  } = {},
): Promise<CliRun> {
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', NO_COLOR: '1' };
  for (const [k, v] of Object.entries(opts.env ?? {})) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  const started = performance.now();
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [opts.bin ?? BIN, ...args], {
      cwd: opts.cwd ?? emptyDir(),
      env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    if (child.pid) opts.onSpawn?.(child.pid);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const killer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 30_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(killer);
      resolvePromise({
        code,
        signal,
        stdout,
        stderr,
        durationMs: performance.now() - started,
        json: () => JSON.parse(stdout) as Record<string, any>,
      });
    });
    if (opts.stdin !== undefined) child.stdin.end(opts.stdin);
    else child.stdin.end();
  });
}

/** `apidoctor call` of a streamed chat completion against `baseUrl` with `apiKey`, then `extra`. */
export function streamChatArgs(baseUrl: string, apiKey: string, ...extra: string[]): string[] {
  return [
    'call',
    'POST',
    '/v1/chat/completions',
    '--data',
    '{"model":"gpt-4o","messages":[]}',
    '--stream',
    '--base-url',
    baseUrl,
    '--api-key',
    apiKey,
    ...extra,
  ];
}

/**
 * The text with every run of white space as one space: what a person reads, wherever the terminal's width
 * wrapped it. A test matches a phrase of human output in it (the same phrase, across a wrap).
 */
export function flat(text: string): string {
  return text.replace(/\s+/g, ' ');
}
