/**
 * The running agent: per job, the targets discovery and relabeling give
 * (targets.ts), each scraped by its own loop at the job's scrape_interval,
 * at an offset within the interval taken from a hash of the target (as
 * Prometheus spreads its scrapes); the samples, with the external labels,
 * appended to one remote_write sender per destination (each with its
 * write-ahead log). When a source's snapshot changes the job's targets are
 * worked out again: new ones start, gone ones stop with staleness markers.
 *
 * Shutdown stops the loops (no staleness markers: the series go on after a
 * restart), lets the senders send what they can within the grace period and
 * closes them; what is left stays in their write-ahead logs for the next start.
 */
import { join } from 'node:path';
import { fnv1a } from '../../util/fnv.js';
import type { ClusterSource, ClusterSourceFactory } from '../cluster-source.js';
import { RemoteWriteSender } from '../remote-write/sender.js';
import { scrapeTargetFromConfig, type ScrapeConfigFields } from '../scrape/scrape-config.js';
import { TargetScraper, type ScrapeResult } from '../scrape/scrape.js';
import { STALE_NAN_BITS, type SampleColumns } from '../scrape/stale.js';
import { collectionDue, collectSets } from '../series/collect.js';
import { LabelSets } from '../series/label-sets.js';
import { AGENT_SEMANTICS, walDirName, type AgentConfig, type AgentJob } from './config.js';
import type { Logger } from './log.js';
import { jobTargets, targetKey, type JobTarget } from './targets.js';

export interface AgentOptions {
  /** Opens one source per kubernetes_sd_configs entry. */
  sources: ClusterSourceFactory;
  /** Each remote_write destination's write-ahead log is a directory under this one, named after it. */
  walDir: string;
  ownNamespace?: string;
  log?: Logger;
  userAgent?: string;
  /** Write-ahead log fsync interval (ms); the WAL's default when absent. */
  walFsyncIntervalMs?: number;
  /** Label sets no longer written are forgotten once the table has doubled, by at least this many sets (default 10,000). */
  forgetSetsMinGrowth?: number;
}

/** How many scrapes are under way across the agent's loops, and what to do when none is. */
interface ScrapeActivity {
  underWay: number;
  idle(): void;
}

/** Per job, what /metrics reports. */
export interface JobStats {
  scrapes: number;
  failed: number;
  samplesScraped: number;
  exceededSampleLimit: number;
  exceededBodySizeLimit: number;
  targets: number;
  /** Targets discovery gave before relabeling dropped any (active + dropped). */
  discovered: number;
  syncs: number;
  syncFailed: number;
  /** Time between a target's scrapes, summed, and how many such intervals (prometheus_target_interval_length_seconds). */
  intervalSeconds: number;
  intervals: number;
  syncSeconds: number;
}

/** A staleness marker's value, with the StaleNaN bits (the senders store values in Float64Arrays, which keep them). */
const STALE_NAN = (() => {
  const v = new DataView(new ArrayBuffer(8));
  v.setBigUint64(0, STALE_NAN_BITS, true);
  return v.getFloat64(0, true);
})();

/** The seed of the agent's scrape offsets. */
export function agentSeed(externalLabels: Record<string, string>): number {
  return fnv(JSON.stringify(Object.entries(externalLabels).sort()));
}

/** FNV-1a, 32 bits, unsigned. */
function fnv(text: string): number {
  return fnv1a(text) >>> 0;
}

/**
 * Where in each interval a target's scrapes fall: a hash of the target mixed
 * with the agent's seed (its external labels), as Prometheus offsets its
 * scrape loops, so that targets spread over the interval and two agents with
 * different external labels do not scrape one target in step.
 */
export function scrapeOffsetMs(targetKey: string, seed: number, intervalMs: number): number {
  return ((fnv(targetKey) ^ seed) >>> 0) % intervalMs;
}

class ScrapeLoop {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private next = 0;

  constructor(
    readonly target: JobTarget,
    readonly scraper: TargetScraper,
    private readonly intervalMs: number,
    /** Where in each interval this target's scrapes fall (ms). */
    private readonly offsetMs: number,
    private readonly onResult: (r: ScrapeResult, at: number) => void,
    private readonly onError: (e: Error) => void,
    private readonly activity: ScrapeActivity,
  ) {}

