/**
 * Snappy compression, block format (not the framed/stream format): what
 * remote_write's `Content-Encoding: snappy` means. Pure JavaScript, written
 * from the format description (google/snappy format_description.txt):
 *
 *   uncompressed length as a varint, then elements:
 *   literal   tag xxxxxx00: length-1 in the upper 6 bits (< 60), or 60..63 =
 *             1..4 little-endian bytes of length-1 follow; then the bytes
 *   copy      tag 01: length 4..11, 11-bit offset; tag 10: length 1..64,
 *             16-bit offset (tag 11, 32-bit offsets, is never needed here)
 *
 * The compressor works on 64 KiB blocks, each with its own hash table of
 * 4-byte sequences (matches never reach into an earlier block), and skips
 * ahead faster the longer it finds nothing — the reference compressor's
 * strategy, so the output is of the same kind and size.
 */

const BLOCK_SIZE = 65536;
const MAX_TABLE_BITS = 14;
/** Matches are never searched in the last 15 bytes of a block. */
const INPUT_MARGIN = 15;
const MIN_NON_LITERAL_BLOCK = 1 + 1 + INPUT_MARGIN;

/** The largest output `snappyCompress` can produce for `n` input bytes. */
export function snappyMaxCompressedLength(n: number): number {
  return 32 + n + Math.floor(n / 6);
}

const table = new Uint16Array(1 << MAX_TABLE_BITS);
/** Scratch output, reused: only the compressed bytes are copied out. */
let output = new Uint8Array(1 << 16);

/** `src` compressed in snappy's block format. */
export function snappyCompress(src: Uint8Array): Uint8Array {
  const bound = snappyMaxCompressedLength(src.length);
  if (output.length < bound) output = new Uint8Array(Math.max(bound, output.length * 2));
  const dst = output;
  let d = 0;
  let n = src.length;
  while (n >= 0x80) {
    dst[d++] = (n % 128) | 0x80;
    n = Math.floor(n / 128);
  }
  dst[d++] = n;
  for (let p = 0; p < src.length; p += BLOCK_SIZE) {
    const end = Math.min(p + BLOCK_SIZE, src.length);
    d = end - p < MIN_NON_LITERAL_BLOCK ? emitLiteral(dst, d, src, p, end) : compressBlock(src, p, end, dst, d);
  }
  return dst.slice(0, d);
}

function load32(b: Uint8Array, i: number): number {
  return b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24);
}

function compressBlock(src: Uint8Array, base: number, end: number, dst: Uint8Array, d: number): number {
  const len = end - base;
  let bits = 8;
  while (bits < MAX_TABLE_BITS && 1 << bits < len) bits++;
  const shift = 32 - bits;
  table.fill(0, 0, 1 << bits);
  const sLimit = end - INPUT_MARGIN;
  let nextEmit = base;
  let s = base + 1;
  let nextHash = Math.imul(load32(src, s), 0x1e35a7bd) >>> shift;
  outer: for (;;) {
    let skip = 32;
    let nextS = s;
    let candidate = 0;
    for (;;) {
      s = nextS;
      const step = skip >> 5;
      nextS = s + step;
      skip += step;
      if (nextS > sLimit) break outer;
      candidate = base + table[nextHash]!;
      table[nextHash] = s - base;
      nextHash = Math.imul(load32(src, nextS), 0x1e35a7bd) >>> shift;
      if (load32(src, s) === load32(src, candidate)) break;
    }
    d = emitLiteral(dst, d, src, nextEmit, s);
    for (;;) {
      const matchStart = s;
      s += 4;
      let i = candidate + 4;
      while (s < end && src[i] === src[s]) {
        i++;
        s++;
      }
      d = emitCopy(dst, d, matchStart - candidate, s - matchStart);
      nextEmit = s;
      if (s >= sLimit) break outer;
      // Hash the position just before and at the end of the match; try the latter at once.
      const prevHash = Math.imul(load32(src, s - 1), 0x1e35a7bd) >>> shift;
      table[prevHash] = s - 1 - base;
      const cur = load32(src, s);
      const currHash = Math.imul(cur, 0x1e35a7bd) >>> shift;
      candidate = base + table[currHash]!;
      table[currHash] = s - base;
      if (cur !== load32(src, candidate)) {
        nextHash = Math.imul(load32(src, s + 1), 0x1e35a7bd) >>> shift;
        s++;
        break;
      }
    }
  }
  if (nextEmit < end) d = emitLiteral(dst, d, src, nextEmit, end);
  return d;
}

function emitLiteral(dst: Uint8Array, d: number, src: Uint8Array, start: number, end: number): number {
  const n = end - start - 1;
  if (n < 0) return d;
  if (n < 60) dst[d++] = n << 2;
  else if (n < 0x100) {
    dst[d++] = 60 << 2;
    dst[d++] = n;
  } else {
    // A literal never spans more than one 64 KiB block.
    dst[d++] = 61 << 2;
    dst[d++] = n & 0xff;
    dst[d++] = n >>> 8;
  }
  if (n < 16) for (let i = start; i < end; i++) dst[d++] = src[i]!;
  else {
    dst.set(src.subarray(start, end), d);
    d += n + 1;
  }
  return d;
}

/**
 * A copy element (or several) of `length` bytes from `offset` back. Offsets of
 * 64 KiB and more (the request encoder's repeated label pairs) take 4-byte offsets.
 */
export function emitCopy(dst: Uint8Array, d: number, offset: number, length: number): number {
  if (offset >= 0x10000) {
    // 4-byte offset, lengths 1..64 per element.
    while (length > 0) {
      const n = Math.min(length, 64);
      dst[d++] = ((n - 1) << 2) | 3;
      dst[d++] = offset & 0xff;
      dst[d++] = (offset >>> 8) & 0xff;
      dst[d++] = (offset >>> 16) & 0xff;
      dst[d++] = offset >>> 24;
      length -= n;
    }
    return d;
  }
  while (length >= 68) {
    dst[d++] = (63 << 2) | 2;
    dst[d++] = offset & 0xff;
    dst[d++] = offset >>> 8;
    length -= 64;
  }
  if (length > 64) {
    dst[d++] = (59 << 2) | 2;
    dst[d++] = offset & 0xff;
    dst[d++] = offset >>> 8;
    length -= 60;
  }
  if (length >= 12 || offset >= 2048) {
    dst[d++] = ((length - 1) << 2) | 2;
    dst[d++] = offset & 0xff;
    dst[d++] = offset >>> 8;
  } else {
    dst[d++] = ((offset >>> 8) << 5) | ((length - 4) << 2) | 1;
    dst[d++] = offset & 0xff;
  }
  return d;
}
