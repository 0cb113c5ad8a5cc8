/**
 * The piecewise JSON writer (targets -o json) against JSON.stringify as the
 * oracle: the same bytes for any document.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { prettyJsonPieces, writePrettyJson } from '../src/output/report.js';

describe('prettyJsonPieces: JSON.stringify(doc, null, 2), in pieces', () => {
  it('gives JSON.stringify\'s bytes for any object (arrays of any values, empty ones, nested text with newlines)', () => {
    const doc = fc.dictionary(fc.string(), fc.oneof(fc.array(fc.jsonValue({ maxDepth: 3 }), { maxLength: 5 }), fc.jsonValue({ maxDepth: 3 })), { maxKeys: 5 });
    fc.assert(
      fc.property(doc, (d) => {
        expect([...prettyJsonPieces(d)].join('')).toBe(JSON.stringify(d, null, 2));
      }),
      { numRuns: 500 },
    );
  });

  it('leaves out undefined members and writes undefined elements as null, as JSON.stringify does', () => {
    const d = { a: undefined, b: [undefined, 1], c: 'x\ny' };
    expect([...prettyJsonPieces(d)].join('')).toBe(JSON.stringify(d, null, 2));
    expect([...prettyJsonPieces({ a: undefined })].join('')).toBe(JSON.stringify({ a: undefined }, null, 2));
  });

  it('writes in batches that add up to the document and a newline, waiting whenever the stream asks to drain', async () => {
    const chunks: string[] = [];
    let waits = 0;
    const sink = {
      write: (c: string) => chunks.push(c) % 2 === 0, // every other write: "buffer full"
      once: (_event: 'drain', listener: () => void) => {
        waits++;
        setImmediate(listener);
      },
    };
    const d = { targets: Array.from({ length: 50 }, (_, i) => ({ job: `j${i}`, labels: { a: 'b' } })), dropped: {}, problems: [] };
    await writePrettyJson(sink, d, 100);
    expect(chunks.length).toBeGreaterThan(10);
    expect(waits).toBeGreaterThan(4);
    expect(chunks.join('')).toBe(`${JSON.stringify(d, null, 2)}\n`);
  });
});
