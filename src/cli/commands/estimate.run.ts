/**
 * `k8smon estimate`, the work: the preview's targets, one sample payload per
 * job (a file, or one target scraped through the API server proxy), and the
 * projection of src/runtime/estimate over every target.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidInputError } from '../../errors.js';
import { KubectlFailedError, noClusterReason, runKubectl } from '../../kube/kubectl.js';
import { writePieces, writePrettyJson } from '../../output/report.js';
import { estimate, PayloadError, payloadFileName, sampleTargets, type Estimate, type JobPayload } from '../../runtime/estimate/estimate.js';
import { proxyRoute } from '../../runtime/estimate/proxy.js';
import { jobNames, resourcesRead } from '../../runtime/plan/plan.js';
import { previewCluster, type ActiveTarget, type Preview } from '../../runtime/preview/preview.js';
import { SNAPSHOT_RESOURCES, type Snapshot } from '../../runtime/semantics/snapshot.js';
import { didYouMean } from '../../util/text.js';
import type { CommandContext } from '../context.js';
import { checkOutputFormat, reportProblems } from '../preview/format.js';
import { loadAgents, loadSnapshot } from '../preview/inputs.js';
import type { EstimateOptions } from './estimate.js';

/** A payload is megabytes at most (an API server's is ~3 MB); a page of a large list is bigger. */
const PAYLOAD_MAX_BYTES = 256 * 1024 * 1024;

export async function run(options: EstimateOptions, ctx: CommandContext): Promise<void> {
  checkOutputFormat(options.output);
  if (options.snapshot !== undefined && options.payloads === undefined) {
    throw new InvalidInputError('Nothing to estimate from.', [
      { path: '--payloads', message: 'a snapshot holds no metrics: pass --payloads DIR (one <job_name>.prom per job), or --context to scrape one target per job through the API server' },
    ]);
  }
  const { agents } = loadAgents(options, ctx);
  const files = options.payloads !== undefined ? readPayloadDir(options.payloads, jobNames(agents), ctx) : new Map<string, JobPayload>();
  // Live, the proxy routes need the nodes, pods and API server endpoints whatever the jobs discover.
  const read = new Set([...resourcesRead(agents), 'nodes', 'pods', 'endpointslices']);
  const snapshot = await loadSnapshot(options, ctx, options.live ? SNAPSHOT_RESOURCES.filter((r) => read.has(r)) : undefined);
  const preview = previewCluster(agents, snapshot, { discoveredLabels: false });
  const missing = new Map<string, string>();
  const payloads = options.live ? await scrapeThroughProxy(preview, snapshot, files, missing, options, ctx) : files;
  let result: Estimate;
  try {
    result = estimate({ agents, preview, payloads, missing, top: options.top });
  } catch (err) {
    if (err instanceof PayloadError) throw new InvalidInputError('Cannot read a payload.', [{ path: err.line !== undefined ? `${err.source}:${err.line}` : err.source, message: err.reason }]);
    throw err;
  }
  if (options.output === 'json') {
    await writePrettyJson(ctx.stdout, { ...result, problems: preview.problems });
    return;
  }
  await writePieces(ctx.stdout, estimateTable(result, ctx.reporter.color.bold));
  reportProblems(preview.problems, ctx);
}

/** `<dir>/<job>.prom` for each job of the render; a file no job is named after is warned of. */
function readPayloadDir(dir: string, jobs: readonly string[], ctx: CommandContext): Map<string, JobPayload> {
  let names: string[];
  try {
    if (!statSync(dir).isDirectory()) throw new Error('not a directory');
    names = readdirSync(dir).sort();
  } catch (err) {
    throw new InvalidInputError('Cannot read the payloads.', [{ path: dir, message: `${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such directory' : (err as Error).message}; --payloads takes a directory of <job_name>.prom files` }]);
  }
  const out = new Map<string, JobPayload>();
  const byFile = new Map(jobs.map((j) => [payloadFileName(j), j]));
  for (const name of names) {
    if (!name.endsWith('.prom')) continue;
    const path = join(dir, name);
    const job = byFile.get(name);
    if (job === undefined) {
      const asked = name.slice(0, -'.prom'.length);
      ctx.reporter.warn({ path, message: `no job "${asked}"${didYouMean(asked, [...jobs])}: not used; the jobs: ${jobs.join(', ')}` });
      continue;
    }
    let body: Buffer;
    try {
      body = readFileSync(path);
    } catch (err) {
      throw new InvalidInputError('Cannot read a payload.', [{ path, message: (err as Error).message }]);
    }
    out.set(job, { source: path, from: 'file', body });
  }
  return out;
}