  start(now = Date.now()): void {
    const base = now - (now % this.intervalMs) + this.offsetMs;
    this.next = base < now ? base + this.intervalMs : base;
    this.schedule();
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => this.tick(), Math.max(0, this.next - Date.now()));
  }

  private tick(): void {
    this.timer = undefined;
    if (this.stopped) return;
    const now = Date.now();
    // Prometheus' timestamp tolerance: a scrape that starts within 2 ms of its slot is stamped with the slot,
    // so a series' samples keep an even spacing (better compression at the receiver).
    const at = Math.abs(now - this.next) <= 2 ? this.next : now;
    // The next slot on the grid, skipping any missed while the process was busy.
    this.next += this.intervalMs;
    if (this.next <= now) this.next += Math.ceil((now - this.next + 1) / this.intervalMs) * this.intervalMs;
    if (this.running === undefined) {
      this.activity.underWay++;
      this.running = this.scraper
        .scrape(at)
        .then((r) => {
          if (!this.stopped) this.onResult(r, at);
        }, this.onError)
        .finally(() => {
          this.running = undefined;
          if (--this.activity.underWay === 0) this.activity.idle();
        });
    }
    this.schedule();
  }

  /** Stops scheduling; resolves when a scrape under way has ended (its result is discarded). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
    this.scraper.close();
  }
}

interface JobState {
  job: AgentJob;
  sources: ClusterSource[];
  /** The snapshots the targets were last worked out from (sources return the same object until something changed). */
  seen: unknown[];
  loops: Map<string, ScrapeLoop>;
  stats: JobStats;
  ready: boolean;
  unsubscribe: (() => void)[];
}

export class Agent {
  readonly senders: RemoteWriteSender[] = [];
  private readonly jobs: JobState[] = [];
  private readonly log: Logger;
  private readonly seed: number;
  private readyFlag = false;
  private stopping = false;
  private readonly pendingSync = new Set<JobState>();
  private syncTimer: NodeJS.Immediate | undefined;
  /** Samples appended to the senders, and the newest timestamp among them (ms). */
  samplesIn = 0;
  highestTimestampMs = 0;
  readonly startedAt = Date.now();
  /** Every label set the agent writes, numbered once: scrapers and senders share it. */
  readonly sets = new LabelSets();
  /** append()'s values, reused (the senders copy them before it returns). */
  private scratchValues = new Float64Array(1024);
  /** Every scraper that refers to label sets: those of the loops, and those stopped whose markers are not appended yet. */
  private readonly scrapers = new Set<TargetScraper>();
  private readonly activity: ScrapeActivity = { underWay: 0, idle: () => this.forgetSetsIfDue() };
  /** Label sets live after the last collection; collections so far and the sets they forgot. */
  private liveSets = 0;
  setCollections = 0;
  setsForgotten = 0;

  constructor(
    readonly config: AgentConfig,
    private readonly options: AgentOptions,
  ) {
    this.log = options.log ?? (() => {});
    this.seed = agentSeed(config.global.external_labels);
  }

  /** Opens the senders (replaying their write-ahead logs) and the sources; scraping starts as each job's sources are ready. */
  start(): void {
    for (const settings of this.config.remoteWrite) {
      const dir = join(this.options.walDir, walDirName(settings.name));
      this.senders.push(
        new RemoteWriteSender(settings, {
          wal: { dir, ...(this.options.walFsyncIntervalMs !== undefined ? { fsyncIntervalMs: this.options.walFsyncIntervalMs } : {}) },
          userAgent: this.options.userAgent ?? 'k8smon-agent',
          sets: this.sets,
          log: ({ level, msg, ...fields }) => this.log(level, msg, fields),
        }),
      );
    }
    const context = this.options.ownNamespace !== undefined ? { ownNamespace: this.options.ownNamespace } : {};
    for (const job of this.config.jobs) {
      const state: JobState = {
        job,
        sources: job.sd.map((sd) => this.options.sources(sd, context)),
        seen: [],
        loops: new Map(),
        stats: { scrapes: 0, failed: 0, samplesScraped: 0, exceededSampleLimit: 0, exceededBodySizeLimit: 0, targets: 0, discovered: 0, syncs: 0, syncFailed: 0, syncSeconds: 0, intervalSeconds: 0, intervals: 0 },
        ready: false,
        unsubscribe: [],
      };
      this.jobs.push(state);
      for (const s of state.sources) state.unsubscribe.push(s.onChange(() => this.requestSync(state)));
      Promise.all(state.sources.map((s) => s.ready())).then(
        () => {
          if (this.stopping) return;
          state.ready = true;
          this.sync(state);
          if (this.jobs.every((j) => j.ready)) {
            this.readyFlag = true;
            this.log('info', 'ready: discovery listed and targets synced', { jobs: this.jobs.length });
          }
        },
        (err: unknown) => this.log('error', 'discovery failed to start', { job: job.name, err: (err as Error).message }),
      );
    }
    if (this.jobs.length === 0) this.readyFlag = true;
  }

