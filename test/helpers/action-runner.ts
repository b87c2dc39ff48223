/**
 * Runs a composite action's steps as the GitHub runner would, for the tests: `${{ … }}` expressions
 * substituted (inputs with their defaults, github.action_path, steps.<id>.outputs.<name>), each `run:`
 * step written to a file and run with `bash --noprofile --norc -eo pipefail` (the runner's `shell: bash`),
 * with its `env:` and the step's environment, a fresh $GITHUB_OUTPUT file per step and one
 * $GITHUB_STEP_SUMMARY. A `uses:` step is skipped (the tests name which ones may be: setup-node, cache).
 * An expression this runner cannot evaluate fails the run, so an action that relies on one is noticed.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseGithubOutput } from './github.js';

export interface ActionInput {
  description?: unknown;
  required?: unknown;
  default?: unknown;
}
export interface ActionStep {
  name?: string;
  id?: string;
  uses?: string;
  run?: string;
  shell?: string;
  env?: Record<string, string>;
  with?: Record<string, string>;
  'working-directory'?: string;
  if?: string;
}
export interface ActionMetadata {
  name: string;
  description: string;
  inputs?: Record<string, ActionInput>;
  outputs?: Record<string, { description?: unknown; value?: unknown }>;
  runs: { using: string; steps: ActionStep[] };
}

export interface ActionRun {
  /** The exit code of the step that failed, or 0. */
  code: number;
  /** The action's outputs, as a later step reads them (`steps.<id>.outputs.<name>`). */
  outputs: Record<string, string>;
  /** Each step's stdout and stderr, by name. */
  logs: Array<{ name: string; stdout: string; stderr: string; code: number; ms: number }>;
  skipped: string[];
  summary: string;
}

/** Substitutes the expressions a composite action may use here; throws on any other. */
export function substitute(
  text: string,
  ctx: { inputs: Record<string, string>; actionPath: string; steps: Record<string, Record<string, string>> },
): string {
  return text.replace(/\$\{\{\s*([^}]*?)\s*\}\}/g, (_, expr: string) => {
    let m = /^inputs\.([A-Za-z0-9_-]+)$/.exec(expr);
    if (m) return ctx.inputs[m[1]!] ?? '';
    if (expr === 'github.action_path') return ctx.actionPath;
    m = /^steps\.([A-Za-z0-9_-]+)\.outputs\.([A-Za-z0-9_-]+)$/.exec(expr);
    if (m) return ctx.steps[m[1]!]?.[m[2]!] ?? '';
    throw new Error(`the test runner cannot evaluate \${{ ${expr} }}`);
  });
}

/**
 * Runs the action. `with` are the step's inputs (defaults from action.yml fill the rest); `env` is the
 * step's `env:` (where the secrets go); `baseEnv` the runner's own environment.
 */
export async function runAction(
  meta: ActionMetadata,
  opts: {
    actionPath: string;
    with?: Record<string, string>;
    env?: Record<string, string>;
    baseEnv?: Record<string, string>;
    skipUses: (uses: string) => boolean;
    only?: (step: ActionStep) => boolean;
  },
): Promise<ActionRun> {
  const inputs: Record<string, string> = {};
  for (const [name, spec] of Object.entries(meta.inputs ?? {})) if (spec.default !== undefined) inputs[name] = String(spec.default);
  for (const [name, value] of Object.entries(opts.with ?? {})) {
    if (!(name in (meta.inputs ?? {}))) throw new Error(`input "${name}" is not declared in action.yml`);
    inputs[name] = value;
  }
  const dir = mkdtempSync(join(tmpdir(), 'apidoctor-action-'));
  const summaryFile = join(dir, 'step-summary.md');
  writeFileSync(summaryFile, '');
  const steps: Record<string, Record<string, string>> = {};
  const ctx = { inputs, actionPath: opts.actionPath, steps };
  const logs: ActionRun['logs'] = [];
  const skipped: string[] = [];
  let code = 0;
  for (const [n, step] of meta.runs.steps.entries()) {
    if (code !== 0) break;
    const name = step.name ?? step.id ?? `step ${n + 1}`;
    if (opts.only && !opts.only(step)) {
      skipped.push(name);
      continue;
    }
    if (step.uses !== undefined) {
      if (!opts.skipUses(step.uses)) throw new Error(`step "${name}" uses ${step.uses}, which this test cannot run`);
      skipped.push(name);
      continue;
    }
    if (step.shell !== 'bash') throw new Error(`step "${name}": shell ${step.shell} (the test runs bash steps)`);
    const outputFile = join(dir, `output-${n}`);
    writeFileSync(outputFile, '');
    const script = join(dir, `step-${n}.sh`);
    writeFileSync(script, substitute(step.run ?? '', ctx));
    const stepEnv: Record<string, string> = {};
    for (const [k, v] of Object.entries(step.env ?? {})) stepEnv[k] = substitute(String(v), ctx);
    const env = {
      ...opts.baseEnv,
      ...opts.env,
      ...stepEnv,
      GITHUB_OUTPUT: outputFile,
      GITHUB_STEP_SUMMARY: summaryFile,
      GITHUB_ACTIONS: 'true',
      CI: 'true',
      RUNNER_OS: 'Linux',
      GITHUB_ACTION_PATH: opts.actionPath,
    };
    const cwd = step['working-directory'] ? substitute(step['working-directory'], ctx) : dir;
    const t0 = performance.now();
    // Asynchronously: the emulator the step talks to runs in this process.
    const r = await new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn('bash', ['--noprofile', '--norc', '-eo', 'pipefail', script], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      const killer = setTimeout(() => child.kill('SIGKILL'), 240_000);
      child.on('error', reject);
      child.on('close', (status) => {
        clearTimeout(killer);
        resolve({ status, stdout, stderr });
      });
    });
    const stepCode = r.status ?? 1;
    logs.push({ name, stdout: r.stdout, stderr: r.stderr, code: stepCode, ms: Math.round(performance.now() - t0) });
    if (step.id) steps[step.id] = parseGithubOutput(readFileSync(outputFile, 'utf8'));
    code = stepCode;
  }
  const outputs: Record<string, string> = {};
  for (const [name, spec] of Object.entries(meta.outputs ?? {})) outputs[name] = substitute(String(spec.value ?? ''), ctx);
  return { code, outputs, logs, skipped, summary: readFileSync(summaryFile, 'utf8') };
}
