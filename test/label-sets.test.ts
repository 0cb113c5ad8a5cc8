/**
 * The agent's table of label sets (src/runtime/series/label-sets.ts): one
 * number per distinct set whatever the order its labels come in, the labels
 * back from the number, sorted, and the table growing past many rehashes.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LabelSets } from '../src/runtime/series/label-sets.js';
import { seriesKey } from '../src/runtime/scrape/stale.js';

const labelSet = fc.dictionary(fc.constantFrom('__name__', 'job', 'instance', 'pod', 'le', 'a', 'ab', 'é', '__proto__', 'constructor'), fc.constantFrom('', 'x', 'y', 'kube-system', 'x'.repeat(40), 'ü', '1.0'), { maxKeys: 6 });

describe('LabelSets', () => {
  it('numbers equal sets alike and different sets apart, and gives each set back sorted by name', () => {
    fc.assert(
      fc.property(fc.array(labelSet, { maxLength: 60 }), (sets) => {
        const table = new LabelSets();
        const ids = sets.map((l) => table.intern(l));
        for (let i = 0; i < sets.length; i++) {
          // Reversed insertion order: the same set.
          const reversed = Object.fromEntries(Object.entries(sets[i]!).reverse());
          expect(table.intern(reversed)).toBe(ids[i]);
          const back = table.labels(ids[i]!);
          expect(seriesKey(back)).toBe(seriesKey(sets[i]!));
          expect(Object.keys(back)).toEqual(Object.keys(sets[i]!).sort());
          for (const [k, v] of Object.entries(sets[i]!)) expect(table.value(ids[i]!, k)).toBe(v);
          for (let j = 0; j < i; j++) expect(ids[i] === ids[j]).toBe(seriesKey(sets[i]!) === seriesKey(sets[j]!));
        }
        expect(table.size).toBe(new Set(sets.map((l) => seriesKey(l))).size);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps every set findable as the table grows (100,000 sets, many rehashes)', () => {
    const table = new LabelSets();
    const make = (i: number): Record<string, string> => ({ __name__: `m${i % 97}`, pod: `p-${i}`, job: 'j' });
    for (let i = 0; i < 100_000; i++) expect(table.intern(make(i))).toBe(i);
    for (let i = 0; i < 100_000; i += 7) expect(table.intern(make(i))).toBe(i);
    expect(table.size).toBe(100_000);
    expect(table.labels(12_345)).toEqual({ __name__: 'm26', job: 'j', pod: 'p-12345' });
  });
});
