/**
 * One target's scrapes, as Prometheus' scrape loop does them (scrape/scrape.go):
 * GET with Prometheus' Accept header and gzip, the bearer or basic credentials
 * read from their files again for every scrape (projected tokens rotate), TLS
 * as the job says, the payload parsed as its Content-Type says, the target's
 * labels added (honor_labels), metric_relabel_configs, sample_limit, the
 * synthetic series (up, scrape_duration_seconds, scrape_samples_scraped,
 * scrape_samples_post_metric_relabeling, scrape_series_added), and
 * staleness markers for series that disappear or a target that goes away.
 *
 * A scrape is all or nothing, as Prometheus commits or rolls back its
 * appender: a parse error, a sample over sample_limit, a timeout or a body
 * over body_size_limit gives up=0 and marks every series of the last scrape
 * stale.
 */
import { readFileSync } from 'node:fs';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { setOwn, type Labels } from '../semantics/labels.js';
import { compileRelabelConfigs, type CompiledRelabel, type RelabelConfig } from '../semantics/relabel/relabel.js';
import { DEFAULT_SEMANTICS, type PromSemantics } from '../semantics/version.js';
import { httpGet, ScrapeError } from './http-get.js';
import { ExpositionError, ExpositionStream, formatForContentType, type ExpositionFormat, type SampleHandler } from './parse.js';
import type { SetHolder } from '../series/collect.js';
import { LabelSets } from '../series/label-sets.js';
import { KNOWN_SERIES, type MetricType } from './parser-base.js';
import { SampleColumns, ScrapeCache, type CachedSeries, type ScrapedSample } from './stale.js';
import { reportLabels, sampleLabels } from './target-labels.js';

export interface ScrapeTarget {
  /** The scrape URL (scheme, address, metrics_path and params), as target finalisation gives it. */
  url: string;
  /** The target's labels (job, instance, and what relabeling left). */
  labels: Labels;
  scrapeTimeoutMs: number;
  /** body_size_limit in bytes; 0 or absent: none. */
  bodySizeLimit?: number;
  /** sample_limit; 0 or absent: none. */
  sampleLimit?: number;
  honorLabels?: boolean;
  /** Default true. */
  honorTimestamps?: boolean;
  metricRelabelConfigs?: RelabelConfig[];
  /** Prometheus 3 only: the format for a blank or unknown Content-Type (fallback_scrape_protocol). */
  fallbackFormat?: ExpositionFormat;
  tlsConfig?: { ca_file?: string; cert_file?: string; key_file?: string; server_name?: string; insecure_skip_verify?: boolean };
  /** `credentials_file` is read for every scrape. Type defaults to Bearer. */
  authorization?: { type?: string; credentials?: string; credentials_file?: string };
  basicAuth?: { username?: string; password?: string; password_file?: string };
}

export interface ScrapeOptions {
  /** The Prometheus whose scraping to follow (Accept header, Content-Type handling, `le`/`quantile` form). Default prometheus-3. */
  semantics?: PromSemantics;
  userAgent?: string;
  /** Where the samples' label sets are numbered (an agent shares one between its targets and senders). Default: the scraper's own. */
  sets?: LabelSets;
  /**
   * Labels every series gets when it lacks them, as Prometheus adds its
   * external labels on the way to remote_write. An agent gives them here so
   * that a series is numbered once, external labels included.
   */
  externalLabels?: Readonly<Labels>;
}

export interface ScrapeResult {
  /** Scraped samples (target labels added, metric relabeling done), staleness markers, then the synthetic series. */
  columns: SampleColumns;
  /** The same samples as objects, built when first asked for. */
  readonly samples: ScrapedSample[];
  up: boolean;
  /** Why the scrape failed, as Prometheus words it. */
  error?: string;
  durationSeconds: number;
  scraped: number;
  postRelabel: number;
  seriesAdded: number;
  /** The uncompressed body size; -1 when over body_size_limit, 0 on other failures (scrape_body_size_bytes). */
  bodyBytes: number;
}

