/**
 * The sender's write-ahead log: every sample is on disk before it is sent,
 * and stays there until the receiver has taken it, so a restart — even a
 * SIGKILL during a receiver outage — sends what was not acknowledged
 * (Prometheus' own agent drops that backlog: prometheus/prometheus#8809).
 *
 * Layout, in `dir`:
 *   <8-digit index>.seg  segments, written in turn. Header: "K8SWAL01" and the
 *                        sequence number of its first sample (float64 LE).
 *                        Then records: u32 payload length, u32 CRC-32 of the
 *                        payload, payload. Payload byte 0 is the type:
 *                        1 series  (u32 ref, u32 count, then count × name and
 *                                   value, each a u32 length and UTF-8)
 *                        2 samples (u32 count, then count × u32 ref,
 *                                   float64 timestamp, float64 value)
 *                        A series record precedes the first sample of that
 *                        series in every segment, so a segment stands alone.
 *   acks                 the acknowledgement watermarks: "K8SACK01", u32
 *                        shard count N, N × float64, CRC-32. Shard k's
 *                        watermark w means every sample of shard k (series
 *                        hash mod N) with a sequence number below w has been
 *                        acknowledged (or given up for good). Rewritten in
 *                        place after every acknowledged request.
 *
 * Samples are numbered (sequence numbers) in the order they were appended.
 * A segment is deleted once every shard's watermark is past its last sample.
 * On open, records are read back: a torn or corrupt record at the tail of the
 * last segment (a write cut short by a crash) is truncated away; series come
 * back with the refs they had; the samples that the watermarks do not cover
 * are what the sender sends first.
 *
 * Bounds (defaults): 512 MiB on disk, samples at most 4 h old (by when they
 * were written), 8 MiB segments. Beyond a bound the oldest segment is deleted,
 * sent or not, and its unsent samples are counted as dropped.
 *
 * fsync: records are written to the file (write(2)) as they are appended, so
 * a killed process loses nothing; the segment is fsync'd every
 * `fsyncIntervalMs` (default 1 s) when it has new data, and when a segment is
 * closed. A machine crash loses at most the last interval. The acks file is
 * written without fsync: after a machine crash the watermarks can be behind,
 * and what they no longer cover is sent again (a receiver ignores an exact
 * duplicate).
 */
import { closeSync, fdatasyncSync, fstatSync, ftruncateSync, mkdirSync, openSync, readdirSync, readSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export interface WalOptions {
  dir: string;
  /**
   * A segment is closed and a new one started past this size (default 64 MiB).
   * Each segment repeats the series records of the series it holds, so a
   * segment must hold many scrapes: at 8 MiB, one node's ~35,000 series
   * (~12 MB of series records) filled a segment every scrape, and the agent
   * spent its time rewriting them.
   */
  segmentBytes?: number;
  /** Bytes on disk before the oldest segments are dropped (default 512 MiB). */
  maxBytes?: number;
  /** Segments last written longer ago than this are dropped (default 4 h). */
  maxAgeMs?: number;
  /** How often new data is fsync'd (default 1000 ms; 0: after every append). */
  fsyncIntervalMs?: number;
  /** For tests: the clock. */
  now?: () => number;
}

/**
 * The refs whose series records the head segment holds. A sender's refs are
 * a base plus a dense set number, so a bitmap from the first ref seen on
 * holds them in a bit each (a Set of ~35,000 numbers took 1.25 MB); a ref
 * below that, or implausibly far above it, goes to a Set.
 */
class RefSet {
  private base = -1;
  private bits = new Uint8Array(0);
  private readonly others = new Set<number>();

  /** Adds `ref`; false if it was there already. */
  add(ref: number): boolean {
    if (this.base === -1) this.base = ref;
    const i = ref - this.base;
    if (i < 0 || i >= 1 << 26) {
      if (this.others.has(ref)) return false;
      this.others.add(ref);
      return true;
    }
    const byte = i >>> 3;
    if (byte >= this.bits.length) {
      const bigger = new Uint8Array(Math.max(byte + 1, 2 * this.bits.length, 1024));
      bigger.set(this.bits);
      this.bits = bigger;
    }
    const bit = 1 << (i & 7);
    if ((this.bits[byte]! & bit) !== 0) return false;
    this.bits[byte]! |= bit;
    return true;
  }
}

/** The largest append buffer kept for the next append. */
const MAX_SCRATCH = 2 << 20;

export const WAL_DEFAULTS = { segmentBytes: 64 << 20, maxBytes: 512 << 20, maxAgeMs: 4 * 3_600_000, fsyncIntervalMs: 1000 } as const;

const SEGMENT_MAGIC = Buffer.from('K8SWAL01');
const ACK_MAGIC = Buffer.from('K8SACK01');
const HEADER_SIZE = 16;
const REC_SERIES = 1;
const REC_SAMPLES = 2;
const SAMPLE_SIZE = 20;

const CRC_TABLE = (() => {
  const t = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c;
  }
  return t;
})();

