/**
 * Exposition payloads as an array of samples, for callers that want them all
 * at once (the preview, tests). The parser itself is scrape/parse.ts, which
 * hands samples to a callback; this collects them.
 */
import { scanExposition, type ScanOptions } from './parse.js';
import type { Labels } from '../semantics/labels.js';

export { ExpositionError } from './parse.js';

export interface Sample {
  labels: Labels;
  value: number;
  timestampMs?: number;
}

/** Every sample of a payload, in order (Prometheus text format unless `options.format` says OpenMetrics). */
export function parseExposition(text: string | Uint8Array, options: ScanOptions = {}): Sample[] {
  const samples: Sample[] = [];
  scanExposition(
    text,
    (labels, value, timestampMs) => {
      samples.push(timestampMs === undefined ? { labels, value } : { labels, value, timestampMs });
    },
    options,
  );
  return samples;
}