/** The Accept header each Prometheus sends with its default scrape_protocols. */
export const ACCEPT_HEADERS: Record<PromSemantics, string> = {
  'prometheus-3':
    'application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.6,application/openmetrics-text;version=0.0.1;q=0.5,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.2',
  'prometheus-2': 'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1',
};

export const REPORT_SERIES = ['up', 'scrape_duration_seconds', 'scrape_samples_scraped', 'scrape_samples_post_metric_relabeling', 'scrape_series_added'] as const;

export class TargetScraper implements SetHolder {
  private readonly rules: CompiledRelabel[];
  private readonly semantics: PromSemantics;
  private readonly userAgent: string;
  readonly sets: LabelSets;
  private readonly externalLabels: Readonly<Labels>;
  /** The synthetic series' label sets, for the target labels the cache was built for. */
  private reportIds: number[] = [];
  /** What each series text of this target became, for the target labels and rules it was worked out with. */
  private cache: ScrapeCache | undefined;
  private scrapedOnce = false;
  /** Room for the samples of a scrape: the last one's count and a little more (markers, a few new series). */
  private expectedSamples = 16;
  /** The target's kept-alive connection (one: a target's scrapes do not overlap). */
  private agent: HttpAgent | undefined;

  constructor(
    readonly target: ScrapeTarget,
    options: ScrapeOptions = {},
  ) {
    this.semantics = options.semantics ?? DEFAULT_SEMANTICS;
    this.userAgent = options.userAgent ?? 'k8smon-agent';
    this.sets = options.sets ?? new LabelSets();
    this.externalLabels = options.externalLabels ?? {};
    this.rules = compileRelabelConfigs(target.metricRelabelConfigs ?? [], { semantics: this.semantics });
  }

  /** Request headers for this scrape, credentials read from their files now. */
  headers(): Record<string, string> {
    const t = this.target;
    const headers: Record<string, string> = {
      Accept: ACCEPT_HEADERS[this.semantics],
      'Accept-Encoding': 'gzip',
      'User-Agent': this.userAgent,
      'X-Prometheus-Scrape-Timeout-Seconds': String(t.scrapeTimeoutMs / 1000),
    };
    if (t.authorization !== undefined) {
      const credentials = t.authorization.credentials_file !== undefined ? readSecret(t.authorization.credentials_file, t.url, this.semantics === 'prometheus-3' ? 'authorization credentials: unable to read file' : 'authorization credentials file') : (t.authorization.credentials ?? '');
      headers.Authorization = `${t.authorization.type ?? 'Bearer'} ${credentials}`;
    } else if (t.basicAuth !== undefined) {
      const password = t.basicAuth.password_file !== undefined ? readSecret(t.basicAuth.password_file, t.url, 'basic auth password file') : (t.basicAuth.password ?? '');
      headers.Authorization = `Basic ${Buffer.from(`${t.basicAuth.username ?? ''}:${password}`).toString('base64')}`;
    }
    return headers;
  }

