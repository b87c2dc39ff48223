import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { CheckOutcome } from './runner.js';
import type { DoctorContext } from './context.js';
import { checkKey, untrustedBaseUrl } from '../diagnosis/key-problem.js';
import { inspectKey, maskKey, kindLabel } from '../core/keys.js';
import { normaliseBaseUrl, isLoopback } from '../config/base-url.js';
import { diagnoseById } from '../diagnosis/engine.js';
import { formatSeconds } from '../core/format.js';

/** Where each setting came from. */
export async function configSources(ctx: DoctorContext): Promise<CheckOutcome> {
  const c = ctx.config;
  const src = (label: string, s: { origin: string; source: string }) => `${label} ${s.origin === 'none' ? 'not set' : `from ${s.source}`}`;
  const parts = [
    src('proxy key', c.apiKey),
    src('billing key', c.billingKey),
    `base URL ${c.baseUrl.origin === 'default' ? '(default)' : `from ${c.baseUrl.source}`}`,
    `timeout ${c.timeout.value} ms${c.timeout.origin === 'default' ? '' : ` from ${c.timeout.source}`}`,
  ];
  if (c.model.value) parts.push(src('model', c.model));
  const file = c.file
    ? `config file ${c.file}`
    : c.fileSkipped
      ? 'no config file read (flags and environment settle everything)'
      : 'no config file found';
  // Unknown settings, and config files met by the search but not loaded (a JavaScript config that may not run).
  const unknown = c.warnings.filter((w) => w.includes('unknown setting') || w.startsWith('skipped the'));
  return {
    status: unknown.length ? 'warn' : 'pass',
    detail: `${parts.join(', ')}; ${file}${unknown.length ? `; ${unknown.join('; ')}` : ''}`,
    evidence: {
      sources: Object.fromEntries(
        (['apiKey', 'billingKey', 'baseUrl', 'timeout', 'model'] as const).map((k) => [k, { origin: c[k].origin, source: c[k].source }]),
      ),
      file: c.file,
    },
  };
}

/** The base URL is a usable http(s) root; legacy hosts and normalisation are said. */
export async function baseUrlShape(ctx: DoctorContext): Promise<CheckOutcome> {
  const c = ctx.config;
  if (c.baseUrlProblem) {
    return { status: 'fail', detail: c.baseUrlProblem, diagnosis: diagnoseById('config.bad-base-url', {}, [c.baseUrlProblem]) };
  }
  const n = normaliseBaseUrl(c.baseUrl.value!);
  const legacy = n.ok ? n.warnings.filter((w) => !w.startsWith('plain http')) : [];
  if (legacy.length) {
    return {
      status: 'warn',
      detail: `${c.baseUrl.value}: ${legacy.join('; ')}`,
      diagnosis: diagnoseById('config.bad-base-url', {}, legacy),
      evidence: { baseUrl: c.baseUrl.value },
    };
  }
  return {
    status: 'pass',
    detail: `${c.baseUrl.value}${c.notes.length ? ` (${c.notes.join('; ').replace(/^base URL: /, '')})` : ''}`,
    evidence: { baseUrl: c.baseUrl.value },
  };
}

/** Keys are scoped to a host: a project's config file may not send a key from elsewhere to its base URL. */
export async function hostScope(ctx: DoctorContext): Promise<CheckOutcome> {
  const c = ctx.config;
  const roles = (['apiKey', 'billingKey'] as const).filter((r) => c.untrustedBaseUrl?.[r]);
  if (roles.length === 0) {
    return {
      status: 'pass',
      detail:
        c.baseUrl.origin === 'default'
          ? 'keys go to the default base URL only'
          : `keys may go to ${c.baseUrl.value} (base URL from ${c.baseUrl.source})`,
    };
  }
  const d = untrustedBaseUrl(roles[0]!, c)!;
  const keys = roles.map((r) => (r === 'apiKey' ? 'proxy key' : 'billing key')).join(' and ');
  return {
    status: 'fail',
    detail: `the base URL ${c.baseUrl.value} from ${c.baseUrl.source} (a project's config file) may not receive the ${keys}: nothing is sent to it`,
    diagnosis: d,
    evidence: { baseUrl: c.baseUrl.value, source: c.baseUrl.source, refused: roles },
  };
}