/** Proxy requests in flight at once: the API server and the targets are not to be hammered, nor 40 jobs read one by one. */
const CONCURRENT_SCRAPES = 4;

/** One target of each job without a payload file, read through the API server proxy; a target it cannot reach leaves its job not estimated. */
async function scrapeThroughProxy(preview: Preview, snapshot: Snapshot, files: ReadonlyMap<string, JobPayload>, missing: Map<string, string>, options: EstimateOptions, ctx: CommandContext): Promise<Map<string, JobPayload>> {
  const scraped = new Map<string, JobPayload>();
  const queue = [...sampleTargets(preview)].filter(([job]) => !files.has(job));
  const scrapeOne = async (job: string, target: ActiveTarget): Promise<void> => {
    const route = proxyRoute(target, snapshot);
    if ('reason' in route) {
      missing.set(job, `cannot scrape ${target.url} through the API server: ${route.reason}`);
      return;
    }
    ctx.reporter.progress(`${job}: scraping ${target.url} through ${route.via}`);
    const r = await runKubectl(['get', '--raw', route.path], { target: options.target, maxBuffer: PAYLOAD_MAX_BYTES });
    if (r.exitCode !== 0) {
      // No cluster at all is the command's failure, not one job's.
      if (noClusterReason(r.stderr, options.target) !== undefined) throw new KubectlFailedError(`get --raw ${route.path}`, r, [], options.target);
      const lastLine = r.stderr.trim().split('\n').pop() || `exit ${r.exitCode}`;
      missing.set(job, `kubectl get --raw ${route.path} failed: ${lastLine}`);
      return;
    }
    scraped.set(job, { source: `kubectl get --raw ${route.path}`, from: 'cluster', body: r.stdout });
  };
  const worker = async (): Promise<void> => {
    for (let next = queue.shift(); next !== undefined; next = queue.shift()) await scrapeOne(...next);
  };
  await Promise.all(Array.from({ length: CONCURRENT_SCRAPES }, worker));
  return new Map([...files, ...scraped]);
}

function pad(text: string, width: number, right = false): string {
  return right ? text.padStart(width) : text.padEnd(width);
}

/** The table: one line per job, the totals, then each job's top metric names and what is extrapolated. */
export function* estimateTable(result: Estimate, bold: (text: string) => string): Generator<string> {
  const n = (x: number): string => x.toLocaleString('en-US');
  const rows = result.jobs.map((j) => [
    j.job,
    `${j.scrapes}`,
    j.scrapeInterval,
    j.perTarget !== undefined ? `${n(j.perTarget.before)} → ${n(j.perTarget.after)}` : '-',
    j.projected !== undefined ? n(j.projected.before) : '-',
    j.projected !== undefined ? n(j.projected.after) : 'not estimated',
    j.projected !== undefined ? n(j.projected.samplesPerMinute) : '-',
  ]);
  const head = ['JOB', 'SCRAPES', 'INTERVAL', 'SERIES/TARGET BEFORE → AFTER', 'SERIES BEFORE', 'ACTIVE SERIES', 'SAMPLES/MIN'];
  const total = ['TOTAL', '', '', '', n(result.total.seriesBeforeAllowLists), n(result.total.activeSeries), n(result.total.samplesPerMinute)];
  const widths = head.map((h, i) => Math.max(h.length, total[i]!.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => `${cells.map((c, i) => pad(c, widths[i]!, i > 0 && i !== 2)).join('  ').trimEnd()}\n`;
  yield bold(line(head));
  for (const r of rows) yield line(r);
  yield bold(line(total));
  yield `\nactive series and samples include the 5 series Prometheus writes per scrape (up, scrape_*); ${result.total.jobsEstimated} jobs estimated, ${result.total.jobsNotEstimated} not\n`;
  for (const j of result.jobs) {
    if (!j.estimated) continue;
    yield `\n${bold(j.job)} (payload: ${j.payload!.source})\n`;
    for (const note of j.notes) yield `  ${note}\n`;
    for (const m of j.topMetrics ?? []) yield `  ${pad(n(m.series), 10, true)}  ${m.name}\n`;
  }
  const skipped = result.jobs.filter((j) => !j.estimated);
  if (skipped.length > 0) {
    yield `\n${bold('not estimated')}\n`;
    for (const j of skipped) yield `  ${j.job}: ${j.reason}\n`;
    if (skipped.some((j) => j.targets > 0)) yield `a payload in --payloads DIR, as <job_name>.prom (a / in the name as _), estimates a job with targets\n`;
  }
}


