/**
 * The exposition parser against Prometheus' own parser test tables
 * (model/textparse/promparse_test.go and openmetricsparse_test.go at v3.14.0,
 * transcribed into test/fixtures/prometheus/textparse-v3.14.json by
 * scripts/transcribe-textparse-tests.py): every sample, HELP, TYPE and UNIT
 * entry of the parse tables, and every error message of the error tables,
 * word for word.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ExpositionError, scanExposition, type ExpositionFormat } from '../src/runtime/scrape/parse.js';

type Input = { text: string } | { latin1: string };
interface Entry {
  kind: 'help' | 'type' | 'unit' | 'series' | 'comment';
  m?: string;
  text?: string;
  labels?: Record<string, string>;
  v?: number | 'NaN' | '+Inf' | '-Inf';
  t?: number;
}
const data = JSON.parse(readFileSync(new URL('./fixtures/prometheus/textparse-v3.14.json', import.meta.url), 'utf8')) as {
  parse: { table: string; format: ExpositionFormat; skipCreatedSeries: boolean; input: Input; entries: Entry[] }[];
  errors: { table: string; format: ExpositionFormat; input: Input; err: string }[];
};

/** The payload as Prometheus' test feeds it: bytes (a Buffer when the table holds bytes that are not UTF-8). */
function payload(input: Input): string | Buffer {
  return 'text' in input ? input.text : Buffer.from(input.latin1, 'latin1');
}

function parseAll(input: Input, format: ExpositionFormat, skipCreatedSeries = false): Entry[] {
  const got: Entry[] = [];
  scanExposition(
    payload(input),
    (labels, value, t) => {
      const e: Entry = { kind: 'series', labels: { ...labels }, v: Number.isNaN(value) ? 'NaN' : value === Infinity ? '+Inf' : value === -Infinity ? '-Inf' : value };
      if (t !== undefined) e.t = t;
      got.push(e);
    },
    { format, skipCreatedSeries, onMetadata: (kind, metric, text) => got.push({ kind, m: metric, text }) },
  );
  return got;
}

describe('exposition parser: Prometheus v3.14 textparse parse tables', () => {
  for (const table of data.parse) {
    it(`${table.table}: every sample, HELP, TYPE and UNIT as Prometheus' table expects`, () => {
      const expected = table.entries
        .filter((e) => e.kind !== 'comment')
        .map((e) => {
          if (e.kind !== 'series') return { kind: e.kind, m: e.m, text: e.text };
          const out: Entry = { kind: 'series', labels: e.labels, v: e.v };
          if (e.t !== undefined) out.t = e.t;
          return out;
        });
      expect(parseAll(table.input, table.format, table.skipCreatedSeries)).toEqual(expected);
    });
  }
});

describe('exposition parser: Prometheus v3.14 textparse error tables, messages word for word', () => {
  for (const [i, c] of data.errors.entries()) {
    const ok = c.err === '' || c.err === 'EOF';
    it(`${c.table} #${i}: ${JSON.stringify('text' in c.input ? c.input.text : c.input.latin1).slice(0, 60)} → ${ok ? 'parses' : c.err.slice(0, 60)}`, () => {
      let err: unknown;
      try {
        parseAll(c.input, c.format, true);
      } catch (e) {
        err = e;
      }
      if (ok) expect(err).toBeUndefined();
      else {
        expect(err).toBeInstanceOf(ExpositionError);
        expect((err as ExpositionError).reason).toBe(c.err);
      }
    });
  }
});