  /** One scrape at `now` (ms): the samples to write, staleness markers and synthetic series included. */
  async scrape(now: number = Date.now()): Promise<ScrapeResult> {
    const t = this.target;
    const started = performance.now();
    let error: string | undefined;
    let bodyBytes = 0;
    let scraped = 0;
    let postRelabel = 0;
    let seriesAdded = 0;
    let columns = new SampleColumns(this.sets, this.expectedSamples);
    const cache = this.cacheFor();
    const iter = ++cache.iter;
    const touched: CachedSeries[] = [];
    const tracked: CachedSeries[] = [];
    let rawHits = 0;
    try {
      const tls = t.tlsConfig;
      this.agent ??= t.url.startsWith('https:') ? new HttpsAgent({ keepAlive: true, maxSockets: 1 }) : new HttpAgent({ keepAlive: true, maxSockets: 1 });
      const honorTimestamps = t.honorTimestamps ?? true;
      const honorLabels = t.honorLabels ?? false;
      const sampleLimit = t.sampleLimit !== undefined && t.sampleLimit > 0 ? t.sampleLimit : Infinity;
      const rules = this.rules;
      let overLimit = false;
      // The entry of the series text the parser last asked about: its labels are not read again.
      const texts = cache.texts;
      let known = -1;
      const knownSeries = (payload: string, start: number, end: number, type: MetricType): boolean => (known = texts.find(payload, start, end, type)) !== -1;
      const onSample: SampleHandler = (exposed, value, timestampMs, text, type) => {
        scraped++;
        let entry = exposed === KNOWN_SERIES ? known : texts.find(text!, 0, text!.length, type!);
        if (entry === -1) entry = texts.set(text!, type!, this.resolve(cache, exposed, honorLabels, rules));
        if (texts.met[entry] !== iter) {
          texts.met[entry] = iter;
          rawHits++;
        }
        const st = texts.series[entry] as CachedSeries | null;
        if (st === null) return;
        if (st.touched !== iter) {
          st.touched = iter;
          touched.push(st);
        }
        const ts = honorTimestamps ? timestampMs : undefined;
        postRelabel++;
        if (st.seen === iter && ts === undefined) return; // a duplicate sample for this timestamp: Prometheus drops it
        if (columns.length >= sampleLimit) {
          overLimit = true;
          return;
        }
        st.seen = iter;
        if (ts === undefined && st.tracked !== iter) {
          st.tracked = iter;
          tracked.push(st);
        }
        if (st.known !== cache.lastOk) seriesAdded++;
        columns.push(st.id, value, ts ?? now);
      };
      // The body is parsed as it arrives: a large payload is never held whole.
      let stream: ExpositionStream | undefined;
      const response = await httpGet(t.url, {
        agent: this.agent,
        headers: this.headers(),
        timeoutMs: t.scrapeTimeoutMs,
        bodySizeLimit: t.bodySizeLimit,
        tls: {
          rejectUnauthorized: tls?.insecure_skip_verify !== true,
          ca: tls?.ca_file !== undefined ? readFileSync(tls.ca_file) : undefined,
          cert: tls?.cert_file !== undefined ? readFileSync(tls.cert_file) : undefined,
          key: tls?.key_file !== undefined ? readFileSync(tls.key_file) : undefined,
          servername: tls?.server_name,
        },
        onBody: (contentType) => {
          const { format } = formatForContentType(contentType, this.semantics, t.fallbackFormat);
          const s = new ExpositionStream(onSample, { format, normalizeBucketLabels: this.semantics === 'prometheus-3', seriesText: true, knownSeries });
          stream = s;
          return (chunk) => s.write(chunk);
        },
      });
      bodyBytes = response.size;
      if (bodyBytes > 0) stream?.end();
      if (overLimit) throw new ScrapeError('sample limit exceeded');
    } catch (e) {
      if (e instanceof ScrapeError) {
        error = e.message;
        if (e.bodyTooLarge) bodyBytes = -1;
      } else if (e instanceof ExpositionError || (e instanceof Error && e.name === 'ContentTypeError')) error = e instanceof ExpositionError ? e.reason : e.message;
      else if (e instanceof Error) error = e.message;
      else throw e;
    }
    const up = error === undefined;
    if (!up) columns = new SampleColumns(this.sets);
    columns.staleFrom = columns.length;
    cache.finish(now, up ? tracked : null, columns);
    columns.staleTo = columns.length;
    if (up) {
      for (const st of touched) st.known = iter;
      cache.lastOk = iter;
    }
    cache.sweep(up, rawHits, touched.length);
    const durationSeconds = (performance.now() - started) / 1000;
    this.scrapedOnce = true;
    const report = [up ? 1 : 0, durationSeconds, scraped, postRelabel, seriesAdded];
    for (let k = 0; k < REPORT_SERIES.length; k++) columns.push(this.reportIds[k]!, report[k]!, now);
    this.expectedSamples = Math.ceil(columns.length * 1.05) + 16;
    let samples: ScrapedSample[] | undefined;
    const result: ScrapeResult = {
      columns,
      get samples() {
        return (samples ??= columns.toSamples());
      },
      up,
      durationSeconds,
      scraped,
      postRelabel,
      seriesAdded,
      bodyBytes,
    };
    if (error !== undefined) result.error = error;
    return result;
  }