/** Plain http to a host that is not this machine would send the key in clear text. */
export async function transport(ctx: DoctorContext): Promise<CheckOutcome> {
  const u = new URL(ctx.config.baseUrl.value!);
  if (u.protocol === 'https:') return { status: 'pass', detail: 'https' };
  if (isLoopback(u.hostname)) return { status: 'pass', detail: `plain http to ${u.hostname} (this machine: fine)` };
  const why = `plain http:// to ${u.hostname}: the key would travel in clear text`;
  return {
    status: 'fail',
    detail: why,
    diagnosis: diagnoseById('config.bad-base-url', {}, [why, 'Use https:// (the documented base URL is https://modelswitch.io).']),
  };
}

/** The proxy key is present, well formed and of the right kind. */
export async function proxyKey(ctx: DoctorContext): Promise<CheckOutcome> {
  const s = ctx.config.apiKey;
  const d = checkKey('apiKey', ctx.config);
  if (d) return { status: 'fail', detail: d.notes[0] ?? d.title, diagnosis: d };
  return { status: 'pass', detail: `${maskKey(s.value!)} from ${s.source}`, evidence: { key: maskKey(s.value!) } };
}

/** The billing key: optional (a warning when missing), but wrong when it is of the wrong kind. */
export async function billingKey(ctx: DoctorContext): Promise<CheckOutcome> {
  const s = ctx.config.billingKey;
  if (s.value === undefined) {
    const d = diagnoseById('config.missing-billing-key', {}, [
      "Billing checks (key list, balance, the proxy key's own record) are skipped without it.",
    ]);
    return {
      status: 'warn',
      detail: 'not set: balance and key checks skipped; set MODELSWITCH_BILLING_KEY=mk-… to run them',
      diagnosis: d,
      blocks: true,
      blocksAs: 'no billing key',
    };
  }
  const d = checkKey('billingKey', ctx.config);
  if (d) return { status: 'fail', detail: d.notes[0] ?? d.title, diagnosis: d };
  const kind = inspectKey(s.value).kind;
  return { status: 'pass', detail: `${maskKey(s.value)} from ${s.source}${kind === 'jwt' ? ` (${kindLabel(kind)})` : ''}` };
}

