/**
 * A scrape_configs entry, as Prometheus' YAML spells it, turned into what
 * TargetScraper needs for one of its targets: durations and sizes read as
 * Prometheus reads them, scrape_timeout defaulting to the global one (10s),
 * and the bearer-token spellings (`authorization`, the older
 * `bearer_token(_file)`) into one `authorization`.
 */
import { durationMs } from '../../util/duration.js';
import type { Labels } from '../semantics/labels.js';
import type { RelabelConfig } from '../semantics/relabel/relabel.js';
import type { ExpositionFormat } from './parse.js';
import type { ScrapeTarget } from './scrape.js';

export interface ScrapeConfigFields {
  scrape_timeout?: string;
  body_size_limit?: string;
  sample_limit?: number;
  honor_labels?: boolean;
  honor_timestamps?: boolean;
  metric_relabel_configs?: RelabelConfig[];
  fallback_scrape_protocol?: string;
  tls_config?: ScrapeTarget['tlsConfig'];
  authorization?: ScrapeTarget['authorization'];
  basic_auth?: ScrapeTarget['basicAuth'];
  bearer_token?: string;
  bearer_token_file?: string;
}

export class ScrapeConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScrapeConfigError';
  }
}

const BYTE_UNITS: Record<string, number> = { B: 1, KB: 2 ** 10, MB: 2 ** 20, GB: 2 ** 30, TB: 2 ** 40, PB: 2 ** 50, EB: 2 ** 60 };

/** A size as units.Base2Bytes reads it: `512KB`, `10MiB`, `1GB` (KB and KiB both 1024). */
export function parseBytes(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([KMGTPE]?)(i?)B$/.exec(text.trim());
  if (m === null) throw new ScrapeConfigError(`invalid size ${JSON.stringify(text)}`);
  return Math.floor(Number(m[1]) * BYTE_UNITS[`${m[2]}B`]!);
}

const FALLBACK: Record<string, ExpositionFormat> = {
  'PrometheusText0.0.4': 'prometheus-text',
  'PrometheusText1.0.0': 'prometheus-text',
  'OpenMetricsText0.0.1': 'openmetrics',
  'OpenMetricsText1.0.0': 'openmetrics',
};

/** One target of the job: its URL and labels as target finalisation gives them. */
export function scrapeTargetFromConfig(job: ScrapeConfigFields, target: { url: string; labels: Labels }, globalScrapeTimeout = '10s'): ScrapeTarget {
  const timeout = durationMs(job.scrape_timeout ?? globalScrapeTimeout);
  if (timeout === null) throw new ScrapeConfigError(`invalid scrape_timeout ${JSON.stringify(job.scrape_timeout ?? globalScrapeTimeout)}`);
  const out: ScrapeTarget = { url: target.url, labels: target.labels, scrapeTimeoutMs: timeout };
  if (job.body_size_limit !== undefined) out.bodySizeLimit = parseBytes(job.body_size_limit);
  if (job.sample_limit !== undefined) out.sampleLimit = job.sample_limit;
  if (job.honor_labels !== undefined) out.honorLabels = job.honor_labels;
  if (job.honor_timestamps !== undefined) out.honorTimestamps = job.honor_timestamps;
  if (job.metric_relabel_configs !== undefined) out.metricRelabelConfigs = job.metric_relabel_configs;
  if (job.fallback_scrape_protocol !== undefined) {
    const format = FALLBACK[job.fallback_scrape_protocol];
    if (format === undefined) throw new ScrapeConfigError(`unknown fallback_scrape_protocol ${JSON.stringify(job.fallback_scrape_protocol)}`);
    out.fallbackFormat = format;
  }
  if (job.tls_config !== undefined) out.tlsConfig = job.tls_config;
  if (job.authorization !== undefined) out.authorization = job.authorization;
  else if (job.bearer_token_file !== undefined) out.authorization = { type: 'Bearer', credentials_file: job.bearer_token_file };
  else if (job.bearer_token !== undefined) out.authorization = { type: 'Bearer', credentials: job.bearer_token };
  if (job.basic_auth !== undefined) out.basicAuth = job.basic_auth;
  return out;
}
