/**
 * Independent readers for what the remote_write sender produces: a snappy
 * block decoder and a protobuf WriteRequest decoder, written from the format
 * descriptions and sharing no code with src/runtime/remote-write.
 */

export function snappyDecode(src: Uint8Array): Uint8Array {
  let pos = 0;
  let len = 0;
  let shift = 0;
  for (;;) {
    const b = src[pos++];
    if (b === undefined) throw new Error('truncated length');
    len += (b & 0x7f) * 2 ** shift;
    shift += 7;
    if (b < 0x80) break;
  }
  const out = new Uint8Array(len);
  let o = 0;
  while (pos < src.length) {
    const tag = src[pos++]!;
    const kind = tag & 3;
    if (kind === 0) {
      let n = tag >> 2;
      if (n >= 60) {
        const bytes = n - 59;
        n = 0;
        for (let i = 0; i < bytes; i++) n += src[pos++]! * 256 ** i;
      }
      n += 1;
      if (pos + n > src.length || o + n > len) throw new Error(`literal overruns at ${pos}`);
      out.set(src.subarray(pos, pos + n), o);
      pos += n;
      o += n;
      continue;
    }
    let length: number;
    let offset: number;
    if (kind === 1) {
      length = ((tag >> 2) & 7) + 4;
      offset = ((tag >> 5) << 8) | src[pos++]!;
    } else if (kind === 2) {
      length = (tag >> 2) + 1;
      offset = src[pos]! | (src[pos + 1]! << 8);
      pos += 2;
    } else {
      length = (tag >> 2) + 1;
      offset = (src[pos]! | (src[pos + 1]! << 8) | (src[pos + 2]! << 16)) + src[pos + 3]! * 2 ** 24;
      pos += 4;
    }
    if (offset === 0 || offset > o || o + length > len) throw new Error(`bad copy at ${pos}: offset ${offset} length ${length} out ${o}`);
    for (let i = 0; i < length; i++, o++) out[o] = out[o - offset]!;
  }
  if (o !== len) throw new Error(`decoded ${o} bytes, header says ${len}`);
  return out;
}

interface Field {
  field: number;
  wire: number;
  /** varint as bigint, fixed64 as its 8 bytes, bytes as a view */
  value: bigint | Uint8Array;
}

function fields(buf: Uint8Array): Field[] {
  const out: Field[] = [];
  let p = 0;
  const varint = (): bigint => {
    let v = 0n;
    let s = 0n;
    for (;;) {
      const b = buf[p++];
      if (b === undefined) throw new Error('truncated varint');
      v |= BigInt(b & 0x7f) << s;
      s += 7n;
      if (b < 0x80) return v;
    }
  };
  while (p < buf.length) {
    const key = Number(varint());
    const field = key >>> 3;
    const wire = key & 7;
    if (wire === 0) out.push({ field, wire, value: varint() });
    else if (wire === 1) {
      out.push({ field, wire, value: buf.subarray(p, p + 8) });
      p += 8;
    } else if (wire === 2) {
      const n = Number(varint());
      if (p + n > buf.length) throw new Error('length overruns');
      out.push({ field, wire, value: buf.subarray(p, p + n) });
      p += n;
    } else throw new Error(`unexpected wire type ${wire}`);
  }
  return out;
}

export interface DecodedSeries {
  labels: [string, string][];
  samples: { value: number; valueBits: bigint; timestamp: number }[];
}

const text = new TextDecoder('utf-8', { fatal: true });

export function decodeWriteRequest(buf: Uint8Array): DecodedSeries[] {
  return fields(buf).map((ts) => {
    if (ts.field !== 1 || ts.wire !== 2) throw new Error(`unexpected WriteRequest field ${ts.field}`);
    const series: DecodedSeries = { labels: [], samples: [] };
    for (const f of fields(ts.value as Uint8Array)) {
      if (f.field === 1) {
        let name = '';
        let value = '';
        for (const l of fields(f.value as Uint8Array)) {
          if (l.field === 1) name = text.decode(l.value as Uint8Array);
          else if (l.field === 2) value = text.decode(l.value as Uint8Array);
        }
        series.labels.push([name, value]);
      } else if (f.field === 2) {
        let bits = 0n;
        let timestamp = 0;
        for (const s of fields(f.value as Uint8Array)) {
          if (s.field === 1 && s.wire === 1) bits = new DataView((s.value as Uint8Array).slice().buffer).getBigUint64(0, true);
          else if (s.field === 2 && s.wire === 0) timestamp = Number(BigInt.asIntN(64, s.value as bigint));
        }
        const dv = new DataView(new ArrayBuffer(8));
        dv.setBigUint64(0, bits, true);
        series.samples.push({ value: dv.getFloat64(0, true), valueBits: bits, timestamp });
      } else throw new Error(`unexpected TimeSeries field ${f.field}`);
    }
    return series;
  });
}
