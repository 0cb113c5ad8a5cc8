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
 * no key string is kept either.
 *
 * Sets the agent no longer writes (pods come and go) are forgotten by
 * compact(), which numbers the rest anew; series/collect.ts decides when and
 * has every holder of set numbers map them, as Prometheus' agent forgets
 * series at its WAL checkpoints.
 */
import { FNV_BASIS, fnv1a, fnvStep } from '../../util/fnv.js';
import { compareUtf8, setOwn, type Labels } from '../semantics/labels.js';

/** A copy of `s` that is its own flat string, not a slice of (or a rope over) a larger one that it would keep alive. */
export function flatString(s: string): string {
  return s.length < 13 ? s : (JSON.parse(JSON.stringify(s)) as string);
}

export class LabelSets {
  /** Label pairs: name → value → pair number; the pair's name and value by number. */
  private pairIndex = new Map<string, Map<string, number>>();
  pairNames: string[] = [];
  pairValues: string[] = [];
  /** How many times compact() numbered the sets and pairs anew: a cache by set or pair number is stale when this changed. */
  generation = 0;
  /** The sets' pairs (sorted by name, UTF-8 byte order), back to back: set i is pairs[start[i], start[i] + length[i]). */
  pairs = new Int32Array(1 << 12);
  start = new Int32Array(256);
  length = new Int32Array(256);
  /** FNV-1a over the set's names and values (see seriesHashStep). */
  hash = new Int32Array(256);
  /**
   * The sets by hash: an open-addressing table of set numbers + 1 (0: empty),
   * probed linearly from hash & mask, at most half full. A Map of ~35,000
   * entries took 1.75 MB; this takes 256 KB.
   */
  private slots = new Int32Array(1024);
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
    let h = FNV_BASIS;
    for (let i = 0; i < n; i++) {
      const k = names[i]!;
      const v = labels[k]!;
      ids[i] = this.pair(k, v);
      h = seriesHashStep(h, k, v);
    }
    const mask = this.slots.length - 1;
    let slot = h & mask;
    for (let id = this.slots[slot]! - 1; id !== -1; id = this.slots[slot]! - 1) {
      if (this.hash[id] === h && this.sameAsScratch(id, n)) return id;
      slot = (slot + 1) & mask;
    }
    return this.add(h, n, slot);
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

  /** Adds the scratch pairs as a new set, in the table's empty `slot`. */
  private add(h: number, n: number, slot: number): number {
    const id = this.count;
    if (id === this.start.length) {
      const cap = id * 2;
      this.start = growInt32(this.start, cap);
      this.length = growInt32(this.length, cap);
      this.hash = growInt32(this.hash, cap);
    }
    if (this.used + n > this.pairs.length) this.pairs = growInt32(this.pairs, Math.max(this.pairs.length * 2, this.used + n));
    this.pairs.set(this.scratch.subarray(0, n), this.used);
    this.start[id] = this.used;
    this.length[id] = n;
    this.hash[id] = h;
    this.used += n;
    this.count++;
    if (2 * this.count > this.slots.length) this.rehash(this.slots.length * 2);
    else this.slots[slot] = id + 1;
    return id;
  }

  /**
   * Forgets the sets not marked in `live` (indexed by set number) and the
   * label pairs no kept set uses, and numbers the kept sets and pairs 0, 1, …
   * in their old order. Returns each old set number's new one (-1:
   * forgotten). A kept set's hash is unchanged.
   */
  compact(live: Uint8Array): Int32Array {
    const count = this.count;
    const remap = new Int32Array(count).fill(-1);
    const pairRemap = new Int32Array(this.pairNames.length).fill(-1);
    let kept = 0;
    let keptPairRuns = 0;
    for (let id = 0; id < count; id++) {
      if (live[id] !== 1) continue;
      remap[id] = kept++;
      keptPairRuns += this.length[id]!;
      for (let i = this.start[id]!, e = i + this.length[id]!; i < e; i++) pairRemap[this.pairs[i]!] = 0;
    }
    const pairNames: string[] = [];
    const pairValues: string[] = [];
    const pairIndex = new Map<string, Map<string, number>>();
    for (let p = 0; p < pairRemap.length; p++) {
      if (pairRemap[p] === -1) continue;
      const name = this.pairNames[p]!;
      const value = this.pairValues[p]!;
      pairRemap[p] = pairNames.length;
      let values = pairIndex.get(name);
      if (values === undefined) pairIndex.set(name, (values = new Map()));
      values.set(value, pairNames.length);
      pairNames.push(name);
      pairValues.push(value);
    }
    const capacity = Math.max(256, kept);
    const pairs = new Int32Array(Math.max(1 << 12, keptPairRuns));
    const start = new Int32Array(capacity);
    const length = new Int32Array(capacity);
    const hash = new Int32Array(capacity);
    let used = 0;
    for (let id = 0; id < count; id++) {
      const to = remap[id]!;
      if (to === -1) continue;
      start[to] = used;
      length[to] = this.length[id]!;
      hash[to] = this.hash[id]!;
      for (let i = this.start[id]!, e = i + this.length[id]!; i < e; i++) pairs[used++] = pairRemap[this.pairs[i]!]!;
    }
    this.pairNames = pairNames;
    this.pairValues = pairValues;
    this.pairIndex = pairIndex;
    this.pairs = pairs;
    this.start = start;
    this.length = length;
    this.hash = hash;
    this.used = used;
    this.count = kept;
    let slots = 1024;
    while (slots < 2 * kept + 2) slots *= 2;
    this.rehash(slots);
    this.generation++;
    return remap;
  }

  private rehash(capacity: number): void {
    const slots = new Int32Array(capacity);
    const mask = capacity - 1;
    for (let id = 0; id < this.count; id++) {
      let slot = this.hash[id]! & mask;
      while (slots[slot] !== 0) slot = (slot + 1) & mask;
      slots[slot] = id + 1;
    }
    this.slots = slots;
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
  return fnvStep(fnv1a(value, 0, value.length, fnvStep(fnv1a(name, 0, name.length, h), 0)), 1);
}
