/**
 * Every label set an agent writes, interned once and numbered: the scrape
 * caches, the agent's external labels, write relabeling, the remote_write
 * encoder and the write-ahead log all refer to a series by its number.
 *
 * Why a table and not label objects: one node's load is ~35,000 series, and
 * a label object per series (plus a key string to find it by, in the scrape
 * cache and again in each sender) cost ~1.4 KB a series. Here a series is a
 * run of label-pair numbers in one shared Int32Array and a few column
 * entries (~40 bytes), and each distinct name and value is one flat string.
 * Nothing is ever built per sample: a sample is a series number.
 *
 * Sets are found by a hash of their names and values (the hash the
 * remote_write sender shards by, so it must stay as it is: a series keeps its
 * shard, and its watermark, across restarts) and compared pair by pair, so
 * no key string is kept either. Numbers are never reused: a set lives as long
 * as the table (the agent's lifetime). That is also the remote_write sender's
 * lifetime for a series, as it is Prometheus' between WAL checkpoints.
 */
import { setOwn, type Labels } from '../semantics/labels.js';
import { compareUtf8 } from '../remote-write/protobuf.js';

/** A copy of `s` that is its own flat string, not a slice of (or a rope over) a larger one that it would keep alive. */
export function flatString(s: string): string {
  return s.length < 13 ? s : (JSON.parse(JSON.stringify(s)) as string);
}

export class LabelSets {
  /** Label pairs: name → value → pair number; the pair's name and value by number. */
  private readonly pairIndex = new Map<string, Map<string, number>>();
  readonly pairNames: string[] = [];
  readonly pairValues: string[] = [];
  /** The sets' pairs (sorted by name, UTF-8 byte order), back to back: set i is pairs[start[i], start[i] + length[i]). */
  pairs = new Int32Array(1 << 12);
  start = new Int32Array(256);
  length = new Int32Array(256);
  /** FNV-1a over the set's names and values (see seriesHash). */
  hash = new Int32Array(256);
  /** The next set with the same hash (-1: none). */
  private next = new Int32Array(256);
  private readonly byHash = new Map<number, number>();
  private used = 0;
  private count = 0;
  /** Scratch: the pair numbers of the set being interned. */
  private scratch = new Int32Array(64);

  /** How many sets. */
  get size(): number {
    return this.count;
  }

  /** How many distinct label pairs. */
  get pairCount(): number {
    return this.pairNames.length;
  }

  /** The number of this label set (labels with empty values included, as given; order does not matter). */
  intern(labels: Readonly<Labels>): number {
    const names: string[] = [];
    for (const k in labels) names.push(k);
    // An insertion sort: sets are a handful of names.
    for (let i = 1; i < names.length; i++) {
      const name = names[i]!;
      let j = i - 1;
      for (; j >= 0 && compareUtf8(names[j]!, name) > 0; j--) names[j + 1] = names[j]!;
      names[j + 1] = name;
    }
    const n = names.length;
    if (this.scratch.length < n) this.scratch = new Int32Array(n * 2);
    const ids = this.scratch;
    let h = 0x811c9dc5;
    for (let i = 0; i < n; i++) {
      const k = names[i]!;
      const v = labels[k]!;
      ids[i] = this.pair(k, v);
      h = seriesHashStep(h, k, v);
    }
    for (let id = this.byHash.get(h & 0x3fffffff) ?? -1; id !== -1; id = this.next[id]!) if (this.sameAsScratch(id, n)) return id;
    return this.add(h, n);
  }

  /** The set's labels, in a new object sorted by name. */
  labels(id: number): Labels {
    const out: Labels = {};
    const s = this.start[id]!;
    const e = s + this.length[id]!;
    for (let i = s; i < e; i++) {
      const p = this.pairs[i]!;
      setOwn(out, this.pairNames[p]!, this.pairValues[p]!);
    }
    return out;
  }

  /** The value of label `name` in set `id`, or undefined. */
  value(id: number, name: string): string | undefined {
    const s = this.start[id]!;
    const e = s + this.length[id]!;
    for (let i = s; i < e; i++) if (this.pairNames[this.pairs[i]!] === name) return this.pairValues[this.pairs[i]!];
    return undefined;
  }

  private pair(name: string, value: string): number {
    let values = this.pairIndex.get(name);
    if (values === undefined) {
      values = new Map();
      this.pairIndex.set(flatString(name), values);
    }
    let id = values.get(value);
    if (id === undefined) {
      id = this.pairNames.length;
      const flatName = flatString(name);
      const flatValue = flatString(value);
      this.pairNames.push(flatName);
      this.pairValues.push(flatValue);
      values.set(flatValue, id);
    }
    return id;
  }

  private sameAsScratch(id: number, n: number): boolean {
    if (this.length[id] !== n) return false;
    const s = this.start[id]!;
    for (let i = 0; i < n; i++) if (this.pairs[s + i] !== this.scratch[i]) return false;
    return true;
  }

  private add(h: number, n: number): number {
    const id = this.count;
    if (id === this.start.length) {
      const cap = id * 2;
      this.start = growInt32(this.start, cap);
      this.length = growInt32(this.length, cap);
      this.hash = growInt32(this.hash, cap);
      this.next = growInt32(this.next, cap);
    }
    if (this.used + n > this.pairs.length) this.pairs = growInt32(this.pairs, Math.max(this.pairs.length * 2, this.used + n));
    this.pairs.set(this.scratch.subarray(0, n), this.used);
    this.start[id] = this.used;
    this.length[id] = n;
    this.hash[id] = h;
    // Keys within 30 bits stay small integers in the Map (a larger number would be an object of its own).
    this.next[id] = this.byHash.get(h & 0x3fffffff) ?? -1;
    this.byHash.set(h & 0x3fffffff, id);
    this.used += n;
    this.count++;
    return id;
  }
}

/** A copy of `a` in a larger array of `size` entries (the rest zero). */
export function growInt32(a: Int32Array, size: number): Int32Array<ArrayBuffer> {
  const b = new Int32Array(size);
  b.set(a);
  return b;
}

/**
 * FNV-1a over a set's names and values in name order, each followed by a
 * separator (0 after a name, 1 after a value), per UTF-16 code unit.
 */
function seriesHashStep(h: number, name: string, value: string): number {
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  h = Math.imul(h ^ 0, 0x01000193);
  for (let i = 0; i < value.length; i++) h = Math.imul(h ^ value.charCodeAt(i), 0x01000193);
  return Math.imul(h ^ 1, 0x01000193);
}
