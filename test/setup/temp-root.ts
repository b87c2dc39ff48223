/**
 * Every test's temporary folders (mkdtemp under os.tmpdir(): a CLI run's empty working directory, configs,
 * logs, checkouts) go into one folder made for this run and removed at its end. Without it each `npm test`
 * left some 20,000 folders in /tmp, and a /tmp that grows without end slows every later run that searches it.
 * Forked test workers inherit TMPDIR, so os.tmpdir() is that folder in them; the CLI runs they spawn get a
 * clean environment and keep the system's own temporary folder.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup(): () => void {
  const root = mkdtempSync(join(tmpdir(), 'apidoctor-run-'));
  const before = process.env.TMPDIR;
  process.env.TMPDIR = root;
  return () => {
    if (before === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = before;
    rmSync(root, { recursive: true, force: true, maxRetries: 3 });
  };
}
