/**
 * Staleness as Prometheus writes it: a series that was in the last scrape and
 * is not in this one (or whose target failed or went away) gets one sample
 * whose value is the special NaN 0x7ff0000000000002 (model/value.StaleNaN).
 * JavaScript cannot be trusted to keep a NaN's bits through arithmetic, so a
 * marker is a sample flagged `stale`, and writeSampleValue puts the exact
 * bits on the wire.
 */
import type { Labels } from '../semantics/labels.js';
import type { LabelSets } from '../series/label-sets.js';
import { SeriesTexts } from './series-texts.js';

/** model/value.StaleNaN. */
export const STALE_NAN_BITS = 0x7ff0000000000002n;
/** model/value.NormalNaN: any other NaN a scrape yields is stored as this one. */
export const NORMAL_NAN_BITS = 0x7ff8000000000001n;

export interface ScrapedSample {
  labels: Labels;
  value: number;
  timestampMs: number;
  /** A staleness marker: `value` is NaN, and its bits on the wire must be STALE_NAN_BITS. */
  stale?: true;
}

/** Writes a sample's value as a little-endian float64 (protobuf's `double`), with Prometheus' exact NaN bits. */
export function writeSampleValue(view: DataView, offset: number, sample: Pick<ScrapedSample, 'value' | 'stale'>): void {
  if (sample.stale === true) view.setBigUint64(offset, STALE_NAN_BITS, true);
  else if (Number.isNaN(sample.value)) view.setBigUint64(offset, NORMAL_NAN_BITS, true);
  else view.setFloat64(offset, sample.value, true);
}

/**
 * A series key's fields (names and values) are each preceded by their
 * length: one char below 0xff, or 0xff, the length in decimal and ';'. No
 * separator can clash with a label's text, and a key of Latin-1 labels stays
 * a one-byte string (half the memory of a key with a separator outside
 * Latin-1), which matters as every tracked series holds one.
 */
function field(text: string): string {
  const n = text.length;
  return n < 0xff ? String.fromCharCode(n) + text : `\u00ff${n};${text}`;
}

/** A series' identity: its labels sorted by name, in one string. */
export function seriesKey(labels: Readonly<Labels>): string {
  const names = Object.keys(labels);
  if (names.length > 1) names.sort();
  let key = '';
  for (const n of names) key += field(n) + field(labels[n]!);
  return key;
}

export function labelsFromKey(key: string): Labels {
  const labels: Labels = {};
  let p = 0;
  const next = (): string => {
    let n = key.charCodeAt(p++);
    if (n === 0xff) {
      const end = key.indexOf(';', p);
      n = Number(key.slice(p, end));
      p = end + 1;
    }
    const text = key.slice(p, p + n);
    p += n;
    return text;
  };
  while (p < key.length) {
    const name = next();
    const value = next();
    if (name === '__proto__') Object.defineProperty(labels, '__proto__', { value, enumerable: true, writable: true, configurable: true });
    else labels[name] = value;
  }
  return labels;
}

/** A series of a target, as its scrape cache keeps it between scrapes. */
export interface CachedSeries {
  /** Its final labels (target labels added, metric relabeling done), as a number in the scraper's LabelSets. */
  id: number;
  /** The last scrape (by number) that met it, that appended a sample of it, that tracked it for staleness. */
  touched: number;
  seen: number;
  tracked: number;
  /** The last successful scrape that appended it (scrape_series_added counts those not in the previous one). */
  known: number;
}

/**
 * A target's scrape cache, as Prometheus keeps one per scrape loop: from a
 * series' text as exposed (metric name and label block) to its series, so
 * that a series seen before costs no relabeling or lookup by labels, and no
 * per-sample object outlives the parse. The texts (series-texts.ts) are
 * their own flat strings, so the cache holds no payload text alive. Entries a
 * successful scrape did not meet are dropped after it. Staleness lives here
 * too: the series tracked by the last scrape that this one lacks get markers.
 */
export class ScrapeCache {
  readonly texts = new SeriesTexts<CachedSeries>();
  /** Series by their label set's number. */
  readonly series = new Map<number, CachedSeries>();
  /** How many texts the last successful scrape left. */
  private lastTextCount = 0;
  /** The number of the scrape under way, and of the last successful one. */
  iter = 0;
  lastOk = 0;
  /** Series tracked by the last scrape (an empty list after a failed one). */
  private prevTracked: CachedSeries[] = [];

  constructor(
    readonly sets: LabelSets,
    readonly targetLabels: Readonly<Labels>,
    readonly honorLabels: boolean,
    readonly rules: readonly unknown[],
  ) {}

  /** The series with these final labels. */
  seriesFor(labels: Readonly<Labels>): CachedSeries {
    return this.byId(this.sets.intern(labels));
  }

  private byId(id: number): CachedSeries {
    let st = this.series.get(id);
    if (st === undefined) {
      st = { id, touched: 0, seen: 0, tracked: 0, known: -1 };
      this.series.set(id, st);
    }
    return st;
  }

