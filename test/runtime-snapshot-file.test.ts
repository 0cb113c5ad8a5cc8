/**
 * The chunked snapshot reader against JSON.parse as the oracle: for any
 * object of arrays and values, written compact or indented, read in chunks of
 * any size, it returns what JSON.parse returns; for broken text it throws
 * what JSON.parse throws.
 */
import fc from 'fast-check';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readJsonFile, streamJsonObject } from '../src/runtime/snapshot-file.js';
import { syntheticCluster } from '../src/runtime/synthetic.js';

const dir = mkdtempSync(join(tmpdir(), 'k8smon-snapshot-file-'));
let fileNo = 0;
function fileWith(text: string): string {
  const path = join(dir, `${fileNo++}.json`);
  writeFileSync(path, text);
  return path;
}

/** What JSON.parse does with the text: its value, or its error message. */
function oracle(text: string): { value: unknown } | { error: string } {
  try {
    return { value: JSON.parse(text) };
  } catch (err) {
    return { error: (err as Error).message };
  }
}

function reader(path: string, chunkSize: number): { value: unknown } | { error: string } {
  try {
    return { value: readJsonFile(path, chunkSize) };
  } catch (err) {
    return { error: (err as Error).message };
  }
}

/** Snapshot-like documents: resource arrays of objects, plus a few plain members; hostile strings included. */
const member = fc.oneof(fc.array(fc.jsonValue({ maxDepth: 3 }), { maxLength: 6 }), fc.jsonValue({ maxDepth: 2 }));
const doc = fc.dictionary(fc.oneof(fc.constantFrom('pods', 'nodes', '__proto__', 'a"b', 'x\\', ''), fc.string()), member, { maxKeys: 6 });
const layout = fc.constantFrom<(v: unknown) => string>(
  (v) => JSON.stringify(v),
  (v) => JSON.stringify(v, null, 2),
  (v) => ` \n\t${JSON.stringify(v, null, '\t')}\r\n `,
);

describe('readJsonFile (chunked snapshot reader), with JSON.parse as the oracle', () => {
  it('returns what JSON.parse returns, reading in chunks of any size, on the streaming path', () => {
    fc.assert(
      fc.property(doc, layout, fc.integer({ min: 1, max: 40 }), (value, write, chunkSize) => {
        const text = write(value);
        const path = fileWith(text);
        const streamed = streamJsonObject(path, chunkSize);
        expect(streamed, 'a well-formed object must not fall back to JSON.parse').toBeDefined();
        expect(streamed).toStrictEqual(JSON.parse(text));
      }),
      { numRuns: 300 },
    );
  });

  it('throws JSON.parse\'s own error for broken text (a byte deleted, inserted or replaced)', () => {
    const edit = fc.record({ at: fc.nat(), kind: fc.constantFrom('delete', 'insert', 'replace'), char: fc.constantFrom(',', ']', '}', '[', '{', '"', ':', '\\', ' ', 'x', '1') });
    fc.assert(
      fc.property(doc, layout, edit, fc.integer({ min: 1, max: 40 }), (value, write, e, chunkSize) => {
        const text = write(value);
        const at = text.length === 0 ? 0 : e.at % text.length;
        const broken = e.kind === 'delete' ? text.slice(0, at) + text.slice(at + 1) : e.kind === 'insert' ? text.slice(0, at) + e.char + text.slice(at) : text.slice(0, at) + e.char + text.slice(at + 1);
        expect(reader(fileWith(broken), chunkSize)).toStrictEqual(oracle(broken));
      }),
      { numRuns: 500 },
    );
  });

  it.each([
    ['empty file', ''],
    ['array at the top', '[{"a":1}]'],
    ['empty element', '{"pods":[1,,2]}'],
    ['trailing comma in an array', '{"pods":[1,2,]}'],
    ['trailing comma in the object', '{"pods":[],}'],
    ['missing colon', '{"pods" []}'],
    ['text after the object', '{"pods":[]} x'],
    ['unterminated array', '{"pods":[{"a":1}'],
    ['mismatched bracket', '{"pods":[{"a":1]}'],
    ['byte-order mark', '\ufeff{"pods":[]}'],
  ])('%s: the same outcome as JSON.parse', (_name, text) => {
    for (const chunkSize of [1, 3, 64 * 1024]) expect(reader(fileWith(text), chunkSize)).toStrictEqual(oracle(text));
  });

  it('keeps `__proto__` an own member, as JSON.parse does', () => {
    const value = readJsonFile(fileWith('{"__proto__":[{"polluted":true}],"pods":[]}'), 4) as Record<string, unknown>;
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.keys(value)).toEqual(['__proto__', 'pods']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('reads a generated cluster, multi-byte characters split across chunks included', () => {
    const cluster = syntheticCluster({ nodes: 20, podsPerNode: 5 });
    cluster.pods![0]!.metadata.annotations = { note: 'äöü — 日本語 — 🚀'.repeat(50) };
    const text = JSON.stringify(cluster);
    for (const chunkSize of [7, 1000]) expect(streamJsonObject(fileWith(text), chunkSize)).toStrictEqual(JSON.parse(text));
  });
});
