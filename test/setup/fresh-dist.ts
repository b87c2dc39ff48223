/**
 * Most end-to-end tests spawn the built CLI (dist/). `npm test` builds first; a bare `npx vitest` after an
 * edit of src/ would test the old bundle without a word. So: rebuild when any source is newer than dist/.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = new URL('../..', import.meta.url).pathname;

function newest(path: string): number {
  const st = statSync(path, { throwIfNoEntry: false });
  if (!st) return 0;
  if (!st.isDirectory()) return st.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((name) => newest(join(path, name))));
}

export default function setup(): void {
  const built = newest(join(ROOT, 'dist', 'run.cjs'));
  const sources = Math.max(...['src', 'bin', 'scripts', 'package.json'].map((p) => newest(join(ROOT, p))));
  if (built >= sources) return;
  process.stderr.write(built === 0 ? 'dist/ is missing: building it first\n' : 'src/ is newer than dist/: rebuilding first\n');
  execFileSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT, stdio: 'inherit' });
}
