/**
 * A target's series texts (the metric name and label block of a line, as
 * exposed) and what each became, for its scrape cache (stale.ts).
 *
 * Texts are found by a hash of their characters, so the parser can ask about
 * a text where it stands in the payload (find(s, a, b)) without cutting it
 * out: with texts as keys of an object or a Map, V8 copied the key for every
 * lookup, ~100 bytes of garbage per sample. Entries are numbered, and held
 * column by column: the text (its own flat string), the metric type it was
 * read under, its series (null: metric relabeling drops it) and the number of
 * the last scrape that met it.
 */
import { fnv1a } from '../../util/fnv.js';
import { flatString, growInt32 } from '../series/label-sets.js';

/** `T`: what a text becomes (the scrape cache's series). */
export class SeriesTexts<T> {
  texts: string[] = [];
  types: string[] = [];
  series: (T | null)[] = [];
  /** The last scrape (by number) that met each entry. */
  met = new Int32Array(64);
  private hashes = new Int32Array(64);
  /** Entry + 1 (0: empty), probed linearly from hash & mask, at most half full. */
  private slots = new Int32Array(128);

  get size(): number {
    return this.texts.length;
  }

  /** The entry of the text s[a, b) when it was read under `type`, or -1. */
  find(s: string, a: number, b: number, type: string): number {
    const e = this.entryOf(s, a, b, fnv1a(s, a, b));
    return e !== -1 && this.types[e] === type ? e : -1;
  }

  /** Records what `text`, read under `type`, became (its entry's old record replaced); returns its entry. */
  set(text: string, type: string, series: T | null): number {
    const h = fnv1a(text);
    let e = this.entryOf(text, 0, text.length, h);
    if (e === -1) {
      e = this.texts.length;
      if (e === this.met.length) {
        this.met = growInt32(this.met, e * 2);
        this.hashes = growInt32(this.hashes, e * 2);
      }
      this.texts.push(flatString(text));
      this.types.push(type);
      this.series.push(series);
      this.hashes[e] = h;
      if (2 * this.texts.length > this.slots.length) this.rehash(this.slots.length * 2);
      else this.insert(e);
    }
    this.types[e] = type;
    this.series[e] = series;
    this.met[e] = 0;
    return e;
  }

  /** Keeps the entries `keep` says yes to, numbered anew in their order. */
  retain(keep: (entry: number) => boolean): void {
    let n = 0;
    for (let e = 0; e < this.texts.length; e++) {
      if (!keep(e)) continue;
      this.texts[n] = this.texts[e]!;
      this.types[n] = this.types[e]!;
      this.series[n] = this.series[e]!;
      this.met[n] = this.met[e]!;
      this.hashes[n] = this.hashes[e]!;
      n++;
    }
    this.texts.length = this.types.length = this.series.length = n;
    let capacity = 128;
    while (capacity < 2 * n + 2) capacity *= 2;
    this.rehash(capacity);
  }

  clear(): void {
    this.retain(() => false);
  }

  private entryOf(s: string, a: number, b: number, h: number): number {
    const mask = this.slots.length - 1;
    for (let slot = h & mask, e = this.slots[slot]! - 1; e !== -1; slot = (slot + 1) & mask, e = this.slots[slot]! - 1) {
      if (this.hashes[e] === h && this.texts[e]!.length === b - a && s.startsWith(this.texts[e]!, a)) return e;
    }
    return -1;
  }

  private insert(e: number): void {
    const mask = this.slots.length - 1;
    let slot = this.hashes[e]! & mask;
    while (this.slots[slot] !== 0) slot = (slot + 1) & mask;
    this.slots[slot] = e + 1;
  }

  private rehash(capacity: number): void {
    this.slots = new Int32Array(capacity);
    for (let e = 0; e < this.texts.length; e++) this.insert(e);
  }
}
