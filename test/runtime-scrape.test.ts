/**
 * Scraping over loopback HTTP and HTTPS servers (node:http / node:https, a
 * self-signed certificate made with openssl): each target option, the
 * synthetic series, and staleness markers with their exact bits.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCEPT_HEADERS, TargetScraper, type ScrapeTarget } from '../src/runtime/scrape/scrape.js';
import { parseBytes, scrapeTargetFromConfig } from '../src/runtime/scrape/scrape-config.js';
import { labelsFromKey, seriesKey, STALE_NAN_BITS, writeSampleValue, type ScrapedSample } from '../src/runtime/scrape/stale.js';
import { requireTool } from './support/tools.js';

interface Reply {
  status?: number;
  contentType?: string;
  body: string | Buffer;
  gzip?: boolean;
  delayMs?: number;
}

const sandbox = mkdtempSync(join(tmpdir(), 'k8smon-scrape-'));
let reply: Reply = { body: '' };
const requests: IncomingMessage['headers'][] = [];
const servers: Server[] = [];
let httpUrl = '';
let httpsUrl = '';

function handler(req: IncomingMessage, res: ServerResponse): void {
  requests.push(req.headers);
  const r = reply;
  const send = (): void => {
    const body = r.gzip === true ? gzipSync(r.body) : r.body;
    res.writeHead(r.status ?? 200, { 'Content-Type': r.contentType ?? 'text/plain; version=0.0.4', ...(r.gzip === true ? { 'Content-Encoding': 'gzip' } : {}) });
    res.end(body);
  };
  if (r.delayMs !== undefined) setTimeout(send, r.delayMs);
  else send();
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return (server.address() as { port: number }).port;
}

beforeAll(async () => {
  requireTool('openssl', 'apt-get install openssl');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(sandbox, 'key.pem'), '-out', join(sandbox, 'cert.pem')], { stdio: 'ignore' });
  httpUrl = `http://127.0.0.1:${await listen(createHttpServer(handler))}/metrics`;
  httpsUrl = `https://127.0.0.1:${await listen(createHttpsServer({ key: readFileSync(join(sandbox, 'key.pem')), cert: readFileSync(join(sandbox, 'cert.pem')) }, handler))}/metrics`;
});

afterAll(() => {
  for (const s of servers) s.close();
});

function target(extra: Partial<ScrapeTarget> = {}): ScrapeTarget {
  return { url: httpUrl, labels: { job: 'app', instance: 'pod-a:8080' }, scrapeTimeoutMs: 2000, ...extra };
}

const byName = (samples: ScrapedSample[], name: string): ScrapedSample[] => samples.filter((s) => s.labels.__name__ === name);
const report = (samples: ScrapedSample[]): Record<string, number> => Object.fromEntries(['up', 'scrape_samples_scraped', 'scrape_samples_post_metric_relabeling', 'scrape_series_added'].map((n) => [n, byName(samples, n)[0]!.value]));

describe('scraping a target', () => {
  it('sends Prometheus 3\'s Accept header, gzip, the timeout header, and reads a gzip body', async () => {
    reply = { body: 'a_metric{x="1"} 1\n', gzip: true };
    requests.length = 0;
    const r = await new TargetScraper(target()).scrape(1_000);
    expect(requests[0]!.accept).toBe(ACCEPT_HEADERS['prometheus-3']);
    expect(requests[0]!['accept-encoding']).toBe('gzip');
    expect(requests[0]!['x-prometheus-scrape-timeout-seconds']).toBe('2');
    expect(r.up).toBe(true);
    expect(byName(r.samples, 'a_metric')).toEqual([{ labels: { __name__: 'a_metric', x: '1', job: 'app', instance: 'pod-a:8080' }, value: 1, timestampMs: 1_000 }]);
    expect(report(r.samples)).toEqual({ up: 1, scrape_samples_scraped: 1, scrape_samples_post_metric_relabeling: 1, scrape_series_added: 1 });
    expect(byName(r.samples, 'up')[0]!.labels).toEqual({ __name__: 'up', job: 'app', instance: 'pod-a:8080' });
    expect(byName(r.samples, 'scrape_duration_seconds')[0]!.value).toBeGreaterThan(0);
  });

  it('keeps exposed labels that clash with the target\'s as exported_ (honor_labels false), or lets them win (true); empty ones go', async () => {
    reply = { body: 'm{job="exposed",exported_job="x",instance="",zone="a"} 1\n' };
    const [plain] = byName((await new TargetScraper(target()).scrape(1)).samples, 'm');
    expect(plain!.labels).toEqual({ __name__: 'm', job: 'app', exported_job: 'x', exported_exported_job: 'exposed', instance: 'pod-a:8080', zone: 'a' });
    const [honored] = byName((await new TargetScraper(target({ honorLabels: true })).scrape(1)).samples, 'm');
    // instance="" is exposed, so with honor_labels it wins and then goes, as an empty label.
    expect(honored!.labels).toEqual({ __name__: 'm', job: 'exposed', exported_job: 'x', zone: 'a' });
  });

  it('takes over an empty exposed exported_ label as Prometheus 3 does, and steps past it as Prometheus 2 does', async () => {
    reply = { body: 'm{job="exposed",exported_job=""} 1\n' };
    expect(byName((await new TargetScraper(target()).scrape(1)).samples, 'm')[0]!.labels.exported_job).toBe('exposed');
    const v2 = byName((await new TargetScraper(target(), { semantics: 'prometheus-2' }).scrape(1)).samples, 'm')[0]!.labels;
    expect(v2.exported_job).toBeUndefined();
    expect(v2.exported_exported_job).toBe('exposed');
  });

  it('keeps the exposed timestamp with honor_timestamps, and uses the scrape time without', async () => {
    reply = { body: 'ts_metric 5 1234\n' };
    expect(byName((await new TargetScraper(target()).scrape(9_999)).samples, 'ts_metric')[0]!.timestampMs).toBe(1234);
    expect(byName((await new TargetScraper(target({ honorTimestamps: false })).scrape(9_999)).samples, 'ts_metric')[0]!.timestampMs).toBe(9_999);
  });

  it('runs metric_relabel_configs with the runtime relabeling, and counts what is left', async () => {
    reply = { body: 'keep_me{a="1"} 1\ndrop_me 2\nkeep_too{a="2"} 3\n' };
    const r = await new TargetScraper(
      target({
        metricRelabelConfigs: [
          { source_labels: ['__name__'], regex: 'drop_.*', action: 'drop' },
          { source_labels: ['a'], target_label: 'b', replacement: 'v$1' },
        ],
      }),
    ).scrape(1);
    expect(r.samples.filter((s) => !s.labels.__name__!.startsWith('scrape_') && s.labels.__name__ !== 'up').map((s) => s.labels)).toEqual([
      { __name__: 'keep_me', a: '1', b: 'v1', job: 'app', instance: 'pod-a:8080' },
      { __name__: 'keep_too', a: '2', b: 'v2', job: 'app', instance: 'pod-a:8080' },
    ]);
    expect(report(r.samples)).toEqual({ up: 1, scrape_samples_scraped: 3, scrape_samples_post_metric_relabeling: 2, scrape_series_added: 2 });
  });

  it('fails the whole scrape over sample_limit (counted after relabeling), as Prometheus does', async () => {
    reply = { body: 'a 1\nb 2\nc 3\n' };
    expect((await new TargetScraper(target({ sampleLimit: 3 })).scrape(1)).up).toBe(true);
    const r = await new TargetScraper(target({ sampleLimit: 2 })).scrape(1);
    expect(r.error).toBe('sample limit exceeded');
    expect(r.samples.filter((s) => ['a', 'b', 'c'].includes(s.labels.__name__!))).toEqual([]);
    expect(report(r.samples)).toEqual({ up: 0, scrape_samples_scraped: 3, scrape_samples_post_metric_relabeling: 3, scrape_series_added: 2 });
    const relabeled = await new TargetScraper(target({ sampleLimit: 2, metricRelabelConfigs: [{ source_labels: ['__name__'], regex: 'c', action: 'drop' }] })).scrape(1);
    expect(relabeled.up).toBe(true);
  });

  it('fails a body over body_size_limit (uncompressed, a body of exactly the limit too)', async () => {
    const body = 'x 1\n'.repeat(100); // 400 bytes
    reply = { body, gzip: true };
    expect((await new TargetScraper(target({ bodySizeLimit: 401 })).scrape(1)).up).toBe(true);
    const r = await new TargetScraper(target({ bodySizeLimit: 400 })).scrape(1);
    expect(r).toMatchObject({ up: false, error: 'body size limit exceeded', bodyBytes: -1 });
  });

  it('keeps the connection alive between scrapes, and sends the GET again on a new connection when the target drops the kept-alive one (node:http)', async () => {
    let connections = 0;
    let dropReused = false;
    const perSocket = new WeakMap<object, number>();
    const server = createHttpServer((req, res) => {
      const n = (perSocket.get(req.socket) ?? 0) + 1;
      perSocket.set(req.socket, n);
      // A target that closes an idle connection just as the next request arrives on it.
      if (dropReused && n > 1) {
        req.socket.destroy();
        return;
      }
      res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4' }).end(`m ${n}\n`);
    });
    server.on('connection', () => connections++);
    const url = `http://127.0.0.1:${await listen(server)}/metrics`;
    const scraper = new TargetScraper(target({ url }));
    expect((await scraper.scrape(1)).up).toBe(true);
    const second = await scraper.scrape(2);
    expect(byName(second.samples, 'm')[0]!.value).toBe(2); // the second request on the first connection
    expect(connections).toBe(1);
    dropReused = true;
    const third = await scraper.scrape(3);
    expect(third.error).toBeUndefined();
    expect(byName(third.samples, 'm')[0]!.value).toBe(1); // the first request on a new connection
    expect(connections).toBe(2);
    scraper.close();
  });

  it('gives up at scrape_timeout with Prometheus\' words', async () => {
    reply = { body: 'slow 1\n', delayMs: 1500 };
    const r = await new TargetScraper(target({ scrapeTimeoutMs: 200 })).scrape(1);
    expect(r.error).toBe(`Get "${httpUrl}": context deadline exceeded`);
    expect(r.durationSeconds).toBeLessThan(1);
  });

  it('reports a status other than 200, a parse error, and an unknown Content-Type as failures', async () => {
    reply = { status: 503, body: 'down' };
    expect((await new TargetScraper(target()).scrape(1)).error).toBe('server returned HTTP status 503 Service Unavailable');
    reply = { body: 'ok 1\nbroken{ 1\n' };
    expect((await new TargetScraper(target()).scrape(1)).error).toBe('expected label name, got "1" ("INVALID") while parsing: "broken{ 1"');
    reply = { body: 'ok 1\n', contentType: 'application/json' };
    expect((await new TargetScraper(target()).scrape(1)).error).toBe('received unsupported Content-Type "application/json" and no fallback_scrape_protocol specified for target');
    expect((await new TargetScraper(target({ fallbackFormat: 'prometheus-text' })).scrape(1)).up).toBe(true);
    expect((await new TargetScraper(target(), { semantics: 'prometheus-2' }).scrape(1)).up).toBe(true);
  });

  it('reads OpenMetrics when the Content-Type says so (timestamps in seconds, exemplars dropped)', async () => {
    reply = { contentType: 'application/openmetrics-text; version=1.0.0; charset=utf-8', body: '# TYPE c counter\nc_total 3 1700000000.5 # {trace="x"} 1\n# EOF\n' };
    expect(byName((await new TargetScraper(target()).scrape(1)).samples, 'c_total')).toEqual([{ labels: { __name__: 'c_total', job: 'app', instance: 'pod-a:8080' }, value: 3, timestampMs: 1700000000500 }]);
  });

  it('reads the bearer token file again for every scrape (a rotated token is used at once)', async () => {
    const file = join(sandbox, 'token');
    writeFileSync(file, 'first-token\n');
    reply = { body: 'a 1\n' };
    requests.length = 0;
    const s = new TargetScraper(target({ authorization: { credentials_file: file } }));
    await s.scrape(1);
    writeFileSync(file, 'second-token');
    await s.scrape(2);
    expect(requests.map((h) => h.authorization)).toEqual(['Bearer first-token', 'Bearer second-token']);
    const missing = join(sandbox, 'no-such-token');
    expect((await new TargetScraper(target({ authorization: { credentials_file: missing } })).scrape(3)).error).toBe(`Get "${httpUrl}": unable to read authorization credentials: unable to read file ${missing}: open ${missing}: no such file or directory`);
    expect((await new TargetScraper(target({ authorization: { credentials_file: missing } }), { semantics: 'prometheus-2' }).scrape(3)).error).toBe(`Get "${httpUrl}": unable to read authorization credentials file ${missing}: open ${missing}: no such file or directory`);
  });

  it('checks HTTPS against ca_file, refuses an unknown certificate, and skips the check with insecure_skip_verify', async () => {
    reply = { body: 'tls_metric 1\n' };
    expect((await new TargetScraper(target({ url: httpsUrl, tlsConfig: { ca_file: join(sandbox, 'cert.pem') } })).scrape(1)).up).toBe(true);
    const refused = await new TargetScraper(target({ url: httpsUrl })).scrape(1);
    expect(refused.up).toBe(false);
    expect(refused.error).toMatch(/^Get "https:.*": self[- ]signed certificate/);
    expect((await new TargetScraper(target({ url: httpsUrl, tlsConfig: { insecure_skip_verify: true } })).scrape(1)).up).toBe(true);
  });

  it('marks series stale when they disappear, when the target fails, and when it goes away; markers carry the exact StaleNaN bits', async () => {
    const s = new TargetScraper(target());
    reply = { body: 'a 1\nb 2\nstamped 3 1000\n' };
    expect(report((await s.scrape(10)).samples).scrape_series_added).toBe(3);
    reply = { body: 'a 1\nc 3\n' };
    const second = await s.scrape(20);
    expect(report(second.samples).scrape_series_added).toBe(1);
    // b went away; the series with its own timestamp is not tracked, as in Prometheus.
    expect(second.samples.filter((x) => x.stale).map((x) => [x.labels.__name__, x.timestampMs])).toEqual([['b', 20]]);
    reply = { status: 500, body: '' };
    const failed = await s.scrape(30);
    expect(failed.samples.filter((x) => x.stale).map((x) => x.labels.__name__).sort()).toEqual(['a', 'c']);
    expect(report(failed.samples).up).toBe(0);
    reply = { body: 'a 1\n' };
    await s.scrape(40);
    const gone = s.stop(50).toSamples();
    expect(gone.map((x) => x.labels.__name__).sort()).toEqual(['a', 'scrape_duration_seconds', 'scrape_samples_post_metric_relabeling', 'scrape_samples_scraped', 'scrape_series_added', 'up']);
    expect(gone.every((x) => x.stale === true && Number.isNaN(x.value) && x.timestampMs === 50)).toBe(true);
    const view = new DataView(new ArrayBuffer(8));
    writeSampleValue(view, 0, gone[0]!);
    expect(view.getBigUint64(0, true)).toBe(STALE_NAN_BITS);
    expect(Buffer.from(view.buffer).toString('hex')).toBe('020000000000f07f');
  });

  it('reads a scrape_configs entry as Prometheus does (durations, sizes, the token spellings), and scrapes with it', async () => {
    expect(parseBytes('10MB')).toBe(10 * 2 ** 20);
    expect(parseBytes('512KiB')).toBe(512 * 1024);
    expect(() => parseBytes('ten')).toThrow('invalid size "ten"');
    const file = join(sandbox, 'legacy-token');
    writeFileSync(file, 'legacy');
    const t = scrapeTargetFromConfig(
      { scrape_timeout: '1s500ms', body_size_limit: '1KB', sample_limit: 5, honor_labels: true, bearer_token_file: file, fallback_scrape_protocol: 'PrometheusText0.0.4' },
      { url: `${httpUrl}?module=a`, labels: { job: 'j', instance: 'i' } },
    );
    expect(t).toMatchObject({ scrapeTimeoutMs: 1500, bodySizeLimit: 1024, sampleLimit: 5, honorLabels: true, authorization: { type: 'Bearer', credentials_file: file }, fallbackFormat: 'prometheus-text' });
    expect(scrapeTargetFromConfig({}, { url: httpUrl, labels: {} }).scrapeTimeoutMs).toBe(10_000);
    reply = { body: 'p 1\n', contentType: '' };
    requests.length = 0;
    const r = await new TargetScraper(t).scrape(1);
    expect(r.up).toBe(true);
    expect(requests[0]!.authorization).toBe('Bearer legacy');
  });
});

describe("the scrape cache (loopback node:http target)", () => {
  /** A sample as text, the exact bits of its value included, so that two runs compare in full. */
  const show = (x: ScrapedSample): string => {
    const view = new DataView(new ArrayBuffer(8));
    writeSampleValue(view, 0, x);
    return `${seriesKey(x.labels)}|${view.getBigUint64(0, true)}|${x.timestampMs}`;
  };
  const reportNames = new Set(['up', 'scrape_duration_seconds', 'scrape_samples_scraped', 'scrape_samples_post_metric_relabeling', 'scrape_series_added']);
  const data = (r: ScrapedSample[]): ScrapedSample[] => r.filter((x) => x.stale !== true && !reportNames.has(x.labels.__name__!));

  it('gives over several scrapes the samples, markers and counts a fresh scraper works out from nothing', async () => {
    const rules = [
      { source_labels: ['__name__'], regex: 'dropped_.*', action: 'drop' as const },
      { source_labels: ['tmp'], target_label: 'tmp', replacement: '', action: 'replace' as const },
    ];
    const t = target({ sampleLimit: 8, metricRelabelConfigs: rules });
    const payloads = [
      // le is rewritten under a histogram TYPE only; tmp is relabeled away, so two texts give one series (the second is a duplicate).
      '# TYPE h histogram\nh_bucket{le="1"} 1\nh_bucket{le="+Inf"} 2\nm{a="1",b="2"} 1\nm{tmp="x",b="2",a="1"} 9\ndropped_x 1\nstamped 5 17\n',
      // h's TYPE goes, m's labels change, a new series, an exported_ label against the target's job.
      'h_bucket{le="1"} 1\nm{a="1",b="3"} 2\nnew{job="mine"} 3\nstamped 6 18\n',
      // A parse error half-way: the scrape fails, every series of the last one is marked.
      'm{a="1",b="3"} 2\nnew{job="mine"} 3\nbroken{ 1\n',
      // Over sample_limit: fails too.
      Array.from({ length: 9 }, (_, i) => `many{i="${i}"} ${i}`).join('\n') + '\n',
      // Back, with the labels in another order and a histogram again.
      '# TYPE h histogram\nh_bucket{le="1"} 3\nm{b="3",a="1"} 4\nnew{job="mine"} NaN\n',
      '# TYPE h histogram\nh_bucket{le="1"} 3\nm{b="3",a="1"} 5\n',
    ];
    const cached = new TargetScraper(t);
    let previous: Set<string> = new Set();
    let previousAppended: Set<string> = new Set();
    for (const [k, body] of payloads.entries()) {
      reply = { body };
      const now = 1000 * (k + 1);
      const got = await cached.scrape(now);
      const fresh = await new TargetScraper(t).scrape(now);
      expect(got.up, `scrape ${k}`).toBe(fresh.up);
      expect(got.error).toBe(fresh.error);
      expect(data(got.samples).map(show), `scrape ${k}`).toEqual(data(fresh.samples).map(show));
      expect([got.scraped, got.postRelabel]).toEqual([fresh.scraped, fresh.postRelabel]);
      // Series without their own timestamp are tracked: those of the last scrape not in this one get a marker.
      const tracked = new Set(data(fresh.samples).filter((x) => x.timestampMs === now).map((x) => seriesKey(x.labels)));
      const markers = got.samples.filter((x) => x.stale === true && !reportNames.has(x.labels.__name__!));
      expect(markers.map((x) => seriesKey(x.labels)).sort(), `scrape ${k}`).toEqual([...previous].filter((key) => !tracked.has(key)).sort());
      expect(markers.every((x) => x.timestampMs === now && show(x).endsWith(`|${STALE_NAN_BITS}|${now}`))).toBe(true);
      const appended = new Set(data(fresh.samples).map((x) => seriesKey(x.labels)));
      // (A failed scrape's count stops where it failed.)
      if (got.up) expect(got.seriesAdded, `scrape ${k}`).toBe(data(fresh.samples).filter((x) => !previousAppended.has(seriesKey(x.labels))).length);
      previous = tracked;
      if (got.up) previousAppended = appended;
    }
    // The target's labels change: the cache is rebuilt, the samples carry the new ones.
    t.labels = { job: 'app', instance: 'pod-b:8080' };
    reply = { body: payloads[5]! };
    const moved = await cached.scrape(7000);
    expect(data(moved.samples).map(show)).toEqual(data((await new TargetScraper(t).scrape(7000)).samples).map(show));
    expect(moved.samples.filter((x) => x.stale === true && !reportNames.has(x.labels.__name__!)).map((x) => x.labels.instance)).toEqual(['pod-a:8080', 'pod-a:8080']);
    expect(cached.stop(8000).toSamples().filter((x) => !reportNames.has(x.labels.__name__!)).map((x) => x.labels.instance)).toEqual(['pod-b:8080', 'pod-b:8080']);
  });
});

