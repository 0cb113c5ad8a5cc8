/**
 * A WriteRequest encoded straight into snappy's block format, without running
 * a general-purpose compressor over it.
 *
 * What makes a remote_write request compressible is known before any byte is
 * written: series in one request share label pairs (the metric name, the pod,
 * the namespace, the node...). So every distinct label pair is encoded once
 * (as its protobuf `Label` field) and numbered; within a request, the second
 * and later occurrences of a pair become snappy copies of its latest
 * occurrence, and copies that continue one another merge into one longer copy.
 * Everything else (framing, samples, a pair's first occurrence) is literal.
 *
 * The result is plain snappy block format, decoded by any snappy decoder; it
 * uses the 4-byte-offset copy where a pair last appeared more than 64 KiB
 * back, which the format allows (only the reference compressor limits itself
 * to 64 KiB blocks). It compresses a little less than libsnappy on label-heavy
 * requests and runs several times faster than a hash-table compressor in
 * JavaScript: see bench/README.md.
 */
import { int64VarintLength, putInt64Varint, putUvarint, uvarintLength } from './protobuf.js';
import { emitCopy } from './snappy.js';
import { growInt32, LabelSets } from '../series/label-sets.js';

const utf8 = new TextEncoder();

/**
 * The protobuf `Label` field of every label pair of a LabelSets, encoded once
 * (on first use) into one shared byte arena, and each set's encoded size.
 */
export class LabelPairTable {
  /** pair i's field is bytes[offset[i], offset[i] + size[i]). */
  bytes = new Uint8Array(1 << 16);
  offset = new Int32Array(1024);
  size = new Int32Array(1024);
  private encodedPairs = 0;
  private used = 0;
  /** Each set's encoded labels size, plus one (0: not worked out yet). */
  private setSize = new Int32Array(1024);
  /** The sets' generation the pairs were numbered in. */
  private generation = 0;

  constructor(readonly sets: LabelSets = new LabelSets()) {}

  /** The number of a label set (interned in `sets`). */
  series(labels: Readonly<Record<string, string>>): number {
    return this.sets.intern(labels);
  }

  /** Encodes the pairs added to `sets` since the last call (all of them again after the sets were renumbered). */
  update(): void {
    if (this.generation !== this.sets.generation) {
      this.generation = this.sets.generation;
      this.encodedPairs = 0;
      this.used = 0;
      this.setSize = new Int32Array(1024);
    }
    const n = this.sets.pairCount;
    if (n > this.offset.length) {
      const cap = Math.max(n, this.offset.length * 2);
      this.offset = growInt32(this.offset, cap);
      this.size = growInt32(this.size, cap);
    }
    for (let i = this.encodedPairs; i < n; i++) {
      const field = encodeLabelField(this.sets.pairNames[i]!, this.sets.pairValues[i]!);
      if (this.used + field.length > this.bytes.length) {
        const bigger = new Uint8Array(Math.max(this.bytes.length * 2, this.used + field.length));
        bigger.set(this.bytes.subarray(0, this.used));
        this.bytes = bigger;
      }
      this.bytes.set(field, this.used);
      this.offset[i] = this.used;
      this.size[i] = field.length;
      this.used += field.length;
    }
    this.encodedPairs = n;
  }

  /** The encoded size of set `id`'s labels (call update() first). */
  labelsSize(id: number): number {
    if (id >= this.setSize.length) this.setSize = growInt32(this.setSize, Math.max(id + 1, this.setSize.length * 2));
    const known = this.setSize[id]!;
    if (known !== 0) return known - 1;
    const { pairs, start, length } = this.sets;
    let size = 0;
    for (let i = start[id]!, e = i + length[id]!; i < e; i++) size += this.size[pairs[i]!]!;
    this.setSize[id] = size + 1;
    return size;
  }
}