/** Finds the git work tree that holds a path, if any. */
function gitRoot(start: string): string | undefined {
  let dir = start;
  for (let i = 0; i < 64; i++) {
    if (existsSync(join(dir, '.git'))) return dir;
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
  return undefined;
}

/** A key in a config file inside a git work tree may get committed. */
export async function keyInGit(ctx: DoctorContext): Promise<CheckOutcome> {
  const c = ctx.config;
  const inFile = (['apiKey', 'billingKey'] as const).filter((k) => c[k].origin === 'file');
  if (!c.file || inFile.length === 0) return { status: 'pass', detail: 'no key is stored in a config file' };
  const abs = c.filePath ?? resolve(ctx.cwd, c.file);
  const root = statSync(abs, { throwIfNoEntry: false }) ? gitRoot(dirname(abs)) : undefined;
  if (!root) return { status: 'pass', detail: `${c.file} holds a key but is not inside a git work tree` };
  let ignored = false;
  try {
    const { spawnSync } = process.getBuiltinModule('node:child_process');
    const r = spawnSync('git', ['check-ignore', '-q', abs], { cwd: root, timeout: 2000, stdio: 'ignore' });
    ignored = r.status === 0;
  } catch {
    ignored = false;
  }
  if (ignored) return { status: 'pass', detail: `${c.file} holds a key; it is inside a git work tree but ignored by git` };
  return {
    status: 'warn',
    detail: `${c.file} holds the ${inFile.map((k) => (k === 'apiKey' ? 'proxy key' : 'billing key')).join(' and ')} and sits in the git work tree ${root}: it may get committed`,
    diagnosis: diagnoseById('key.in-git', {}, [`${c.file} is inside the git work tree ${root}.`]),
  };
}

/**
 * A config file that holds a key must be the user's alone (as ssh asks of a private key): one that group
 * or others can read leaks the key to them, one they can write lets them change where it goes.
 */
export async function keyFileMode(ctx: DoctorContext): Promise<CheckOutcome> {
  const c = ctx.config;
  const inFile = (['apiKey', 'billingKey'] as const).filter((k) => c[k].origin === 'file');
  if (!c.file || inFile.length === 0) return { status: 'pass', detail: 'no key is stored in a config file' };
  if (process.platform === 'win32') return { status: 'pass', detail: `${c.file} holds a key (permissions are not checked on Windows)` };
  const abs = c.filePath ?? resolve(ctx.cwd, c.file);
  const st = statSync(abs, { throwIfNoEntry: false });
  if (!st) return { status: 'pass', detail: `${c.file} holds a key` };
  const mode = st.mode & 0o777;
  const octal = mode.toString(8).padStart(4, '0');
  if ((mode & 0o077) === 0) return { status: 'pass', detail: `${c.file} holds a key and only you can read it (mode ${octal})` };
  const can = (bits: number) => [bits & 4 ? 'read' : '', bits & 2 ? 'write' : ''].filter(Boolean).join(' and ');
  const who = [
    ['group', (mode >> 3) & 7],
    ['others', mode & 7],
  ] as const;
  const open = who
    .filter(([, b]) => can(b))
    .map(([w, b]) => `${w} can ${can(b)} it`)
    .join(', ');
  const keys = inFile.map((k) => (k === 'apiKey' ? 'proxy key' : 'billing key')).join(' and ');
  if (!open) return { status: 'pass', detail: `${c.file} holds a key and only you can read or change it (mode ${octal})` };
  return {
    status: 'warn',
    detail: `${c.file} holds the ${keys} and ${open} (mode ${octal}): chmod 600 ${c.file}`,
    evidence: { file: c.file, mode: octal },
  };
}

/** Which proxy applies to the API host, and whether NO_PROXY excludes it. */
export async function proxySettings(ctx: DoctorContext): Promise<CheckOutcome> {
  const p = ctx.proxy;
  if (!p.url) {
    // HTTPS_PROXY applies to https:// only: with an http:// base URL it is set but unused, which is not "none configured".
    const httpsOnly = (ctx.env.HTTPS_PROXY || ctx.env.https_proxy) && /^http:/i.test(ctx.config.baseUrl.value ?? '');
    if (httpsOnly && !p.excludedBy) {
      return {
        status: 'warn',
        detail:
          'HTTPS_PROXY is set, but it applies to https:// only: this http:// base URL connects directly (set HTTP_PROXY to send it through the proxy)',
        evidence: { proxy: null },
      };
    }
    return {
      status: 'pass',
      detail: p.excludedBy ? `no proxy: ${p.excludedBy}` : 'no proxy configured: direct connection',
      evidence: { proxy: null },
    };
  }
  if (p.problem) {
    const why = `${p.source}=${p.display} is not a usable proxy URL: ${p.problem}`;
    return {
      status: 'fail',
      detail: why,
      evidence: { proxy: p.display, source: p.source },
      diagnosis: diagnoseById('network.proxy', {}, [`${why}. It should look like http://proxy.example:3128 (or unset ${p.source}).`]),
    };
  }
  // Configured is not working: the row is ✓ only when the proxy takes a connection.
  const refused = await proxyRefuses(p.url, Math.min(ctx.timeoutMs, 5000));
  if (refused) {
    const why = `${p.source}=${p.display} does not take connections (${refused})`;
    return {
      status: 'fail',
      detail: why,
      evidence: { proxy: p.display, source: p.source },
      diagnosis: diagnoseById('network.proxy', {}, [
        `${why}: every request goes through it, so none can get out. Start the proxy, or fix or unset ${p.source}.`,
      ]),
    };
  }
  return { status: 'pass', detail: `requests go through ${p.display} (${p.source})`, evidence: { proxy: p.display, source: p.source } };
}

/** Opens a TCP connection to the proxy: why it failed (ECONNREFUSED, a timeout…), or undefined when it was taken. */
async function proxyRefuses(url: string, timeoutMs: number): Promise<string | undefined> {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return undefined;
  }
  const port = Number(u.port || (u.protocol === 'https:' ? 443 : 80));
  const net = process.getBuiltinModule('node:net');
  return new Promise((resolve) => {
    const socket = net.connect({ host: u.hostname.replace(/^\[|\]$/g, ''), port });
    const done = (why: string | undefined) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(why);
    };
    const timer = setTimeout(() => done(`no TCP answer within ${formatSeconds(timeoutMs)}`), timeoutMs);
    socket.once('connect', () => done(undefined));
    socket.once('error', (e: NodeJS.ErrnoException) => done(e.code ?? e.message));
  });
}