  /**
   * Ends a scrape: markers at `timestampMs` for the series tracked by the
   * last scrape that this one did not track, appended to `out`. `tracked`
   * null: the scrape failed (or the target went away), every series of the
   * last one is marked.
   */
  finish(timestampMs: number, tracked: CachedSeries[] | null, out: SampleColumns): void {
    for (const st of this.prevTracked) if (tracked === null || st.tracked !== this.iter) out.push(st.id, NaN, timestampMs);
    this.prevTracked = tracked ?? [];
  }

  /**
   * After a scrape: drops the entries it did not meet. After a successful
   * one `textsHit` and `seriesHit` are how many it met; after a failed one
   * (which may have stopped half-way) only texts go, and only once they far
   * outnumber those of the last successful scrape.
   */
  sweep(ok: boolean, textsHit: number, seriesHit: number): void {
    const iter = this.iter;
    const texts = this.texts;
    if (!ok) {
      if (texts.size > 4 * this.lastTextCount + 1000) texts.clear();
      return;
    }
    if (texts.size > textsHit) texts.retain((e) => texts.met[e] === iter);
    if (this.series.size > seriesHit) for (const [id, st] of this.series) if (st.touched !== iter) this.series.delete(id);
    this.lastTextCount = texts.size;
  }

  /** Every series this cache can reach (by the texts, by number, and the last scrape's tracked ones), each once. */
  private reachable(): Set<CachedSeries> {
    const all = new Set<CachedSeries>(this.series.values());
    for (const st of this.texts.series) if (st !== null) all.add(st);
    for (const st of this.prevTracked) all.add(st);
    return all;
  }

  /** Marks the label sets of its series (see series/collect.ts). */
  markSets(live: Uint8Array): void {
    for (const st of this.reachable()) live[st.id] = 1;
  }

  /** Gives its series their new set numbers. */
  remapSets(remap: Int32Array): void {
    const all = this.reachable();
    for (const st of all) st.id = remap[st.id]!;
    const byId = [...this.series.values()];
    this.series.clear();
    for (const st of byId) this.series.set(st.id, st);
  }

  /** Takes over another cache's series state (made for other target labels or rules): the markers and scrape_series_added still due. */
  adopt(old: ScrapeCache): void {
    this.iter = old.iter;
    this.lastOk = old.lastOk;
    const carry = (st: CachedSeries): CachedSeries => {
      const copy = this.byId(st.id);
      copy.tracked = st.tracked;
      copy.known = st.known;
      return copy;
    };
    for (const st of old.series.values()) carry(st);
    this.prevTracked = old.prevTracked.map(carry);
  }
}

/**
 * A scrape's samples, column by column: the series (a number in `sets`),
 * value and timestamp (ms) of each. No object per sample: a cAdvisor scrape
 * is tens of thousands of samples, held across the scrape's awaits.
 */
export class SampleColumns {
  ids: Int32Array;
  values: Float64Array;
  timestamps: Float64Array;
  /** The staleness markers are ids[staleFrom, staleTo): their values are NaN, written as StaleNaN. */
  staleFrom = 0;
  staleTo = 0;
  private count = 0;

  /**
   * `capacity`: the samples expected (a target's last scrape), so that the
   * columns are allocated once rather than grown sample by sample.
   */
  constructor(
    readonly sets: LabelSets,
    capacity = 16,
  ) {
    this.ids = new Int32Array(capacity);
    this.values = new Float64Array(capacity);
    this.timestamps = new Float64Array(capacity);
  }

  get length(): number {
    return this.count;
  }

  push(id: number, value: number, timestampMs: number): void {
    const n = this.count;
    if (n === this.ids.length) this.grow(Math.max(16, n * 2));
    this.ids[n] = id;
    this.values[n] = value;
    this.timestamps[n] = timestampMs;
    this.count = n + 1;
  }

  private grow(capacity: number): void {
    const ids = new Int32Array(capacity);
    const values = new Float64Array(capacity);
    const timestamps = new Float64Array(capacity);
    ids.set(this.ids);
    values.set(this.values);
    timestamps.set(this.timestamps);
    this.ids = ids;
    this.values = values;
    this.timestamps = timestamps;
  }

  /** Whether sample i is a staleness marker. */
  isStale(i: number): boolean {
    return i >= this.staleFrom && i < this.staleTo;
  }

  /** The samples as objects, each with its own labels (for callers other than the agent: tests, previews). */
  toSamples(): ScrapedSample[] {
    const out: ScrapedSample[] = [];
    for (let i = 0; i < this.count; i++) {
      const sample: ScrapedSample = { labels: this.sets.labels(this.ids[i]!), value: this.values[i]!, timestampMs: this.timestamps[i]! };
      if (this.isStale(i)) sample.stale = true;
      out.push(sample);
    }
    return out;
  }
}
