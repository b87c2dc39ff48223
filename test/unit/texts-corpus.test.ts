/**
 * The corpus of real error texts (test/fixtures/texts, issue 12) is well-formed: every fixture names its
 * client and source, keeps a text, expects a diagnosis id the catalogue has with that id's category, says
 * whose error it is, and carries no real-looking secret. The split is by client. Accuracy of the readers
 * on the corpus is measured by test/fixtures/texts/evaluate.ts, not asserted here.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CATALOG, DIAGNOSIS_IDS, isDiagnosisId } from '../../src/diagnosis/catalog.js';
import { SIDES, TEXTS_DIR, VENDORS, loadTextFixtures, type LoadedFixture } from '../fixtures/texts/load.js';

const fixtures: LoadedFixture[] = SIDES.flatMap((side) => loadTextFixtures(side));
const cases = fixtures.map((f) => [`${f.side}/${f.file}`, f] as const);

/** Key-shaped tokens: OpenAI/Anthropic/ModelSwitch keys, Google keys, bearer tokens. */
const SECRET =
  /\b(?:sk-(?:proj-|ant-[a-z0-9]+-)?[A-Za-z0-9_-]{20,}|AIza[0-9A-Za-z_-]{30,}|ms-[A-Za-z0-9]{20,}|mk-[A-Za-z0-9]{20,})|Bearer\s+[A-Za-z0-9._-]{24,}/g;

describe('text corpus', () => {
  it('has the train half in this checkout, with enough texts and clients to learn from', () => {
    const train = fixtures.filter((f) => f.side === 'train');
    expect(train.length).toBeGreaterThanOrEqual(60);
    expect(new Set(train.map((f) => f.fixture.client)).size).toBeGreaterThanOrEqual(15);
  });

  it('keeps no client on both sides of the split', () => {
    const bySide = (side: string) => new Set(fixtures.filter((f) => f.side === side).map((f) => f.fixture.client));
    const train = bySide('train');
    const both = [...bySide('holdout')].filter((c) => train.has(c));
    expect(both).toEqual([]);
  });

  it('has only fixture folders and JSON files below each side', () => {
    for (const side of SIDES) {
      let clients: string[];
      try {
        clients = readdirSync(join(TEXTS_DIR, side));
      } catch {
        continue; // that side is not in this checkout
      }
      for (const client of clients) {
        expect(client).toMatch(/^[a-z0-9][a-z0-9.-]*$/);
        for (const name of readdirSync(join(TEXTS_DIR, side, client)))
          expect(`${client}/${name}`).toMatch(/^[a-z0-9.-]+\/[a-z0-9][a-z0-9.-]*\.json$/);
      }
    }
  });

  describe.each(cases)('%s', (_name, { file, fixture: f }) => {
    it('has every field, filled', () => {
      expect(Object.keys(f).sort()).toEqual(['client', 'expect', 'note', 'source', 'text', 'vendor']);
      expect(f.client).toBe(file.split('/')[0]);
      expect(f.source).toMatch(/^https:\/\/\S+$/);
      expect(typeof f.text).toBe('string');
      expect(f.text.trim().length).toBeGreaterThan(0);
      expect(typeof f.note).toBe('string');
      expect(f.note.trim().length).toBeGreaterThan(10);
      expect(VENDORS).toContain(f.vendor);
    });

    it('expects a catalogue id with that id’s category', () => {
      expect(DIAGNOSIS_IDS).toContain(f.expect.id);
      if (!isDiagnosisId(f.expect.id)) return;
      expect(f.expect.category).toBe(CATALOG[f.expect.id].category);
      for (const alt of f.expect.alsoAccept ?? []) {
        expect(DIAGNOSIS_IDS).toContain(alt);
        if (isDiagnosisId(alt)) expect(CATALOG[alt].category).toBe(f.expect.category);
        expect(alt).not.toBe(f.expect.id);
      }
      expect(Object.keys(f.expect).every((k) => ['category', 'id', 'alsoAccept'].includes(k))).toBe(true);
    });

    it('carries no real-looking key (only fakes or masked ones)', () => {
      const leaks = (f.text.match(SECRET) ?? []).filter((s) => !/FAKE|\*/.test(s));
      expect(leaks).toEqual([]);
    });
  });
});
