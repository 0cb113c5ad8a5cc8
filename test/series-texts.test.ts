/**
 * The scrape cache's table of series texts (src/runtime/scrape/series-texts.ts):
 * a text is found where it stands in a payload, under the metric type it was
 * read with, through growth and retain(), as a Map of the same texts finds it.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SeriesTexts } from '../src/runtime/scrape/series-texts.js';
import type { CachedSeries } from '../src/runtime/scrape/stale.js';

const series = (id: number): CachedSeries => ({ id, touched: 0, seen: 0, tracked: 0, known: -1 });
// Few characters: many texts share a prefix, a length or a hash slot.
const text = fc.stringMatching(/^[ab{}="é]{0,12}$/);
const type = fc.constantFrom('counter', 'gauge', '');

describe('SeriesTexts', () => {
  it('finds every text in place under its type, and nothing else, through sets, overwrites and retains (against a Map)', () => {
    const op = fc.oneof(
      fc.record({ op: fc.constant('set' as const), text, type, id: fc.nat(1000) }),
      fc.record({ op: fc.constant('retain' as const), keepOdd: fc.boolean() }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), fc.array(fc.tuple(text, type), { maxLength: 40 }), fc.string({ maxLength: 4 }), (ops, probes, around) => {
        const table = new SeriesTexts<CachedSeries>();
        const model = new Map<string, { type: string; id: number }>();
        for (const o of ops) {
          if (o.op === 'set') {
            const e = table.set(o.text, o.type, series(o.id));
            expect(table.texts[e]).toBe(o.text);
            model.set(o.text, { type: o.type, id: o.id });
          } else {
            // Keep the entries whose series number is odd (or even).
            const keep = (id: number): boolean => (id % 2 === 1) === o.keepOdd;
            table.retain((e) => keep(table.series[e]!.id));
            for (const [k, v] of model) if (!keep(v.id)) model.delete(k);
          }
          expect(table.size).toBe(model.size);
        }
        for (const [t, ty] of [...probes, ...[...model].map(([k, v]) => [k, v.type] as [string, string])]) {
          const payload = `${around}${t}${around}`;
          const e = table.find(payload, around.length, around.length + t.length, ty);
          const m = model.get(t);
          if (m === undefined || m.type !== ty) expect(e).toBe(-1);
          else expect(table.series[e]!.id).toBe(m.id);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('keeps 50,000 texts findable, and after retain() only those kept', () => {
    const table = new SeriesTexts<CachedSeries>();
    const line = (i: number): string => `container_memory_rss{id="/kubepods/pod${i}",namespace="ns-${i % 13}"}`;
    for (let i = 0; i < 50_000; i++) expect(table.set(line(i), 'gauge', series(i))).toBe(i);
    for (let i = 0; i < 50_000; i += 7) expect(table.find(` ${line(i)} 1`, 1, 1 + line(i).length, 'gauge')).toBe(i);
    table.retain((e) => e % 10 === 0);
    expect(table.size).toBe(5_000);
    for (let i = 0; i < 50_000; i++) expect(table.find(line(i), 0, line(i).length, 'gauge')).toBe(i % 10 === 0 ? i / 10 : -1);
  });
});