  /** The target's scrape cache, a new one when its labels, honor_labels or rules are not those it was built for. */
  private cacheFor(): ScrapeCache {
    const t = this.target;
    const c = this.cache;
    const honorLabels = t.honorLabels ?? false;
    if (c !== undefined && c.targetLabels === t.labels && c.honorLabels === honorLabels && c.rules === this.rules) return c;
    // The staleness of the series of the last scrape carries over: their markers are still due.
    const fresh = new ScrapeCache(this.sets, t.labels, honorLabels, this.rules);
    if (c !== undefined) fresh.adopt(c);
    this.reportIds = REPORT_SERIES.map((name) => this.sets.intern(this.withExternal(reportLabels(name, t.labels))));
    return (this.cache = fresh);
  }

  /** A series text not in the cache: its final labels (null: dropped) and the series' state, shared by every text that gives these labels. */
  private resolve(cache: ScrapeCache, exposed: Labels, honorLabels: boolean, rules: CompiledRelabel[]): CachedSeries | null {
    const labels = sampleLabels(exposed, cache.targetLabels, honorLabels, rules, this.semantics);
    if (labels === null) return null;
    if (labels.__name__ === undefined || !Object.hasOwn(labels, '__name__')) throw new ScrapeError('missing metric name (__name__ label)');
    return cache.seriesFor(this.withExternal(labels));
  }

  /** `labels` with the external labels they lack, added in place. */
  private withExternal(labels: Labels): Labels {
    const external = this.externalLabels;
    for (const name in external) if (!Object.hasOwn(labels, name)) setOwn(labels, name, external[name]!);
    return labels;
  }

  /**
   * Marks the label sets it refers to (its series and synthetic series); with
   * remapSets, a SetHolder (series/collect.ts). Only between scrapes: one under
   * way holds set numbers in its samples.
   */
  markSets(live: Uint8Array): void {
    for (const id of this.reportIds) live[id] = 1;
    this.cache?.markSets(live);
  }

  remapSets(remap: Int32Array): void {
    this.reportIds = this.reportIds.map((id) => remap[id]!);
    this.cache?.remapSets(remap);
  }

  /** Closes the kept-alive connection (a later scrape opens a new one). */
  close(): void {
    this.agent?.destroy();
    this.agent = undefined;
  }

  /** The target went away (or the agent stops it): staleness markers for its last series and its synthetic ones. */
  stop(now: number = Date.now()): SampleColumns {
    this.close();
    const markers = new SampleColumns(this.sets);
    if (!this.scrapedOnce || this.cache === undefined) return markers;
    this.cache.finish(now, null, markers);
    for (const id of this.reportIds) markers.push(id, NaN, now);
    markers.staleTo = markers.length;
    return markers;
  }
}

/**
 * A credentials file's content, trimmed; an error worded as Prometheus'
 * HTTP client words it (prometheus/common: 3.x says "unable to read
 * authorization credentials: unable to read file P: …", 2.x "unable to read
 * authorization credentials file P: …").
 */
function readSecret(path: string, url: string, what: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file or directory' : code === 'EACCES' ? 'permission denied' : (e as Error).message;
    throw new ScrapeError(`Get "${url}": unable to read ${what} ${path}: open ${path}: ${reason}`);
  }
}