function encodeLabelField(name: string, value: string): Uint8Array {
  const n = utf8.encode(name);
  const v = utf8.encode(value);
  const size = (n.length > 0 ? 1 + uvarintLength(n.length) + n.length : 0) + (v.length > 0 ? 1 + uvarintLength(v.length) + v.length : 0);
  const out = new Uint8Array(1 + uvarintLength(size) + size);
  out[0] = 0x0a;
  let p = putUvarint(out, 1, size);
  if (n.length > 0) {
    out[p++] = 0x0a;
    p = putUvarint(out, p, n.length);
    out.set(n, p);
    p += n.length;
  }
  if (v.length > 0) {
    out[p++] = 0x12;
    p = putUvarint(out, p, v.length);
    out.set(v, p);
  }
  return out;
}

/** One series of a request and its samples, in time order: the shape tests build (see requestColumns). */
export interface RequestSeries {
  /** The series' number in the table's LabelSets. */
  series: number;
  timestamps: ArrayLike<number>;
  /** A Float64Array keeps the staleness marker's NaN payload (see protobuf.ts). */
  values: ArrayLike<number>;
}

/**
 * A request's samples as columns, grouped by series: series k is set
 * `sets[k]` of the table's LabelSets, and its samples, in time order, are
 * `t[order[j]]`, `v[order[j]]` for j from `first[k]` up to `first[k + 1]`.
 * No object per series or sample: a sender encodes tens of thousands of
 * samples per scrape interval, and objects that live until the request is
 * sent were a third of its garbage.
 */
export interface RequestColumns {
  seriesCount: number;
  sets: ArrayLike<number>;
  first: ArrayLike<number>;
  order: ArrayLike<number>;
  t: ArrayLike<number>;
  /** A Float64Array keeps the staleness marker's NaN payload (see protobuf.ts). */
  v: Float64Array;
}

/** groupBySeries' output, reused from call to call. */
let groupSets = new Int32Array(1024);
let groupFirst = new Int32Array(1025);
let groupOrder = new Int32Array(1024);
/** Per set number: its group in the current call, valid when stamped with the call. */
let groupOfSet = new Int32Array(1024);
let groupStamp = new Int32Array(1024);
let groupCall = 0;

/**
 * Groups samples `from` up to `to` of the columns `series` (each sample's set
 * number), `t` and `v` by series, each series' samples kept in their order and
 * the series in the order of their first sample. The result's arrays are
 * reused by the next call: encode it before calling again.
 */
export function groupBySeries(series: ArrayLike<number>, t: ArrayLike<number>, v: Float64Array, from: number, to: number): RequestColumns {
  const n = to - from;
  if (n + 1 > groupFirst.length) {
    const cap = Math.max(n + 1, groupFirst.length * 2);
    groupSets = new Int32Array(cap);
    groupFirst = new Int32Array(cap + 1);
    groupOrder = new Int32Array(cap);
  }
  groupCall = (groupCall + 1) | 0;
  if (groupCall === 0) {
    groupStamp.fill(0);
    groupCall = 1;
  }
  // Counting sort: count each series' samples (in `groupFirst`, shifted by one), then place them.
  let m = 0;
  for (let i = from; i < to; i++) {
    const s = series[i]!;
    if (s >= groupStamp.length) {
      const cap = Math.max(s + 1, groupStamp.length * 2);
      groupStamp = growInt32(groupStamp, cap);
      groupOfSet = growInt32(groupOfSet, cap);
    }
    if (groupStamp[s] !== groupCall) {
      groupStamp[s] = groupCall;
      groupOfSet[s] = m;
      groupSets[m] = s;
      groupFirst[++m] = 0;
    }
    groupFirst[groupOfSet[s]! + 1]!++;
  }
  groupFirst[0] = 0;
  for (let k = 0; k < m; k++) groupFirst[k + 1]! += groupFirst[k]!;
  // Place each sample at its series' next free slot, using groupFirst[k] as that cursor, then shift back.
  for (let i = from; i < to; i++) groupOrder[groupFirst[groupOfSet[series[i]!]!]!++] = i;
  for (let k = m; k > 0; k--) groupFirst[k] = groupFirst[k - 1]!;
  groupFirst[0] = 0;
  return { seriesCount: m, sets: groupSets, first: groupFirst, order: groupOrder, t, v };
}

