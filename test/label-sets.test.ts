/**
 * The agent's table of label sets (src/runtime/series/label-sets.ts): one
 * number per distinct set whatever the order its labels come in, the labels
 * back from the number, sorted, the table growing past many rehashes, and
 * compact() forgetting the sets not marked live.
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

  it('compact() forgets the unmarked sets and their unused pairs, and finds each kept set, with its labels and hash, under its new number', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(labelSet, fc.boolean()), { maxLength: 80 }), fc.array(labelSet, { maxLength: 10 }), (input, later) => {
        const table = new LabelSets();
        const ids = input.map(([l]) => table.intern(l));
        const live = new Uint8Array(table.size);
        input.forEach(([, keep], i) => keep && (live[ids[i]!] = 1));
        const hashes = Array.from(table.hash.subarray(0, table.size));
        const generation = table.generation;
        const remap = table.compact(live);
        expect(table.generation).toBe(generation + 1);
        const kept = input.filter(([, keep]) => keep).map(([l]) => l);
        expect(table.size).toBe(new Set(kept.map((l) => seriesKey(l))).size);
        expect(table.pairCount).toBe(new Set(kept.flatMap((l) => Object.entries(l).map(([k, v]) => `${k}\u0000${v}`))).size);
        input.forEach(([labels], i) => {
          const to = remap[ids[i]!]!;
          if (live[ids[i]!] !== 1) return expect(to).toBe(-1);
          expect(seriesKey(table.labels(to))).toBe(seriesKey(labels));
          expect(table.hash[to]).toBe(hashes[ids[i]!]);
          expect(table.intern(labels)).toBe(to);
        });
        // Numbers go on from the kept ones; a forgotten set comes back as a new one.
        for (const labels of [...later, ...input.map(([l]) => l)]) {
          const id = table.intern(labels);
          expect(seriesKey(table.labels(id))).toBe(seriesKey(labels));
          expect(table.intern(labels)).toBe(id);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('compact() of a large churned table keeps the live tenth and stays findable through later growth', () => {
    const table = new LabelSets();
    const make = (i: number): Record<string, string> => ({ __name__: `m${i % 97}`, pod: `p-${i}`, job: 'j' });
    for (let i = 0; i < 50_000; i++) table.intern(make(i));
    const live = new Uint8Array(table.size);
    for (let i = 0; i < 50_000; i += 10) live[i] = 1;
    const remap = table.compact(live);
    expect(table.size).toBe(5_000);
    expect(table.pairCount).toBe(97 + 5_000 + 1);
    for (let i = 0; i < 50_000; i += 10) expect(remap[i]).toBe(i / 10);
    for (let i = 50_000; i < 120_000; i++) expect(table.intern(make(i))).toBe(5_000 + i - 50_000);
    for (let i = 0; i < 50_000; i += 10) expect(table.intern(make(i))).toBe(i / 10);
    expect(table.labels(remap[12_340]!)).toEqual({ __name__: 'm21', job: 'j', pod: 'p-12340' });
  });
});
