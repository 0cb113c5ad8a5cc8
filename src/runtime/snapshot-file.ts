/**
 * Reading a snapshot file (`k8smon snapshot > cluster.json`) without holding
 * the whole text in memory. A 150,000-pod snapshot is ~110 MB of JSON: read
 * at once it costs the file buffer, a 110 MB string and then the objects, and
 * on a VM every freshly touched page is paid for. Here the file is read in
 * small chunks and each resource array is parsed a run of whole elements at a
 * time with JSON.parse, so JSON.parse still validates every element.
 *
 * The streaming path handles the shape snapshots have (a top-level object of
 * arrays and plain values). Anything else, or anything malformed, falls back to
 * JSON.parse of the whole file, so the result and the error message are always
 * exactly JSON.parse's.
 */
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;

function isWhitespace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/** The streaming path met something it does not handle; JSON.parse decides. */
class Unstreamable extends Error {}

/** Where the top-level parser is between tokens. */
type State = 'open' | 'first-key' | 'key' | 'colon' | 'value' | 'array' | 'plain-value' | 'after-value' | 'end';

class TopLevelReader {
  private buf: Buffer;
  private len = 0;
  private pos = 0;
  private state: State = 'open';
  private readonly out: Record<string, unknown> = {};
  private key = '';
  /** Array mode: start of the first element not parsed yet, nesting depth, last top-level comma. */
  private elementStart = 0;
  private depth = 0;
  private lastComma = -1;
  private elementsSeen = false;
  private commaSeen = false;
  /** Plain-value mode: where the value's text starts. */
  private valueStart = 0;

  constructor(private readonly chunkSize: number) {
    this.buf = Buffer.allocUnsafe(chunkSize * 2);
  }

  read(fd: number): Record<string, unknown> {
    for (;;) {
      const n = this.fill(fd);
      this.scan();
      if (this.state === 'array' && this.lastComma > this.elementStart) this.flushElements(this.lastComma, false);
      if (n === 0) break;
    }
    if (this.state !== 'end') throw new Unstreamable();
    return this.out;
  }