describe('the known-series fast path (loopback node:http target)', () => {
  it('reads a series seen before, whatever its shape (braces and quotes in values, escapes, odd blanks, timestamps, NaN, UTF-8, repeats), as a fresh scraper reads it', async () => {
    const body = (k: number): string =>
      [
        '# TYPE h histogram',
        `h_bucket{le="1"} ${k}`,
        `q{a="x}y",b="{",c=""} ${k}`,
        `esc{a="q\\"uote"} ${k}`,
        `nl{a="line\\nbreak"} ${k}`,
        `ts{a="b"} ${k} 1700000000000`,
        `spaces{a="b"}  ${k}`,
        `tab{a="b"}\t${k}`,
        `nolabels ${k}`,
        `utf{a="é ü"} ${k}`,
        `nan{a="b"} NaN`,
        `q{a="x}y",b="{",c=""} ${k + 100}`,
        `trailing{a="b",} ${k}`,
        '',
      ].join('\n');
    const show = (x: ScrapedSample): string => `${seriesKey(x.labels)}|${x.value}|${x.timestampMs}|${x.stale === true}`;
    const t = target();
    const cached = new TargetScraper(t);
    for (let k = 1; k <= 3; k++) {
      reply = { body: body(k) };
      const got = await cached.scrape(k * 1000);
      const fresh = await new TargetScraper(t).scrape(k * 1000);
      expect(got.error).toBeUndefined();
      // (Timing aside, and scrape_series_added: a fresh scraper has seen no series before.)
      const comparable = (x: ScrapedSample): boolean => x.labels.__name__ !== 'scrape_duration_seconds' && x.labels.__name__ !== 'scrape_series_added';
      expect(got.samples.filter(comparable).map(show), `scrape ${k}`).toEqual(fresh.samples.filter(comparable).map(show));
      expect([got.scraped, got.postRelabel]).toEqual([fresh.scraped, fresh.postRelabel]);
    }
    // The repeated q line is the duplicate Prometheus drops, on the fast path too; h's le is rewritten from the cache.
    const last = await cached.scrape(4000);
    expect(last.samples.filter((x) => x.labels.__name__ === 'q').map((x) => x.value)).toEqual([3]);
    expect(last.samples.find((x) => x.labels.__name__ === 'h_bucket')!.labels.le).toBe('1.0');
  });
});

describe('series keys', () => {
  it('give back the labels they were made from, whatever the text (long values, separators-like and non-Latin-1 characters), and tell label sets apart', () => {
    const long = `${'x'.repeat(300)}\u00ff12;`;
    const sets = [{ __name__: 'm', a: 'b' }, { [long]: long, z: '\u0001\u00ff', é: '✓' }, { a: 'bc' }, { ab: 'c' }, JSON.parse('{"__proto__":"v"}') as Record<string, string>];
    for (const labels of sets) expect(labelsFromKey(seriesKey(labels))).toEqual(labels);
    expect(new Set(sets.map(seriesKey)).size).toBe(sets.length);
    expect(seriesKey({ b: '2', a: '1' })).toBe(seriesKey({ a: '1', b: '2' }));
  });
});
