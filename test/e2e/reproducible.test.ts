/**
 * Reproducible builds: the same commit gives the same dist/ and the same `npm pack` tarball, byte for
 * byte, wherever it is checked out. `npm test` has just built dist/ here (pretest, or the global setup
 * when src/ was newer); this builds the same tree again in a copy at another path and compares.
 * (`npm run check:reproducible` builds twice from scratch.)
 */
import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error -- a plain ES module script, no declarations
import { build, copyOfTheTree, distHashes, tarballIntegrity } from '../../scripts/check-reproducible.mjs';

const ROOT = resolve(import.meta.dirname, '../..');
const copy: string = copyOfTheTree();
afterAll(() => rmSync(copy, { recursive: true, force: true }));

describe('a second build of the same tree, elsewhere', () => {
  it('writes the same bytes to every file of dist/, and npm pack makes the same tarball', async () => {
    await build(copy);
    const [mine, again] = [distHashes(ROOT), distHashes(copy)];
    expect(Object.keys(mine)).toContain('run.cjs');
    expect(Object.keys(mine)).toContain('fast.json');
    expect(again).toEqual(mine);
    const [a, b] = await Promise.all([tarballIntegrity(ROOT), tarballIntegrity(copy)]);
    expect(a).toMatch(/^sha512-/);
    expect(b).toBe(a);
  }, 180_000);
});