/** CRC-32 (IEEE), as zlib computes it. */
export function crc32(buf: Uint8Array, start = 0, end = buf.length): number {
  let c = -1;
  for (let i = start; i < end; i++) c = CRC_TABLE[(c ^ buf[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}

interface SegmentMeta {
  index: number;
  firstSeq: number;
  /** Samples in the segment. */
  count: number;
  bytes: number;
  /** Last write (ms). */
  mtime: number;
}

/** Where reading resumes: a record boundary. */
export interface WalCursor {
  segment: number;
  offset: number;
  /** Sequence number of the first sample at or after this point. */
  seq: number;
}

export interface WalSamples {
  refs: number[];
  timestamps: number[];
  /** Float64Array: keeps NaN payloads (the staleness marker). */
  values: Float64Array;
  /** Sequence number of the first; the others follow one by one. */
  firstSeq: number;
}

export interface WalReplay {
  /** Every series found, by ref, labels as written (sorted). */
  series: Map<number, Record<string, string>>;
  /** Where the unacknowledged samples start. */
  cursor: WalCursor;
  /** Watermarks from the acks file (empty when there was none or it was unreadable). */
  watermarks: number[];
  /** Records cut away as torn or corrupt. */
  corruptRecords: number;
}

export class WriteAheadLog {
  readonly dir: string;
  private readonly segmentBytes: number;
  private readonly maxBytes: number;
  private readonly maxAgeMs: number;
  private readonly fsyncIntervalMs: number;
  private readonly now: () => number;
  private segments: SegmentMeta[] = [];
  private fd = -1;
  private head!: SegmentMeta;
  private seriesInHead = new RefSet();
  private scratch = Buffer.alloc(0);
  private nextSeq = 0;
  private dirty = false;
  private syncTimer: NodeJS.Timeout | undefined;
  private ackFd = -1;
  private closed = false;
  /** Samples dropped by the bounds since open. */
  droppedSamples = 0;
  replay: WalReplay;

  constructor(options: WalOptions) {
    this.dir = options.dir;
    this.segmentBytes = options.segmentBytes ?? WAL_DEFAULTS.segmentBytes;
    this.maxBytes = options.maxBytes ?? WAL_DEFAULTS.maxBytes;
    this.maxAgeMs = options.maxAgeMs ?? WAL_DEFAULTS.maxAgeMs;
    this.fsyncIntervalMs = options.fsyncIntervalMs ?? WAL_DEFAULTS.fsyncIntervalMs;
    this.now = options.now ?? Date.now;
    mkdirSync(this.dir, { recursive: true });
    this.replay = this.load();
    this.openSegment();
    if (this.fsyncIntervalMs > 0) {
      this.syncTimer = setInterval(() => this.sync(), this.fsyncIntervalMs);
      this.syncTimer.unref();
    }
  }

  get headSeq(): number {
    return this.nextSeq;
  }

  get bytes(): number {
    let n = 0;
    for (const s of this.segments) n += s.bytes;
    return n;
  }

  get segmentCount(): number {
    return this.segments.length;
  }

  /** The sequence number of the oldest sample still on disk. */
  get firstSeq(): number {
    return this.segments[0]?.firstSeq ?? this.nextSeq;
  }

  private segmentPath(index: number): string {
    return join(this.dir, `${String(index).padStart(8, '0')}.seg`);
  }

  // ---- open and replay ------------------------------------------------------

  private load(): WalReplay {
    const series = new Map<number, Record<string, string>>();
    const indexes = readdirSync(this.dir)
      .filter((f) => /^\d{8}\.seg$/.test(f))
      .map((f) => Number(f.slice(0, 8)))
      .sort((a, b) => a - b);
    const watermarks = this.readAcks();
    const minWatermark = watermarks.length > 0 ? Math.min(...watermarks) : -Infinity;
    let cursor: WalCursor | undefined;
    let corrupt = 0;
    for (let i = 0; i < indexes.length; i++) {
      const index = indexes[i]!;
      const path = this.segmentPath(index);
      const data = readWhole(path);
      if (data.length < HEADER_SIZE || !data.subarray(0, 8).equals(SEGMENT_MAGIC)) {
        // A segment whose header never made it to disk holds nothing.
        unlinkSync(path);
        continue;
      }
      const firstSeq = data.readDoubleLE(8);
      let seq = firstSeq;
      let pos = HEADER_SIZE;
      while (pos < data.length) {
        const rec = readRecord(data, pos);
        if (rec === undefined) {
          corrupt++;
          break;
        }
        const type = data[rec.start]!;
        if (type === REC_SERIES) {
          const { ref, labels } = decodeSeries(data, rec.start + 1);
          series.set(ref, labels);
        } else if (type === REC_SAMPLES) {
          const count = data.readUInt32LE(rec.start + 1);
          if (cursor === undefined && seq + count > minWatermark) cursor = { segment: index, offset: pos, seq };
          seq += count;
        }
        pos = rec.end;
      }
      if (pos < data.length) {
        // Cut the torn or corrupt tail: everything after it is unreadable anyway.
        const fd = openSync(path, 'r+');
        ftruncateSync(fd, pos);
        closeSync(fd);
      }
      this.segments.push({ index, firstSeq, count: seq - firstSeq, bytes: pos, mtime: statSync(path).mtimeMs });
      this.nextSeq = seq;
    }
    const nextIndex = (indexes.at(-1) ?? 0) + 1;
    this.head = { index: nextIndex, firstSeq: this.nextSeq, count: 0, bytes: 0, mtime: this.now() };
    return { series, cursor: cursor ?? { segment: nextIndex, offset: HEADER_SIZE, seq: this.nextSeq }, watermarks, corruptRecords: corrupt };
  }

  private readAcks(): number[] {
    let data: Buffer;
    try {
      data = readWhole(join(this.dir, 'acks'));
    } catch {
      return [];
    }
    if (data.length < 16 || !data.subarray(0, 8).equals(ACK_MAGIC)) return [];
    const n = data.readUInt32LE(8);
    const end = 12 + 8 * n;
    if (data.length < end + 4 || crc32(data, 0, end) !== data.readUInt32LE(end)) return [];
    const out: number[] = [];
    for (let k = 0; k < n; k++) out.push(data.readDoubleLE(12 + 8 * k));
    return out;
  }

  // ---- writing --------------------------------------------------------------

  private openSegment(): void {
    const path = this.segmentPath(this.head.index);
    this.fd = openSync(path, 'w+');
    const header = Buffer.alloc(HEADER_SIZE);
    SEGMENT_MAGIC.copy(header, 0);
    header.writeDoubleLE(this.nextSeq, 8);
    writeSync(this.fd, header);
    this.head.bytes = HEADER_SIZE;
    this.head.firstSeq = this.nextSeq;
    this.segments.push(this.head);
    this.seriesInHead = new RefSet();
  }

  private rotate(): void {
    fdatasyncSync(this.fd);
    closeSync(this.fd);
    this.dirty = false;
    this.head = { index: this.head.index + 1, firstSeq: this.nextSeq, count: 0, bytes: 0, mtime: this.now() };
    this.openSegment();
  }

  /**
   * Appends samples (refs with their labels looked up by `labelsOf` when the
   * head segment has not seen the series yet). Returns the sequence number of
   * the first sample and where its record starts.
   */
  append(refs: ArrayLike<number>, timestamps: ArrayLike<number>, values: ArrayLike<number>, count: number, labelsOf: (ref: number) => Readonly<Record<string, string>>): { firstSeq: number; cursor: WalCursor } {
    if (this.closed) throw new Error('write-ahead log is closed');
    if (this.head.bytes >= this.segmentBytes) this.rotate();
    // The series records the head segment lacks, then the samples record, written through one scratch
    // buffer kept between appends (a scrape's records are hundreds of KB, and a fresh buffer each time
    // left the allocator's heap fragmented). A new segment's first appends carry the records of every
    // series (~8 MB for one node's cAdvisor): they go out a scratch buffer at a time, never whole.
    const samplesSize = 8 + 5 + SAMPLE_SIZE * count;
    const buf = this.scratchOf(samplesSize);
    let p = 0;
    const flush = (): void => {
      if (p === 0) return;
      writeSync(this.fd, buf, 0, p);
      this.head.bytes += p;
      p = 0;
    };
    for (let i = 0; i < count; i++) {
      const ref = refs[i]!;
      if (!this.seriesInHead.add(ref)) continue;
      const labels = labelsOf(ref);
      const payload = seriesRecordSize(labels);
      if (p + 8 + payload > buf.length) flush();
      const out = 8 + payload > buf.length ? Buffer.allocUnsafeSlow(8 + payload) : buf; // a label set larger than the scratch buffer
      const at = out === buf ? p : 0;
      writeSeriesRecord(out, at + 8, ref, labels);
      sealRecord(out, at, payload);
      if (out === buf) p += 8 + payload;
      else {
        writeSync(this.fd, out);
        this.head.bytes += out.length;
      }
    }
    if (p + samplesSize > buf.length) flush();
    const out = samplesSize > buf.length ? Buffer.allocUnsafeSlow(samplesSize) : buf;
    const start = out === buf ? p : 0;
    const cursor: WalCursor = { segment: this.head.index, offset: this.head.bytes + start, seq: this.nextSeq };
    out[start + 8] = REC_SAMPLES;
    out.writeUInt32LE(count, start + 9);
    const view = new DataView(out.buffer, out.byteOffset, out.length);
    let q = start + 13;
    for (let i = 0; i < count; i++) {
      view.setUint32(q, refs[i]!, true);
      view.setFloat64(q + 4, timestamps[i]!, true);
      view.setFloat64(q + 12, values[i]!, true);
      q += SAMPLE_SIZE;
    }
    sealRecord(out, start, 5 + SAMPLE_SIZE * count);
    if (out === buf) {
      p += samplesSize;
      flush();
    } else {
      writeSync(this.fd, out, 0, samplesSize);
      this.head.bytes += samplesSize;
    }
    this.head.count += count;
    this.head.mtime = this.now();
    const firstSeq = this.nextSeq;
    this.nextSeq += count;
    this.dirty = true;
    if (this.fsyncIntervalMs === 0) this.sync();
    return { firstSeq, cursor };
  }

  /** The scratch buffer, grown (up to MAX_SCRATCH) to hold `size` bytes if it can. */
  private scratchOf(size: number): Buffer {
    if (this.scratch.length < size && this.scratch.length < MAX_SCRATCH) this.scratch = Buffer.allocUnsafeSlow(Math.min(MAX_SCRATCH, Math.max(size, 2 * this.scratch.length, 64 * 1024)));
    return this.scratch;
  }

  /** fsync the head segment if it has unsynced data. */
  sync(): void {
    if (this.dirty && this.fd >= 0) {
      fdatasyncSync(this.fd);
      this.dirty = false;
    }
  }

  // ---- reading back -----------------------------------------------------------

  /**
   * Sample records from `cursor` on, up to about `maxSamples` (whole records),
   * and the cursor after them. Series records met on the way are passed to
   * `onSeries`. A cursor in a segment that was dropped moves to the oldest
   * segment still there.
   */
  read(cursor: WalCursor, maxSamples: number, onSeries?: (ref: number, labels: Record<string, string>) => void): { batches: WalSamples[]; cursor: WalCursor } {
    const batches: WalSamples[] = [];
    let cur = cursor;
    let got = 0;
    while (got < maxSamples) {
      const seg = this.segments.find((s) => s.index >= cur.segment);
      if (seg === undefined) break;
      if (seg.index !== cur.segment) cur = { segment: seg.index, offset: HEADER_SIZE, seq: seg.firstSeq };
      if (cur.offset >= seg.bytes) {
        if (seg === this.head) break;
        cur = { segment: seg.index + 1, offset: HEADER_SIZE, seq: cur.seq };
        continue;
      }
      let data = this.readRange(seg.index, cur.offset, Math.min(seg.bytes - cur.offset, Math.max(1 << 20, (maxSamples - got) * SAMPLE_SIZE + 65536)));
      if (readRecord(data, 0) === undefined) {
        // The first record is larger than the read: read it whole.
        const len = data.length >= 8 ? data.readUInt32LE(0) : 0;
        if (len > 0 && cur.offset + 8 + len <= seg.bytes) data = this.readRange(seg.index, cur.offset, 8 + len);
        if (readRecord(data, 0) === undefined) {
          // Unreadable in the middle of the log (the disk, not a torn write): skip the rest of the segment.
          if (seg === this.head) break;
          cur = { segment: seg.index + 1, offset: HEADER_SIZE, seq: seg.firstSeq + seg.count };
          continue;
        }
      }
      let pos = 0;
      let seq = cur.seq;
      while (pos < data.length && got < maxSamples) {
        const rec = readRecord(data, pos);
        if (rec === undefined) break; // cut by the read size: the next read starts here
        const type = data[rec.start]!;
        if (type === REC_SERIES) {
          if (onSeries !== undefined) {
            const s = decodeSeries(data, rec.start + 1);
            onSeries(s.ref, s.labels);
          }
        } else if (type === REC_SAMPLES) {
          const count = data.readUInt32LE(rec.start + 1);
          const refs = new Array<number>(count);
          const timestamps = new Array<number>(count);
          const values = new Float64Array(count);
          const view = new DataView(data.buffer, data.byteOffset + rec.start + 5, count * SAMPLE_SIZE);
          for (let i = 0; i < count; i++) {
            refs[i] = view.getUint32(i * SAMPLE_SIZE, true);
            timestamps[i] = view.getFloat64(i * SAMPLE_SIZE + 4, true);
            values[i] = view.getFloat64(i * SAMPLE_SIZE + 12, true);
          }
          batches.push({ refs, timestamps, values, firstSeq: seq });
          seq += count;
          got += count;
        }
        pos = rec.end;
      }
      cur = { segment: seg.index, offset: cur.offset + pos, seq };
    }
    return { batches, cursor: cur };
  }

  private readRange(index: number, offset: number, length: number): Buffer {
    const fd = index === this.head.index ? this.fd : openSync(this.segmentPath(index), 'r');
    try {
      const buf = Buffer.allocUnsafe(length);
      let n = 0;
      while (n < length) {
        const r = readSync(fd, buf, n, length - n, offset + n);
        if (r === 0) break;
        n += r;
      }
      return buf.subarray(0, n);
    } finally {
      if (fd !== this.fd) closeSync(fd);
    }
  }

  // ---- acknowledgement and bounds ---------------------------------------------

  /** Persists the watermarks and deletes every closed segment that all of them have passed. */
  acknowledge(watermarks: readonly number[]): void {
    if (this.closed) return;
    const buf = Buffer.alloc(12 + 8 * watermarks.length + 4);
    ACK_MAGIC.copy(buf, 0);
    buf.writeUInt32LE(watermarks.length, 8);
    watermarks.forEach((w, k) => buf.writeDoubleLE(w, 12 + 8 * k));
    buf.writeUInt32LE(crc32(buf, 0, buf.length - 4), buf.length - 4);
    if (this.ackFd < 0) this.ackFd = openSync(join(this.dir, 'acks'), 'w');
    writeSync(this.ackFd, buf, 0, buf.length, 0);
    const low = Math.min(...watermarks);
    while (this.segments.length > 1 && this.segments[0] !== this.head && this.segments[0]!.firstSeq + this.segments[0]!.count <= low) this.deleteOldest();
  }

  private deleteOldest(): SegmentMeta {
    const seg = this.segments.shift()!;
    try {
      unlinkSync(this.segmentPath(seg.index));
    } catch {
      // already gone
    }
    return seg;
  }

  /**
   * Applies the size and age bounds: drops the oldest segments beyond them.
   * `sentBelow` is the sequence number below which samples have at least been
   * read for sending; the samples of a dropped segment at or above it are
   * counted as dropped. Returns how many were dropped.
   */
  enforceBounds(sentBelow: number): number {
    let dropped = 0;
    const now = this.now();
    for (;;) {
      const oldest = this.segments[0];
      if (oldest === undefined) break;
      const over = this.bytes > this.maxBytes || now - oldest.mtime > this.maxAgeMs;
      if (!over) break;
      if (oldest === this.head) {
        if (this.head.count === 0) break;
        this.rotate();
        continue;
      }
      this.deleteOldest();
      const end = oldest.firstSeq + oldest.count;
      dropped += Math.max(0, end - Math.max(sentBelow, oldest.firstSeq));
    }
    this.droppedSamples += dropped;
    return dropped;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.syncTimer !== undefined) clearInterval(this.syncTimer);
    this.sync();
    closeSync(this.fd);
    this.fd = -1;
    if (this.ackFd >= 0) {
      fdatasyncSync(this.ackFd);
      closeSync(this.ackFd);
    }
  }
}

function readWhole(path: string): Buffer {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const buf = Buffer.allocUnsafe(size);
    let n = 0;
    while (n < size) {
      const r = readSync(fd, buf, n, size - n, n);
      if (r === 0) break;
      n += r;
    }
    return buf.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}

/** Writes the length and CRC-32 of the record whose payload (`length` bytes) starts at pos + 8. */
function sealRecord(buf: Buffer, pos: number, length: number): void {
  buf.writeUInt32LE(length, pos);
  buf.writeUInt32LE(crc32(buf, pos + 8, pos + 8 + length), pos + 4);
}

/** The payload bounds of the record at `pos`, or undefined when it is cut short or fails its CRC. */
function readRecord(data: Buffer, pos: number): { start: number; end: number } | undefined {
  if (pos + 8 > data.length) return undefined;
  const len = data.readUInt32LE(pos);
  const start = pos + 8;
  const end = start + len;
  if (len === 0 || end > data.length) return undefined;
  if (crc32(data, start, end) !== data.readUInt32LE(pos + 4)) return undefined;
  return { start, end };
}

function seriesRecordSize(labels: Readonly<Record<string, string>>): number {
  let size = 9;
  for (const n in labels) size += 8 + Buffer.byteLength(n, 'utf8') + Buffer.byteLength(labels[n]!, 'utf8');
  return size;
}

/** A series record's payload at `pos`: type, u32 ref, u32 count, then each name and value as a u32 length and UTF-8. */
function writeSeriesRecord(out: Buffer, pos: number, ref: number, labels: Readonly<Record<string, string>>): void {
  out[pos] = REC_SERIES;
  out.writeUInt32LE(ref, pos + 1);
  let count = 0;
  let p = pos + 9;
  for (const n in labels) {
    for (const text of [n, labels[n]!]) {
      const len = out.write(text, p + 4, 'utf8');
      out.writeUInt32LE(len, p);
      p += 4 + len;
    }
    count++;
  }
  out.writeUInt32LE(count, pos + 5);
}

function decodeSeries(data: Buffer, pos: number): { ref: number; labels: Record<string, string> } {
  const ref = data.readUInt32LE(pos);
  const n = data.readUInt32LE(pos + 4);
  let p = pos + 8;
  const labels: Record<string, string> = {};
  for (let i = 0; i < n; i++) {
    const nl = data.readUInt32LE(p);
    const name = data.toString('utf8', p + 4, p + 4 + nl);
    p += 4 + nl;
    const vl = data.readUInt32LE(p);
    const value = data.toString('utf8', p + 4, p + 4 + vl);
    p += 4 + vl;
    if (name === '__proto__') Object.defineProperty(labels, name, { value, enumerable: true, writable: true, configurable: true });
    else labels[name] = value;
  }
  return { ref, labels };
}