  /** Every source listed and every job's targets worked out once. */
  get ready(): boolean {
    return this.readyFlag;
  }

  /** Coalesces a burst of source changes into one sync per job. */
  private requestSync(state: JobState): void {
    if (!state.ready || this.stopping) return;
    this.pendingSync.add(state);
    this.syncTimer ??= setImmediate(() => {
      this.syncTimer = undefined;
      const jobs = [...this.pendingSync];
      this.pendingSync.clear();
      for (const j of jobs) this.sync(j);
    });
  }

  /** Works out the job's targets again and starts and stops loops to match. */
  private sync(state: JobState): void {
    if (this.stopping) return;
    const snapshots = state.sources.map((s) => s.snapshot());
    if (state.stats.syncs > 0 && snapshots.every((s, i) => s === state.seen[i])) return;
    const started = performance.now();
    state.seen = snapshots;
    const { job } = state;
    let targets: JobTarget[];
    try {
      const r = jobTargets(job, this.config.global, snapshots, this.options.ownNamespace);
      targets = r.targets;
      state.stats.discovered = r.targets.length + r.dropped;
      for (const p of r.problems) this.log(p.severity === 'error' ? 'error' : 'warn', p.message, { job: job.name, rule: p.rule });
    } catch (err) {
      state.stats.syncFailed++;
      this.log('error', 'working out targets failed; keeping the current ones', { job: job.name, err: (err as Error).message });
      return;
    }
    const wanted = new Map<string, JobTarget>();
    for (const t of targets) wanted.set(targetKey(t), t);
    let added = 0;
    let removed = 0;
    for (const [key, loop] of state.loops) {
      if (wanted.has(key)) continue;
      state.loops.delete(key);
      removed++;
      void loop.stop().then(() => {
        if (!this.stopping) this.append(loop.scraper.stop(Date.now()));
        this.scrapers.delete(loop.scraper);
      });
    }
    for (const [key, t] of wanted) {
      if (state.loops.has(key)) continue;
      const loop = this.newLoop(state, t, key);
      state.loops.set(key, loop);
      loop.start();
      added++;
    }
    state.stats.targets = state.loops.size;
    state.stats.syncs++;
    state.stats.syncSeconds += (performance.now() - started) / 1000;
    if (added > 0 || removed > 0) this.log('info', 'targets changed', { job: job.name, targets: state.loops.size, added, removed });
  }

  private newLoop(state: JobState, t: JobTarget, key: string): ScrapeLoop {
    const { job, stats } = state;
    const target = scrapeTargetFromConfig(job.config as ScrapeConfigFields, t, `${job.timeoutMs}ms`);
    const scraper = new TargetScraper(target, { semantics: AGENT_SEMANTICS, userAgent: this.options.userAgent ?? 'k8smon-agent', sets: this.sets, externalLabels: this.config.global.external_labels });
    this.scrapers.add(scraper);
    let lastError: string | undefined;
    let lastAt: number | undefined;
    return new ScrapeLoop(
      t,
      scraper,
      job.intervalMs,
      scrapeOffsetMs(key, this.seed, job.intervalMs),
      (r, at) => {
        stats.scrapes++;
        if (lastAt !== undefined) {
          stats.intervalSeconds += (at - lastAt) / 1000;
          stats.intervals++;
        }
        lastAt = at;
        stats.samplesScraped += r.scraped;
        if (!r.up) {
          stats.failed++;
          if (r.error === 'sample limit exceeded') stats.exceededSampleLimit++;
          if (r.bodyBytes === -1) stats.exceededBodySizeLimit++;
        }
        if (r.error !== lastError) {
          if (r.error !== undefined) this.log('warn', 'scrape failed', { job: job.name, target: t.url, err: r.error });
          else this.log('info', 'scrape succeeded again', { job: job.name, target: t.url });
          lastError = r.error;
        }
        this.append(r.columns);
      },
      (e) => this.log('error', 'scrape loop error', { job: job.name, target: t.url, err: e.message }),
      this.activity,
    );
  }

