// Reproducible builds: the same commit gives the same dist/ and the same `npm pack` tarball, byte for
// byte, wherever it is checked out. Builds the working tree twice, each in a fresh copy at its own path,
// and compares the SHA-256 of every file of dist/ and the tarball's integrity. `npm run check:reproducible`;
// test/e2e/reproducible.test.ts does the same with the one build `npm test` has just made.
import { execFile, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** What the build reads and the package holds. */
const INPUTS = ['package.json', 'package-lock.json', 'README.md', 'tsconfig.json', 'bin', 'scripts', 'src'];

/**
 * A fresh copy of what the build reads, at a new path. node_modules is copied as hard links (`cp -al`: a
 * second or so), not linked to: esbuild names each bundled module by its real path relative to the
 * build's folder, so a symlinked node_modules would give other names than a checkout's own.
 */
export function copyOfTheTree() {
  const dir = mkdtempSync(join(tmpdir(), 'apidoctor-repro-'));
  for (const p of INPUTS) cpSync(join(ROOT, p), join(dir, p), { recursive: true });
  execFileSync('cp', ['-al', join(ROOT, 'node_modules'), join(dir, 'node_modules')]);
  return dir;
}

/** Builds `dir` (its scripts/build.mjs, writing its dist/). */
export async function build(dir) {
  await run(process.execPath, [join(dir, 'scripts', 'build.mjs')], { cwd: dir, maxBuffer: 16 << 20 });
}

/** SHA-256 of each file under dir/dist, by path. */
export function distHashes(dir) {
  const out = {};
  const dist = join(dir, 'dist');
  for (const f of readdirSync(dist, { recursive: true, withFileTypes: true })) {
    if (!f.isFile()) continue;
    const path = join(f.parentPath ?? f.path, f.name);
    out[relative(dist, path)] = createHash('sha256').update(readFileSync(path)).digest('hex');
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}

/** The integrity (sha512 of the tarball's bytes) `npm pack` would publish for dir. */
export async function tarballIntegrity(dir) {
  const { stdout } = await run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
    cwd: dir,
    maxBuffer: 16 << 20,
    env: { ...process.env, npm_config_update_notifier: 'false' },
  });
  return JSON.parse(stdout)[0].integrity;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const dirs = [copyOfTheTree(), copyOfTheTree()];
  try {
    await Promise.all(dirs.map(build));
    const [a, b] = dirs.map(distHashes);
    const differ = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => a[k] !== b[k]);
    const [ta, tb] = await Promise.all(dirs.map(tarballIntegrity));
    for (const k of differ) process.stderr.write(`✗ dist/${k} differs between two builds\n`);
    if (ta !== tb) process.stderr.write(`✗ the npm pack tarball differs: ${ta} vs ${tb}\n`);
    if (differ.length || ta !== tb) process.exitCode = 1;
    else process.stderr.write(`✓ two builds, same bytes: ${Object.keys(a).length} files in dist/, tarball ${ta}\n`);
  } finally {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
}