/** The columns of requests given one object per series (each its own TimeSeries, in the list's order). */
export function requestColumns(list: readonly RequestSeries[]): RequestColumns {
  const total = list.reduce((n, s) => n + s.timestamps.length, 0);
  const sets = new Int32Array(list.length);
  const first = new Int32Array(list.length + 1);
  const order = new Int32Array(total);
  const t = new Float64Array(total);
  const v = new Float64Array(total);
  let j = 0;
  list.forEach((s, k) => {
    sets[k] = s.series;
    first[k] = j;
    for (let i = 0; i < s.timestamps.length; i++, j++) {
      order[j] = j;
      t[j] = s.timestamps[i]!;
      v[j] = s.values[i]!;
    }
  });
  first[list.length] = j;
  return { seriesCount: list.length, sets, first, order, t, v };
}

const f64 = new Float64Array(1);
const f64Words = new Uint32Array(f64.buffer);

function sampleBodySize(value: number, ts: number): number {
  f64[0] = value;
  return ((f64Words[0]! | f64Words[1]!) !== 0 ? 9 : 0) + (ts !== 0 ? 1 + int64VarintLength(ts) : 0);
}

/** Per pair: where it last started in this request's uncompressed bytes, valid when stamped with the request. */
let lastPos = new Float64Array(1024);
let stamp = new Int32Array(1024);
let requestNo = 0;
/** Scratch output, reused: only the compressed bytes are copied out. */
let output = new Uint8Array(1 << 16);
let outputView = new DataView(output.buffer);

export interface EncodedRequest {
  /** The request, snappy-compressed. */
  body: Uint8Array;
  /** Bytes of the uncompressed protobuf. */
  rawSize: number;
}

/** Literals are written in place, at most 60 bytes each, so that the tag is always one byte reserved ahead. */
const MAX_LITERAL = 60;

/** Each TimeSeries' encoded size, reused from request to request. */
let tsSizes = new Float64Array(1024);

/**
 * The WriteRequest of `request` (one TimeSeries per series, in order),
 * snappy-compressed. Each series is a set number of `table.sets`.
 */