  /** Drops what is consumed, makes room for a chunk and reads it; returns the bytes read. */
  private fill(fd: number): number {
    const pending = this.state === 'array' ? this.elementStart : this.state === 'plain-value' ? this.valueStart : this.pos;
    if (pending > 0) {
      this.buf.copyWithin(0, pending, this.len);
      this.len -= pending;
      this.pos -= pending;
      this.elementStart -= pending;
      this.valueStart -= pending;
      this.lastComma -= pending;
    }
    if (this.len + this.chunkSize > this.buf.length) {
      // One element larger than the buffer (an Endpoints object with thousands of addresses).
      const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.len + this.chunkSize));
      this.buf.copy(bigger, 0, 0, this.len);
      this.buf = bigger;
    }
    const n = readSync(fd, this.buf, this.len, this.chunkSize, null);
    this.len += n;
    return n;
  }

  /** The end of the string that starts at `start` (its closing quote), or -1 when it is not all read yet. */
  private stringEnd(start: number): number {
    let q = start;
    for (;;) {
      q = this.buf.indexOf(QUOTE, q + 1);
      if (q === -1 || q >= this.len) return -1;
      let backslashes = 0;
      while (this.buf[q - 1 - backslashes] === BACKSLASH) backslashes++;
      if (backslashes % 2 === 0) return q;
    }
  }

  private scan(): void {
    while (this.pos < this.len) {
      const c = this.buf[this.pos]!;
      if (this.state === 'array' || this.state === 'plain-value') {
        if (c === QUOTE) {
          const end = this.stringEnd(this.pos);
          if (end === -1) return;
          this.pos = end + 1;
          continue;
        }
        if (c === OPEN_OBJECT || c === OPEN_ARRAY) this.depth++;
        else if (this.depth > 0 && (c === CLOSE_OBJECT || c === CLOSE_ARRAY)) this.depth--;
        else if (this.depth === 0) this.topLevelByte(c);
        this.pos++;
        continue;
      }
      if (isWhitespace(c)) {
        this.pos++;
        continue;
      }
      switch (this.state) {
        case 'open':
          if (c !== OPEN_OBJECT) throw new Unstreamable();
          this.state = 'first-key';
          break;
        case 'first-key':
        case 'key': {
          if (c === CLOSE_OBJECT && this.state === 'first-key') {
            this.state = 'end';
            break;
          }
          if (c !== QUOTE) throw new Unstreamable();
          const end = this.stringEnd(this.pos);
          if (end === -1) return;
          this.key = this.parse(this.pos, end + 1) as string;
          this.pos = end;
          this.state = 'colon';
          break;
        }
        case 'colon':
          if (c !== COLON) throw new Unstreamable();
          this.state = 'value';
          break;
        case 'value':
          this.depth = 0;
          if (c === OPEN_ARRAY) {
            this.state = 'array';
            this.store([]);
            this.elementStart = this.pos + 1;
            this.lastComma = -1;
            this.elementsSeen = false;
            this.commaSeen = false;
          } else {
            this.state = 'plain-value';
            this.valueStart = this.pos;
            continue; // the value's first byte may itself open a nesting level
          }
          break;
        case 'after-value':
          if (c === COMMA) this.state = 'key';
          else if (c === CLOSE_OBJECT) this.state = 'end';
          else throw new Unstreamable();
          break;
        case 'end':
          throw new Unstreamable();
      }
      this.pos++;
    }
  }

  /** A byte outside strings at nesting depth 0 of an array or plain value. */
  private topLevelByte(c: number): void {
    if (this.state === 'array') {
      if (c === COMMA) {
        this.lastComma = this.pos;
        this.commaSeen = true;
      } else if (c === CLOSE_ARRAY) {
        this.flushElements(this.pos, true);
        this.state = 'after-value';
      } else if (c === CLOSE_OBJECT) {
        throw new Unstreamable();
      }
      return;
    }
    // A plain value ends where its object member does.
    if (c === COMMA || c === CLOSE_OBJECT) {
      this.store(this.parse(this.valueStart, this.pos));
      this.state = c === COMMA ? 'key' : 'end';
    } else if (c === CLOSE_ARRAY) {
      throw new Unstreamable();
    }
  }

  /** Parses the elements in [elementStart, end) as one JSON array and appends them. */
  private flushElements(end: number, last: boolean): void {
    const text = this.buf.toString('utf8', this.elementStart, end);
    if (text.trim() === '') {
      // `[]` is fine; an empty element (`[1,,2]`, `[1,]`) is not: JSON.parse says how.
      if (last && !this.elementsSeen && !this.commaSeen) return;
      throw new Unstreamable();
    }
    let elements: unknown[];
    try {
      elements = JSON.parse(`[${text}]`) as unknown[];
    } catch {
      throw new Unstreamable();
    }
    const target = this.out[this.key] as unknown[];
    for (const e of elements) target.push(e);
    this.elementsSeen = true;
    this.elementStart = end + 1;
  }

  private parse(start: number, end: number): unknown {
    try {
      return JSON.parse(this.buf.toString('utf8', start, end));
    } catch {
      throw new Unstreamable();
    }
  }

  /** Sets out[key] as JSON.parse would: an own property even for `__proto__`, the last duplicate winning. */
  private store(value: unknown): void {
    Object.defineProperty(this.out, this.key, { value, enumerable: true, writable: true, configurable: true });
  }
}

/**
 * The top-level object of the JSON file at `path`, read in chunks of
 * `chunkSize` bytes; undefined when the file is not such an object or not
 * valid JSON (readJsonFile then lets JSON.parse say why).
 */
export function streamJsonObject(path: string, chunkSize = 64 * 1024): Record<string, unknown> | undefined {
  const fd = openSync(path, 'r');
  try {
    return new TopLevelReader(chunkSize).read(fd);
  } catch (err) {
    if (err instanceof Unstreamable) return undefined;
    throw err;
  } finally {
    closeSync(fd);
  }
}

/**
 * The JSON value in the file at `path`, exactly as JSON.parse(readFileSync(path))
 * returns it (or throws), read in chunks when it is an object.
 */
export function readJsonFile(path: string, chunkSize?: number): unknown {
  return streamJsonObject(path, chunkSize) ?? JSON.parse(readFileSync(path, 'utf8'));
}
