/**
 * Staleness as Prometheus writes it: a series that was in the last scrape and
 * is not in this one (or whose target failed or went away) gets one sample
 * whose value is the special NaN 0x7ff0000000000002 (model/value.StaleNaN).
 * JavaScript cannot be trusted to keep a NaN's bits through arithmetic, so a
 * marker is a sample flagged `stale`, and writeSampleValue puts the exact
 * bits on the wire.
 */
import type { Labels } from '../semantics/labels.js';

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

/**
 * The series of a target's last scrape, to mark those that disappear. Keys
 * live in null-prototype objects on purpose: V8 keeps a property key as its
 * own flat copy, so the tracker does not hold on to the payload text the
 * labels were cut from (a Map would keep every slice, and the payload, alive).
 */
export class StalenessTracker {
  private prev: Record<string, true> = Object.create(null) as Record<string, true>;
  private cur: Record<string, true> = Object.create(null) as Record<string, true>;

  /** Notes a series of the scrape under way (one without an explicit timestamp, as Prometheus tracks only those). */
  see(key: string): void {
    this.cur[key] = true;
  }

  /**
   * Ends a scrape: markers at `timestampMs` for the series of the last
   * scrape that this one lacks. A failed scrape is one with no series: every
   * series of the last one is marked.
   */
  finish(timestampMs: number, failed = false): ScrapedSample[] {
    if (failed) this.cur = Object.create(null) as Record<string, true>;
    const markers: ScrapedSample[] = [];
    for (const key in this.prev) if (!(key in this.cur)) markers.push({ labels: labelsFromKey(key), value: NaN, timestampMs, stale: true });
    this.prev = this.cur;
    this.cur = Object.create(null) as Record<string, true>;
    return markers;
  }

  /** The target went away: markers for every series of its last scrape. */
  end(timestampMs: number): ScrapedSample[] {
    this.cur = Object.create(null) as Record<string, true>;
    return this.finish(timestampMs);
  }
}