export function encodeSnappyWriteRequest(table: LabelPairTable, request: RequestColumns): EncodedRequest {
  const { seriesCount, sets, first, order, t: sampleTs, v: sampleVs } = request;
  table.update();
  // Sizes first: snappy's header is the uncompressed length.
  let total = 0;
  if (seriesCount > tsSizes.length) tsSizes = new Float64Array(Math.max(seriesCount, tsSizes.length * 2));
  for (let k = 0; k < seriesCount; k++) {
    let size = table.labelsSize(sets[k]!);
    for (let j = first[k]!, e = first[k + 1]!; j < e; j++) size += 2 + sampleBodySize(sampleVs[order[j]!]!, sampleTs[order[j]!]!);
    tsSizes[k] = size;
    total += 1 + uvarintLength(size) + size;
  }
  const pairCount = table.sets.pairCount;
  if (pairCount > lastPos.length) {
    const n = Math.max(pairCount, lastPos.length * 2);
    lastPos = new Float64Array(n);
    stamp = new Int32Array(n);
    requestNo = 0;
  }
  requestNo = (requestNo + 1) | 0;
  if (requestNo === 0) {
    stamp.fill(0);
    requestNo = 1;
  }
  const req = requestNo;
  // Worst case: every byte literal, one tag per 60 bytes, plus the copies' tags.
  const bound = 16 + total + Math.ceil(total / MAX_LITERAL) + 8 * seriesCount;
  if (output.length < bound) {
    output = new Uint8Array(Math.max(bound, output.length * 2));
    outputView = new DataView(output.buffer);
  }
  const dst = output;
  const view = outputView;
  const pairBytes = table.bytes;
  const pairOffset = table.offset;
  const pairSize = table.size;
  const { pairs, start: setStart, length: setLength } = table.sets;

  let d = putUvarint(dst, 0, total);
  /** Uncompressed position. */
  let u = 0;
  /** The open literal's tag position (-1: none) and length so far. */
  let litTag = -1;
  let litLen = 0;
  /** A copy not yet emitted (a following copy at the same offset extends it). */
  let copyOffset = 0;
  let copyLength = 0;

  for (let i = 0; i < seriesCount; i++) {
    const set = sets[i]!;
    // TimeSeries header (≤ 9 bytes): literal.
    if (copyLength > 0) {
      d = emitCopy(dst, d, copyOffset, copyLength);
      copyLength = 0;
    }
    if (litTag < 0 || litLen > MAX_LITERAL - 9) {
      if (litTag >= 0) dst[litTag] = (litLen - 1) << 2;
      litTag = d++;
      litLen = 0;
    }
    const h = d;
    dst[d++] = 0x0a;
    d = putUvarint(dst, d, tsSizes[i]!);
    litLen += d - h;
    u += d - h;
    for (let k = setStart[set]!, kEnd = k + setLength[set]!; k < kEnd; k++) {
      const id = pairs[k]!;
      const from = pairOffset[id]!;
      const len = pairSize[id]!;
      // A copy costs 2–3 bytes, 5 when the pair was last seen more than 64 KiB back.
      if (stamp[id] === req && len >= 4 && (len >= 8 || u - lastPos[id]! < 0x10000)) {
        const offset = u - lastPos[id]!;
        if (copyLength > 0 && copyOffset === offset) copyLength += len;
        else {
          if (copyLength > 0) d = emitCopy(dst, d, copyOffset, copyLength);
          if (litTag >= 0) {
            dst[litTag] = (litLen - 1) << 2;
            litTag = -1;
          }
          copyOffset = offset;
          copyLength = len;
        }
      } else {
        if (copyLength > 0) {
          d = emitCopy(dst, d, copyOffset, copyLength);
          copyLength = 0;
        }
        let b = 0;
        while (b < len) {
          if (litTag < 0 || litLen === MAX_LITERAL) {
            if (litTag >= 0) dst[litTag] = (MAX_LITERAL - 1) << 2;
            litTag = d++;
            litLen = 0;
          }
          const n = Math.min(len - b, MAX_LITERAL - litLen);
          // At most 60 bytes: a loop beats creating a subarray for set().
          for (let e = b + n; b < e; b++) dst[d++] = pairBytes[from + b]!;
          litLen += n;
        }
      }
      stamp[id] = req;
      lastPos[id] = u;
      u += len;
    }
    // Samples (≤ 22 bytes each): literal.
    if (copyLength > 0) {
      d = emitCopy(dst, d, copyOffset, copyLength);
      copyLength = 0;
    }
    for (let j = first[i]!, e = first[i + 1]!; j < e; j++) {
      if (litTag < 0 || litLen > MAX_LITERAL - 22) {
        if (litTag >= 0) dst[litTag] = (litLen - 1) << 2;
        litTag = d++;
        litLen = 0;
      }
      const start = d;
      const v = sampleVs[order[j]!]!;
      const t = sampleTs[order[j]!]!;
      f64[0] = v;
      const hasValue = (f64Words[0]! | f64Words[1]!) !== 0;
      dst[d++] = 0x12;
      dst[d++] = (hasValue ? 9 : 0) + (t !== 0 ? 1 + int64VarintLength(t) : 0);
      if (hasValue) {
        dst[d++] = 0x09;
        view.setFloat64(d, v, true);
        d += 8;
      }
      if (t !== 0) {
        dst[d++] = 0x10;
        d = putInt64Varint(dst, d, t);
      }
      litLen += d - start;
      u += d - start;
    }
  }
  if (copyLength > 0) d = emitCopy(dst, d, copyOffset, copyLength);
  if (litTag >= 0) dst[litTag] = (litLen - 1) << 2;
  if (u !== total) throw new Error(`remote_write encoder: wrote ${u} bytes, sized ${total}`);
  return { body: dst.slice(0, d), rawSize: total };
}
