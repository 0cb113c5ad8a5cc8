/**
 * The remote_write 1.0 WriteRequest in protobuf wire format, written by hand
 * (prometheus/prompb remote.proto and types.proto; only the fields 1.0 uses):
 *
 *   WriteRequest { repeated TimeSeries timeseries = 1; }
 *   TimeSeries   { repeated Label labels = 1; repeated Sample samples = 2; }
 *   Label        { string name = 1; string value = 2; }
 *   Sample       { double value = 1; int64 timestamp = 2; }
 *
 * A series' labels are encoded once (sorted by name, as the receiver expects)
 * and copied into every request that carries the series; a request is sized
 * first, then written into one buffer. Like Prometheus' gogo-generated
 * marshaller, fields holding the zero value (timestamp 0, value +0) are left
 * out: a decoder reads them back as zero.
 */
import { compareUtf8 } from '../semantics/labels.js';

const TAG_LEN_1 = 0x0a; // field 1, length-delimited
const TAG_LEN_2 = 0x12; // field 2, length-delimited
const TAG_FIXED64_1 = 0x09; // field 1, 64-bit
const TAG_VARINT_2 = 0x10; // field 2, varint

const f64 = new Float64Array(1);
const f64Words = new Uint32Array(f64.buffer);

/** Bytes the unsigned varint of `n` (0 ≤ n < 2^53) takes. */
export function uvarintLength(n: number): number {
  if (n < 0x80) return 1;
  if (n < 0x4000) return 2;
  if (n < 0x200000) return 3;
  if (n < 0x10000000) return 4;
  let len = 4;
  n = Math.floor(n / 0x10000000);
  while (n > 0) {
    len++;
    n = Math.floor(n / 128);
  }
  return len;
}

/** Writes the unsigned varint of `n` (0 ≤ n < 2^53) at `pos`; the position after it. */
export function putUvarint(buf: Uint8Array, pos: number, n: number): number {
  while (n > 0x7fffffff) {
    buf[pos++] = (n % 128) | 0x80;
    n = Math.floor(n / 128);
  }
  while (n >= 0x80) {
    buf[pos++] = (n & 0x7f) | 0x80;
    n >>>= 7;
  }
  buf[pos++] = n;
  return pos;
}

/** Bytes an int64 varint takes: negative numbers are ten bytes (two's complement), as protobuf writes them. */
export function int64VarintLength(n: number): number {
  return n < 0 ? 10 : uvarintLength(n);
}

export function putInt64Varint(buf: Uint8Array, pos: number, n: number): number {
  if (n >= 0) return putUvarint(buf, pos, n);
  let v = BigInt.asUintN(64, BigInt(n));
  for (let i = 0; i < 9; i++) {
    buf[pos++] = Number(v & 0x7fn) | 0x80;
    v >>= 7n;
  }
  buf[pos++] = Number(v);
  return pos;
}

const utf8 = new TextEncoder();

/**
 * A label set as the `labels` fields of a TimeSeries (each a field-1 Label),
 * sorted by name. Names are compared by UTF-8 bytes, as Go compares strings.
 */
export function encodeLabels(labels: Readonly<Record<string, string>>): Uint8Array {
  const names = Object.keys(labels).sort(compareUtf8);
  const parts: { name: Uint8Array; value: Uint8Array; size: number }[] = [];
  let total = 0;
  for (const name of names) {
    const n = utf8.encode(name);
    const v = utf8.encode(labels[name]!);
    // Label { name = 1; value = 2; }: empty strings are left out like any zero value.
    const size = (n.length > 0 ? 1 + uvarintLength(n.length) + n.length : 0) + (v.length > 0 ? 1 + uvarintLength(v.length) + v.length : 0);
    parts.push({ name: n, value: v, size });
    total += 1 + uvarintLength(size) + size;
  }
  const out = new Uint8Array(total);
  let p = 0;
  for (const { name, value, size } of parts) {
    out[p++] = TAG_LEN_1;
    p = putUvarint(out, p, size);
    if (name.length > 0) {
      out[p++] = TAG_LEN_1;
      p = putUvarint(out, p, name.length);
      out.set(name, p);
      p += name.length;
    }
    if (value.length > 0) {
      out[p++] = TAG_LEN_2;
      p = putUvarint(out, p, value.length);
      out.set(value, p);
      p += value.length;
    }
  }
  return out;
}

/** One series of a request: its encoded labels, then its samples in time order. */
export interface SeriesBatch {
  labels: Uint8Array;
  timestamps: ArrayLike<number>;
  /**
   * A Float64Array keeps a NaN's payload (the staleness marker's) bit for
   * bit; V8 sets the quiet bit of a signalling NaN stored in a plain number[].
   */
  values: ArrayLike<number>;
}

function sampleSize(value: number, ts: number): number {
  f64[0] = value;
  return ((f64Words[0]! | f64Words[1]!) !== 0 ? 9 : 0) + (ts !== 0 ? 1 + int64VarintLength(ts) : 0);
}

/** The WriteRequest carrying `series`, each a TimeSeries in the order given. */
export function encodeWriteRequest(series: readonly SeriesBatch[]): Uint8Array {
  let total = 0;
  const sizes = new Array<number>(series.length);
  for (let i = 0; i < series.length; i++) {
    const s = series[i]!;
    let size = s.labels.length;
    const ts = s.timestamps;
    const vs = s.values;
    for (let j = 0; j < ts.length; j++) {
      const n = sampleSize(vs[j]!, ts[j]!);
      size += 1 + uvarintLength(n) + n;
    }
    sizes[i] = size;
    total += 1 + uvarintLength(size) + size;
  }
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  let p = 0;
  for (let i = 0; i < series.length; i++) {
    const s = series[i]!;
    out[p++] = TAG_LEN_1;
    p = putUvarint(out, p, sizes[i]!);
    out.set(s.labels, p);
    p += s.labels.length;
    const ts = s.timestamps;
    const vs = s.values;
    for (let j = 0; j < ts.length; j++) {
      const v = vs[j]!;
      const t = ts[j]!;
      f64[0] = v;
      const hasValue = (f64Words[0]! | f64Words[1]!) !== 0;
      out[p++] = TAG_LEN_2;
      // A sample is at most 20 bytes: its length is one varint byte.
      out[p++] = (hasValue ? 9 : 0) + (t !== 0 ? 1 + int64VarintLength(t) : 0);
      if (hasValue) {
        out[p++] = TAG_FIXED64_1;
        view.setFloat64(p, v, true);
        p += 8;
      }
      if (t !== 0) {
        out[p++] = TAG_VARINT_2;
        p = putInt64Varint(out, p, t);
      }
    }
  }
  return out;
}
