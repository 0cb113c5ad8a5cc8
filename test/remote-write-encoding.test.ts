/**
 * remote_write's wire format: varints, the protobuf WriteRequest and snappy's
 * block format, checked against hand-worked vectors, against decoders written
 * in test/support (no code shared with the encoder), and against libsnappy
 * through Debian's python3-snappy.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeLabels, encodeWriteRequest, putInt64Varint, putUvarint, uvarintLength } from '../src/runtime/remote-write/protobuf.js';
import { compareUtf8 } from '../src/runtime/semantics/labels.js';
import { snappyCompress } from '../src/runtime/remote-write/snappy.js';
import { encodeSnappyWriteRequest, groupBySeries, LabelPairTable, requestColumns, type RequestSeries } from '../src/runtime/remote-write/request.js';
import { parseExposition } from '../src/runtime/scrape/exposition.js';
import { decodeWriteRequest, snappyDecode } from './support/protobuf-decode.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('varints', () => {
  it.each([
    [0, '00'],
    [1, '01'],
    [127, '7f'],
    [128, '8001'],
    [300, 'ac02'],
    [2 ** 31, '8080808008'],
    [1_700_000_000_000, '80d095ffbc31'],
    [2 ** 53 - 1, 'ffffffffffffff0f'],
  ])('unsigned %d is %s', (n, want) => {
    const buf = new Uint8Array(10);
    const end = putUvarint(buf, 0, n);
    expect(hex(buf.subarray(0, end))).toBe(want);
    expect(uvarintLength(n)).toBe(end);
  });

  it('a negative int64 is ten bytes of two’s complement', () => {
    const buf = new Uint8Array(10);
    expect(putInt64Varint(buf, 0, -1)).toBe(10);
    expect(hex(buf)).toBe('ffffffffffffffffff01');
    putInt64Varint(buf, 0, -2);
    expect(hex(buf)).toBe('feffffffffffffffff01');
  });
});

describe('protobuf WriteRequest', () => {
  it('matches a message worked out by hand from remote.proto and types.proto', () => {
    const labels = encodeLabels({ job: 'a', __name__: 'up' });
    const body = encodeWriteRequest([{ labels, timestamps: [1000], values: [1] }]);
    const want =
      '0a28' + // timeseries, 40 bytes
      '0a0e' + '0a08' + hex(Buffer.from('__name__')) + '1202' + hex(Buffer.from('up')) + // label __name__="up" first: sorted
      '0a08' + '0a03' + hex(Buffer.from('job')) + '1201' + hex(Buffer.from('a')) +
      '120c' + '09000000000000f03f' + '10e807'; // sample { value 1.0, timestamp 1000 }
    expect(hex(body)).toBe(want);
  });

  it('leaves out zero fields as the gogo marshaller does, and keeps the staleness marker’s NaN payload bit for bit', () => {
    const stale = new DataView(new ArrayBuffer(8));
    stale.setBigUint64(0, 0x7ff0000000000002n, true);
    const body = encodeWriteRequest([{ labels: encodeLabels({ __name__: 'x' }), timestamps: [0, -5, 7], values: Float64Array.of(0, -0, stale.getFloat64(0, true)) }]);
    const [series] = decodeWriteRequest(body);
    expect(series!.samples.map((s) => [s.valueBits, s.timestamp])).toEqual([
      [0n, 0],
      [0x8000000000000000n, -5],
      [0x7ff0000000000002n, 7],
    ]);
    // The first sample is empty: tag 0x12, length 0.
    expect(hex(body).includes('1200')).toBe(true);
  });

  it('sorts names by UTF-8 bytes as Go does', () => {
    expect(['b', 'a', '\u{1F600}', '\uFFFD', '_'].sort(compareUtf8)).toEqual(['_', 'a', 'b', '\uFFFD', '\u{1F600}']);
  });

  it('round-trips random series through an independent decoder', () => {
    const labelName = fc.stringMatching(/^[a-zA-Z_][a-zA-Z0-9_]{0,12}$/);
    const seriesArb = fc.record({
      labels: fc.dictionary(labelName, fc.string({ unit: 'grapheme', maxLength: 20 }), { minKeys: 1, maxKeys: 6 }),
      samples: fc.array(fc.record({ v: fc.double(), t: fc.integer({ min: -(2 ** 40), max: 2 ** 45 }) }), { minLength: 1, maxLength: 5 }),
    });
    fc.assert(
      fc.property(fc.array(seriesArb, { maxLength: 8 }), (input) => {
        const body = encodeWriteRequest(input.map((s) => ({ labels: encodeLabels(s.labels), timestamps: s.samples.map((x) => x.t), values: s.samples.map((x) => x.v) })));
        const decoded = decodeWriteRequest(body);
        expect(decoded.length).toBe(input.length);
        decoded.forEach((d, i) => {
          const want = Object.entries(input[i]!.labels)
            .filter(() => true)
            .sort(([a], [b]) => compareUtf8(a, b));
          expect(d.labels).toEqual(want);
          expect(d.samples.map((s) => [s.value, s.timestamp])).toEqual(input[i]!.samples.map((s) => [Object.is(s.v, -0) ? -0 : s.v, s.t]));
        });
      }),
      { numRuns: 300 },
    );
  });
});

function pythonSnappy(op: 'compress' | 'decompress', input: Uint8Array): Buffer {
  return execFileSync('/usr/bin/python3', ['-c', `import sys, snappy; sys.stdout.buffer.write(snappy.${op}(sys.stdin.buffer.read()))`], { input, maxBuffer: 1 << 28 });
}

const cadvisor = readFileSync(new URL('./fixtures/metrics/cadvisor.prom', import.meta.url));

describe('snappy block format', () => {
  it('known vectors: short input is one literal; a run becomes a literal and copies', () => {
    expect(hex(snappyCompress(new Uint8Array(0)))).toBe('00');
    expect(hex(snappyCompress(Buffer.from('abc')))).toBe('03' + '08' + '616263');
    // 100 × "a": varint 100, literal "a", then copies at offset 1: 64 (tag fe 0100) + 35 (tag 8a 0100).
    expect(hex(snappyCompress(Buffer.alloc(100, 'a')))).toBe('64' + '0061' + 'fe0100' + '8a0100');
  });

  it('round-trips random and repetitive data through an independent decoder', () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 300_000 }), fc.array(fc.constantFrom('up', 'job="a"', '{', '}', ',', '0', '1'), { maxLength: 50_000 }).map((a) => Buffer.from(a.join('')))), (input) => {
        expect(Buffer.from(snappyDecode(snappyCompress(input))).equals(Buffer.from(input))).toBe(true);
      }),
      { numRuns: 60 },
    );
  });

  it('libsnappy (Debian python3-snappy) decompresses what the compressor writes, across 64 KiB blocks', () => {
    const compressed = snappyCompress(cadvisor);
    expect(compressed.length).toBeLessThan(cadvisor.length / 4);
    expect(pythonSnappy('decompress', compressed).equals(cadvisor)).toBe(true);
    const random = new Uint8Array(200_000).map(() => Math.floor(Math.random() * 256));
    expect(pythonSnappy('decompress', snappyCompress(random)).equals(Buffer.from(random))).toBe(true);
  });

  it('the test decoder reads libsnappy’s own output (so it is a fair judge)', () => {
    expect(Buffer.from(snappyDecode(pythonSnappy('compress', cadvisor))).equals(cadvisor)).toBe(true);
  });

  it('compresses about as well as libsnappy', () => {
    const ours = snappyCompress(cadvisor).length;
    const theirs = pythonSnappy('compress', cadvisor).length;
    expect(ours / theirs).toBeLessThan(1.1);
  });
});

describe('the sender’s encoder (protobuf written straight as snappy)', () => {
  const seriesArb = fc.record({
    labels: fc.dictionary(fc.constantFrom('__name__', 'job', 'pod', 'namespace', 'container', 'id', 'le', 'zone'), fc.constantFrom('a', 'kube-system', 'x'.repeat(70), 'container_cpu_usage_seconds_total', '/kubepods/burstable/pod1234', 'ü', ''), { minKeys: 1 }),
    samples: fc.array(fc.record({ v: fc.double(), t: fc.integer({ min: -(2 ** 40), max: 2 ** 45 }) }), { minLength: 1, maxLength: 3 }),
  });

  it('decodes to exactly the plain protobuf encoding, for random requests', () => {
    const table = new LabelPairTable();
    fc.assert(
      fc.property(fc.array(seriesArb, { maxLength: 40 }), (input) => {
        const plain = encodeWriteRequest(input.map((s) => ({ labels: encodeLabels(s.labels), timestamps: s.samples.map((x) => x.t), values: Float64Array.from(s.samples.map((x) => x.v)) })));
        const direct = encodeSnappyWriteRequest(
          table,
          requestColumns(input.map((s) => ({ series: table.series(s.labels), timestamps: s.samples.map((x) => x.t), values: Float64Array.from(s.samples.map((x) => x.v)) }))),
        );
        expect(direct.rawSize).toBe(plain.length);
        expect(Buffer.from(snappyDecode(direct.body)).equals(Buffer.from(plain))).toBe(true);
      }),
      { numRuns: 400 },
    );
  });

  it('groups a queue’s samples by series: each once, in the order of its first sample, its samples in queue order (random queues)', () => {
    const id = fc.oneof(fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 5000 }));
    fc.assert(
      fc.property(fc.array(id, { maxLength: 400 }), fc.nat(60), (ids, skip) => {
        const from = Math.min(skip, ids.length);
        const t = Float64Array.from(ids, (_, i) => 1_700_000_000_000 + i);
        const v = Float64Array.from(ids, (_, i) => i / 2);
        const got = groupBySeries(Int32Array.from(ids), t, v, from, ids.length);
        const expected = new Map<number, number[]>();
        for (let i = from; i < ids.length; i++) expected.set(ids[i]!, [...(expected.get(ids[i]!) ?? []), i]);
        const grouped = Array.from({ length: got.seriesCount }, (_, k) => [got.sets[k]!, Array.from({ length: got.first[k + 1]! - got.first[k]! }, (_, j) => got.order[got.first[k]! + j]!)] as const);
        expect(grouped).toEqual([...expected]);
        expect(got.t).toBe(t);
        expect(got.v).toBe(v);
      }),
      { numRuns: 300 },
    );
  });

  it('libsnappy (Debian python3-snappy) reads a request of 8,000 fixture series, copies beyond 64 KiB included, and it compresses 5× or better', () => {
    const table = new LabelPairTable();
    const batch: RequestSeries[] = [];
    const plainBatch: Parameters<typeof encodeWriteRequest>[0][number][] = [];
    let t = 1_700_000_000_000;
    for (const file of ['cadvisor.prom', 'kubelet.prom', 'kube-state-metrics.prom']) {
      for (const s of parseExposition(readFileSync(new URL(`./fixtures/metrics/${file}`, import.meta.url), 'utf8'))) {
        const labels = { ...s.labels, job: file };
        batch.push({ series: table.series(labels), timestamps: [t], values: Float64Array.of(s.value) });
        plainBatch.push({ labels: encodeLabels(labels), timestamps: [t++], values: Float64Array.of(s.value) });
      }
    }
    const { body, rawSize } = encodeSnappyWriteRequest(table, requestColumns(batch));
    const plain = encodeWriteRequest(plainBatch);
    expect(rawSize).toBe(plain.length);
    expect(rawSize).toBeGreaterThan(1 << 20);
    expect(pythonSnappy('decompress', body).equals(Buffer.from(plain))).toBe(true);
    expect(rawSize / body.length).toBeGreaterThan(5);
  });
});
