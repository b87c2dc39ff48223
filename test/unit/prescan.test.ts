import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cosmiconfig } from 'cosmiconfig';
import { mayHaveConfigFile, searchBound } from '../../src/config/prescan.js';

/** What cosmiconfig itself finds with apidoctor's search settings (the search stops at searchBound). */
async function cosmiconfigFinds(cwd: string): Promise<boolean> {
  const r = await cosmiconfig('apidoctor', { searchStrategy: 'global', stopDir: searchBound(cwd) }).search(cwd);
  return r !== null;
}

/** A tree in a git work tree rooted at `root` (the search bound outside home), the working directory two levels down. */
function tree(files: Record<string, string>): { root: string; cwd: string } {
  const root = mkdtempSync(join(tmpdir(), 'apidoctor-prescan-'));
  const cwd = join(root, 'a', 'b');
  mkdirSync(cwd, { recursive: true });
  mkdirSync(join(root, '.git'));
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(join(root, rel, '..'), { recursive: true });
    writeFileSync(join(root, rel), text);
  }
  return { root, cwd };
}

const LAYOUTS: Array<[string, Record<string, string>]> = [
  ['nothing', {}],
  ['.apidoctorrc.json in the working directory', { 'a/b/.apidoctorrc.json': '{"model":"m"}' }],
  ['.apidoctorrc (no extension) two levels up', { '.apidoctorrc': 'model: m' }],
  ['apidoctor.config.mjs in the parent', { 'a/apidoctor.config.mjs': 'export default {}' }],
  ['.config/apidoctorrc.yaml in the parent', { 'a/.config/apidoctorrc.yaml': 'model: m' }],
  ['package.json with an "apidoctor" key', { 'a/package.json': '{"name":"x","apidoctor":{"model":"m"}}' }],
  ['package.json without one', { 'a/b/package.json': '{"name":"x"}', 'package.json': '{"name":"y"}' }],
  ['unrelated dotfiles', { 'a/b/.eslintrc.json': '{}', 'a/.config/other.json': '{}' }],
  ['a file named .config where a directory could be', { 'a/b/.config': 'x', 'a/.config': 'y' }],
  ['a directory of many unrelated files', Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`a/b/file-${i}.json`, '{}']))],
  [
    '.apidoctorrc.yml next to many unrelated files',
    { ...Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`a/file-${i}.txt`, ''])), 'a/.apidoctorrc.yml': 'model: m' },
  ],
];

describe('config pre-scan agrees with cosmiconfig', () => {
  for (const [name, files] of LAYOUTS) {
    it(name, async () => {
      const { cwd } = tree(files);
      const found = await cosmiconfigFinds(cwd);
      // Never a miss; and no needless cosmiconfig when there is nothing to find.
      expect(mayHaveConfigFile(cwd)).toBe(found);
    });
  }

  it('stops where the search stops: a config file above the git root is not a reason to load cosmiconfig', async () => {
    const { cwd } = tree({ '.apidoctorrc.json': '{"model":"m"}', 'a/b/.git/HEAD': '' });
    expect(await cosmiconfigFinds(cwd)).toBe(false);
    expect(mayHaveConfigFile(cwd)).toBe(false);
    const { cwd: inside } = tree({ '.apidoctorrc.json': '{"model":"m"}', 'a/.git/HEAD': '' });
    expect(await cosmiconfigFinds(inside)).toBe(false);
    expect(mayHaveConfigFile(inside)).toBe(false);
  });

  it('looks in the global config directory too ($XDG_CONFIG_HOME/apidoctor)', () => {
    const { root, cwd } = tree({ 'xdg/apidoctor/config.json': '{}' });
    expect(mayHaveConfigFile(cwd, { XDG_CONFIG_HOME: join(root, 'nowhere') })).toBe(false);
    expect(mayHaveConfigFile(cwd, { XDG_CONFIG_HOME: join(root, 'xdg') })).toBe(true);
  });
});