  /**
   * Forgets the label sets nothing refers to any more (series of pods that
   * went away), once the table has doubled since the last time
   * (series/collect.ts). Called when no scrape is under way, so that every
   * set number in use is held by a scraper's cache or a sender's queue.
   */
  private forgetSetsIfDue(): void {
    if (this.stopping || !collectionDue(this.sets, this.liveSets, this.options.forgetSetsMinGrowth ?? 10_000)) return;
    if (!this.senders.every((s) => s.canRenumberSets())) return; // a sender reads its WAL back: later
    const started = performance.now();
    const { before, after, live } = collectSets(this.sets, [...this.scrapers, ...this.senders]);
    this.liveSets = live;
    if (after === before) return; // mostly live: not worth renumbering yet
    this.setCollections++;
    this.setsForgotten += before - after;
    this.log('info', 'forgot the label sets no longer written', { before, after, ms: Math.round(performance.now() - started) });
  }

  /**
   * Hands a scrape's samples to every sender (their series carry the external
   * labels already: the scrapers add them), markers with the StaleNaN as
   * their value.
   */
  private append(columns: SampleColumns): void {
    const n = columns.length;
    if (n === 0 || this.senders.length === 0) return;
    if (this.scratchValues.length < n) this.scratchValues = new Float64Array(Math.max(n, 2 * this.scratchValues.length));
    const values = this.scratchValues;
    let highest = this.highestTimestampMs;
    for (let i = 0; i < n; i++) {
      const t = columns.timestamps[i]!;
      if (columns.isStale(i)) values[i] = STALE_NAN;
      else {
        values[i] = columns.values[i]!;
        if (t > highest) highest = t;
      }
    }
    this.highestTimestampMs = highest;
    this.samplesIn += n;
    for (const sender of this.senders) {
      try {
        sender.appendSeries(columns.ids, columns.timestamps, values, n);
      } catch (err) {
        this.log('error', 'remote_write append failed', { remote: sender.settings.name, err: (err as Error).message });
      }
    }
  }

  /** The targets being scraped, per job. */
  activeTargets(): { job: string; url: string; labels: Record<string, string> }[] {
    return this.jobs.flatMap((j) => [...j.loops.values()].map((l) => ({ job: j.job.name, url: l.target.url, labels: l.target.labels })));
  }

  /** What /metrics shows of jobs and their discovery. */
  jobsView(): { name: string; stats: JobStats; sources: ClusterSource[] }[] {
    return this.jobs.map((j) => ({ name: j.job.name, stats: j.stats, sources: j.sources }));
  }

  /**
   * Stops scraping, sends what the senders can within `graceMs`, closes
   * them (the rest stays in their write-ahead logs) and stops discovery.
   * Resolves true when everything was sent.
   */
  async stop(graceMs: number): Promise<boolean> {
    if (this.stopping) return false;
    this.stopping = true;
    const deadline = Date.now() + graceMs;
    if (this.syncTimer !== undefined) clearImmediate(this.syncTimer);
    for (const j of this.jobs) for (const u of j.unsubscribe) u();
    // Scrapes under way are not waited for (their results are not sent): the grace period is the senders'.
    for (const j of this.jobs) for (const l of j.loops.values()) void l.stop();
    const flushed = await Promise.all(this.senders.map((s) => s.flush(Math.max(0, deadline - Date.now()))));
    for (const s of this.senders) s.close();
    // Discovery gets what is left of the grace period (at least a second) to stop.
    const sourcesStopped = Promise.all(this.jobs.flatMap((j) => j.sources.map((s) => s.stop().catch(() => undefined))));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([sourcesStopped, new Promise<void>((resolve) => (timer = setTimeout(resolve, Math.max(1000, deadline - Date.now()))))]);
    clearTimeout(timer);
    return flushed.every(Boolean);
  }
}
