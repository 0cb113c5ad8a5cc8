/**
 * remote_write 1.0 sender: samples in, WriteRequests out, through the
 * write-ahead log.
 *
 *   append() → write_relabel_configs → series interned (a ref per label set)
 *   → WAL (on disk first) → a shard's buffer (shard = hash of the series'
 *   labels mod the shard count, so one series always goes through one shard
 *   and keeps its order) → a request of at most max_samples_per_send samples,
 *   sent when the buffer holds that many or when its oldest sample has waited
 *   batch_send_deadline → retried with exponential backoff and jitter on
 *   network errors, 5xx and 429 (Retry-After honoured), given up on other 4xx
 *   (counted and logged) → acknowledged in the WAL.
 *
 * Memory holds at most `capacity` samples per shard. When a buffer is full
 * (the receiver is down or slow), new samples only go to the WAL and are read
 * back from it, in order, as the buffers drain; so an outage costs disk, not
 * memory, up to the WAL's bounds.
 *
 * Each shard sends one request at a time: that is what keeps a series' samples
 * in order at the receiver (Prometheus rejects a sample older than the newest
 * it has for the series).
 */
import { relabel } from '../semantics/relabel/relabel.js';
import type { SetHolder } from '../series/collect.js';
import { growInt32, LabelSets } from '../series/label-sets.js';
import { AssumeRoleCredentials, awsCredentialsFromEnv, OAuth2TokenSource, readSecretFile, signV4, WebIdentityCredentials, type AwsCredentials } from './auth.js';
import type { SenderSettings } from './config.js';
import { encodeSnappyWriteRequest, groupBySeries, LabelPairTable } from './request.js';
import { HttpTransport, type HttpResponse } from './transport.js';
import type { RemoteSample, RemoteWriteCounters } from './types.js';
import { WriteAheadLog, type WalCursor, type WalOptions } from './wal.js';

export interface LogEntry {
  level: 'debug' | 'info' | 'warn' | 'error';
  msg: string;
  [key: string]: unknown;
}

export interface SenderOptions {
  /** The write-ahead log's directory (one per destination) and its bounds. */
  wal: WalOptions;
  userAgent?: string;
  log?: (entry: LogEntry) => void;
  /** For tests: the jitter's random source. */
  random?: () => number;
  /** Where label sets are numbered; an agent shares one between its scrapers and senders. Default: the sender's own. */
  sets?: LabelSets;
}

/**
 * Buffered samples, column by column in typed arrays: no object per sample (a
 * node agent buffers tens of thousands of samples for up to
 * batch_send_deadline, long enough for objects to outlive the young
 * generation and burden the old). Values in a Float64Array, which keeps the
 * staleness marker's NaN bits.
 */
class SampleQueue {
  /** Each sample's series: its label set's number (after write relabeling). */
  series = new Int32Array(1024);
  t = new Float64Array(1024);
  v = new Float64Array(1024);
  seq = new Float64Array(1024);
  /** Samples are at [head, end): a queue without shift(). */
  head = 0;
  end = 0;

  get length(): number {
    return this.end - this.head;
  }

  push(s: number, t: number, v: number, seq: number): void {
    if (this.end === this.series.length) this.makeRoom();
    const n = this.end++;
    this.series[n] = s;
    this.t[n] = t;
    this.v[n] = v;
    this.seq[n] = seq;
  }

  /** Moves the samples to the front, or into arrays twice the size when they are more than half full. */
  private makeRoom(): void {
    const n = this.length;
    const cap = n * 2 > this.series.length ? this.series.length * 2 : this.series.length;
    const { head, end } = this;
    const move = <A extends Int32Array | Float64Array>(a: A, make: (n: number) => A): A => {
      if (a.length === cap) return a.copyWithin(0, head, end) as A;
      const bigger = make(cap);
      bigger.set(a.subarray(head, end));
      return bigger;
    };
    this.series = move(this.series, (k) => new Int32Array(k));
    this.t = move(this.t, (k) => new Float64Array(k));
    this.v = move(this.v, (k) => new Float64Array(k));
    this.seq = move(this.seq, (k) => new Float64Array(k));
    this.head = 0;
    this.end = n;
  }

  /** The sequence number of the oldest sample, or Infinity. */
  firstSeq(): number {
    return this.head < this.end ? this.seq[this.head]! : Infinity;
  }

  /** Removes the `count` oldest samples. */
  drop(count: number): void {
    this.head += count;
    if (this.head === this.end) this.head = this.end = 0;
  }
}

/** Room for `n` samples that write relabeling kept: WAL refs (which can pass 2^31), timestamps, values, set numbers. */
function appendScratch(n: number): { refs: Float64Array; timestamps: Float64Array; values: Float64Array; ids: Int32Array } {
  return { refs: new Float64Array(n), timestamps: new Float64Array(n), values: new Float64Array(n), ids: new Int32Array(n) };
}

/** A request on its way: how many samples, and the oldest one's sequence number. */
interface Batch {
  count: number;
  firstSeq: number;
}

interface Shard {
  index: number;
  items: SampleQueue;
  inflight: Batch | undefined;
  timer: NodeJS.Timeout | undefined;
  deadlineHit: boolean;
}

/** Outcome of one attempt. */
type Attempt = { kind: 'ok'; bytes: number } | { kind: 'retry'; after?: number; reason: string } | { kind: 'fail'; reason: string };

export const REMOTE_WRITE_VERSION = '0.1.0';

export class RemoteWriteSender implements SetHolder {
  readonly settings: SenderSettings;
  private readonly wal: WriteAheadLog;
  private readonly transport: HttpTransport;
  private readonly sets: LabelSets;
  private readonly table: LabelPairTable;
  /** An appended set → the set write relabeling makes of it (number + 1; 0: not worked out yet; -1: dropped). */
  private relabeled = new Int32Array(1024);
  /**
   * A series' ref in the WAL is refBase + its set's number: refs of this run
   * never clash with those of the runs before (whose series records the WAL
   * replays), and no map from series to ref is kept. When the sets are
   * numbered anew (remapSets), refBase moves past every ref used so far.
   */
  private refBase: number;
  /** Refs of earlier runs (from the WAL's series records) → set numbers, as they are read back. */
  private readonly replayedRefs = new Map<number, number>();
  /** appendSeries' columns of the samples it keeps, reused from call to call (the WAL and the queues copy them before it returns). */
  private scratch = appendScratch(1024);
  private readonly shards: Shard[];
  private mode: 'memory' | 'disk' = 'memory';
  private cursor: WalCursor;
  /** Watermarks read at open, for the samples written before it. */
  private readonly replayWatermarks: number[];
  private readonly replayEnd: number;
  private readonly replaySeries: Map<number, Record<string, string>>;
  private readonly tokenSource: OAuth2TokenSource | undefined;
  private readonly webIdentity: WebIdentityCredentials | undefined;
  private readonly assumeRole: AssumeRoleCredentials | undefined;
  private readonly log: (entry: LogEntry) => void;
  private readonly random: () => number;
  private readonly userAgent: string;
  private closing = false;
  private flushing = false;
  private readonly sleepers = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();
  private readonly idleWaiters: (() => void)[] = [];
  private readonly c: RemoteWriteCounters = {
    samplesSent: 0,
    samplesFailed: 0,
    samplesRetried: 0,
    samplesDroppedByRelabel: 0,
    samplesDroppedByWal: 0,
    bytesSent: 0,
    requestsSucceeded: 0,
    requestsFailed: 0,
    requestsRetried: 0,
    queueLength: 0,
    walBytes: 0,
    walSegments: 0,
    highestSentTimestampMs: 0,
  };

  constructor(settings: SenderSettings, options: SenderOptions) {
    this.settings = settings;
    this.log = options.log ?? (() => {});
    this.random = options.random ?? Math.random;
    this.sets = options.sets ?? new LabelSets();
    this.table = new LabelPairTable(this.sets);
    this.userAgent = options.userAgent ?? 'k8smon-remote-write';
    this.transport = new HttpTransport(settings.tls, settings.proxyUrl);
    this.shards = Array.from({ length: settings.queue.shards }, (_, index) => ({ index, items: new SampleQueue(), inflight: undefined, timer: undefined, deadlineHit: false }));
    this.wal = new WriteAheadLog(options.wal);
    const replay = this.wal.replay;
    this.replaySeries = replay.series;
    let refBase = 1;
    for (const ref of replay.series.keys()) refBase = Math.max(refBase, ref + 1);
    this.refBase = refBase;
    this.replayWatermarks = replay.watermarks;
    this.replayEnd = this.wal.headSeq;
    this.cursor = replay.cursor;
    if (replay.corruptRecords > 0) this.log({ level: 'warn', msg: 'write-ahead log: cut torn or corrupt records', records: replay.corruptRecords });
    if (this.cursor.seq < this.wal.headSeq) {
      this.mode = 'disk';
      this.log({ level: 'info', msg: 'write-ahead log: sending the unacknowledged backlog', samples: this.wal.headSeq - this.cursor.seq });
    }
    if (settings.oauth2 !== undefined) {
      this.tokenSource = new OAuth2TokenSource(settings.oauth2, async (url, init) => {
        const res = await this.transport.request(url, init.method, init.headers, init.body, settings.timeoutMs);
        return { status: res.status, body: res.body };
      });
    }
    if (settings.sigv4 !== undefined) {
      const post = async (url: URL, headers: Record<string, string>, body: string): Promise<{ status: number; body: string }> => {
        const res = await this.transport.request(url, 'POST', headers, body, settings.timeoutMs);
        return { status: res.status, body: res.body };
      };
      this.webIdentity = WebIdentityCredentials.fromEnv(settings.sigv4.region, post);
      if (settings.sigv4.roleArn !== undefined) this.assumeRole = new AssumeRoleCredentials(settings.sigv4.roleArn, settings.sigv4.region, () => this.baseAwsCredentials(), post);
    }
    this.pump();
  }

  // ---- input ------------------------------------------------------------------

  /** Queues samples for sending: on disk when this returns. */
  append(samples: readonly RemoteSample[]): void {
    const n = samples.length;
    const ids = new Int32Array(n);
    const timestamps = new Array<number>(n);
    const values = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const sample = samples[i]!;
      ids[i] = this.sets.intern(sample.labels);
      timestamps[i] = sample.timestampMs;
      values[i] = sample.value;
    }
    this.appendSeries(ids, timestamps, values, n);
  }

  /**
   * Queues samples given as columns: each sample's series (a set number of
   * the sender's LabelSets), timestamp (ms) and value. On disk when this
   * returns.
   */
  appendSeries(ids: ArrayLike<number>, timestamps: ArrayLike<number>, values: ArrayLike<number>, n: number): void {
    if (this.closing) throw new Error('remote_write sender is closed');
    if (this.scratch.values.length < n) this.scratch = appendScratch(Math.max(n, 2 * this.scratch.values.length));
    const { refs, timestamps: keptTimestamps, values: keptValues, ids: kept } = this.scratch;
    let count = 0;
    for (let i = 0; i < n; i++) {
      const id = this.afterWriteRelabel(ids[i]!);
      if (id === -1) {
        this.c.samplesDroppedByRelabel++;
        continue;
      }
      refs[count] = this.refBase + id;
      keptTimestamps[count] = timestamps[i]!;
      keptValues[count] = values[i]!;
      kept[count] = id;
      count++;
    }
    if (count === 0) return;
    const { firstSeq, cursor } = this.wal.append(refs, keptTimestamps, keptValues, count, (ref) => this.sets.labels(ref - this.refBase));
    if (this.mode === 'memory') {
      const room = this.settings.queue.capacity;
      let fits = true;
      for (const sh of this.shards) if (sh.items.length + count > room) fits = false;
      if (fits) {
        for (let i = 0; i < count; i++) {
          const id = kept[i]!;
          this.shards[this.shardOf(id)]!.items.push(id, keptTimestamps[i]!, keptValues[i]!, firstSeq + i);
        }
      } else {
        this.mode = 'disk';
        this.cursor = cursor;
      }
    }
    const dropped = this.wal.enforceBounds(this.mode === 'disk' ? this.cursor.seq : this.wal.headSeq);
    if (dropped > 0) {
      this.c.samplesDroppedByWal += dropped;
      this.log({ level: 'warn', msg: 'write-ahead log full or too old: dropped the oldest unsent samples', samples: dropped });
    }
    this.pump();
  }

  /** The set write_relabel_configs make of set `id` (worked out once per set), or -1 when they drop it. */
  private afterWriteRelabel(id: number): number {
    const rules = this.settings.writeRelabel;
    if (rules.length === 0) return this.sets.length[id]! > 0 ? id : -1;
    if (id >= this.relabeled.length) this.relabeled = growInt32(this.relabeled, Math.max(id + 1, this.relabeled.length * 2));
    const known = this.relabeled[id]!;
    if (known !== 0) return known === -1 ? -1 : known - 1;
    const out = relabel(this.sets.labels(id), rules);
    const result = out === null || Object.keys(out).length === 0 ? -1 : this.sets.intern(out);
    this.relabeled[id] = result === -1 ? -1 : result + 1;
    return result;
  }

  /** A series' shard: the hash of its labels mod the shard count, so one series always goes through one shard and keeps its order. */
  private shardOf(id: number): number {
    return (this.sets.hash[id]! >>> 0) % this.shards.length;
  }

  /** The set a WAL ref names: one of this run, or of an earlier run's series records; undefined for a ref with no series record. */
  private setOfRef(ref: number): number | undefined {
    if (ref >= this.refBase) return ref - this.refBase;
    const known = this.replayedRefs.get(ref);
    if (known !== undefined) return known;
    const labels = this.replaySeries.get(ref);
    if (labels === undefined) return undefined;
    const id = this.sets.intern(labels);
    this.replayedRefs.set(ref, id);
    this.replaySeries.delete(ref);
    return id;
  }

  // ---- forgetting label sets (series/collect.ts) ------------------------------------

  /**
   * Whether the sets may be numbered anew now: not while samples are read
   * back from the WAL (an outage's backlog, or the replay after a restart),
   * whose refs name sets by their current numbers.
   */
  canRenumberSets(): boolean {
    return this.mode === 'memory';
  }

  /** Marks the sets of the queued samples and of the refs replayed from earlier runs. */
  markSets(live: Uint8Array): void {
    for (const sh of this.shards) for (let i = sh.items.head; i < sh.items.end; i++) live[sh.items.series[i]!] = 1;
    for (const id of this.replayedRefs.values()) live[id] = 1;
  }

  remapSets(remap: Int32Array): void {
    for (const sh of this.shards) for (let i = sh.items.head; i < sh.items.end; i++) sh.items.series[i] = remap[sh.items.series[i]!]!;
    for (const [ref, id] of this.replayedRefs) this.replayedRefs.set(ref, remap[id]!);
    // New numbers, new refs: past every ref of the old numbering, so that a ref never names two series
    // (the WAL writes the series records of the new refs again).
    this.refBase += remap.length;
    // Worked out again as sets are appended (LabelPairTable notices the new numbering by itself).
    this.relabeled = new Int32Array(1024);
  }

  // ---- moving samples from the WAL into the shards -----------------------------

  private buffered(): number {
    let n = 0;
    for (const sh of this.shards) n += sh.items.length + (sh.inflight?.count ?? 0);
    return n;
  }

  private pump(): void {
    if (this.closing) return;
    const cap = this.settings.queue.capacity;
    while (this.mode === 'disk') {
      let low = true;
      for (const sh of this.shards) if (sh.items.length > cap / 2) low = false;
      if (!low) break;
      const want = Math.max(1, Math.floor(cap / 2));
      const { batches, cursor } = this.wal.read(this.cursor, want, (ref, labels) => {
        if (ref < this.refBase && !this.replayedRefs.has(ref)) this.replaySeries.set(ref, labels);
      });
      const sameShards = this.replayWatermarks.length === this.shards.length;
      const minWm = this.replayWatermarks.length > 0 ? Math.min(...this.replayWatermarks) : -Infinity;
      for (const b of batches) {
        for (let i = 0; i < b.refs.length; i++) {
          const seq = b.firstSeq + i;
          const id = this.setOfRef(b.refs[i]!);
          if (id === undefined) continue;
          const shard = this.shardOf(id);
          if (seq < this.replayEnd && seq < (sameShards ? this.replayWatermarks[shard]! : minWm)) continue; // acknowledged before the restart
          this.shards[shard]!.items.push(id, b.timestamps[i]!, b.values[i]!, seq);
        }
      }
      this.cursor = cursor;
      if (cursor.seq >= this.wal.headSeq) this.mode = 'memory';
      else if (batches.length === 0) break;
    }
    for (const sh of this.shards) this.kick(sh);
    this.updateGauges();
    this.notifyIfIdle();
  }

  private idle(): boolean {
    return this.buffered() === 0 && (this.mode === 'memory' || this.cursor.seq >= this.wal.headSeq);
  }

  private notifyIfIdle(): void {
    if (this.idleWaiters.length > 0 && this.idle()) for (const w of this.idleWaiters.splice(0)) w();
  }

  private kick(sh: Shard): void {
    if (sh.inflight !== undefined || this.closing) return;
    const n = sh.items.length;
    if (n === 0) {
      if (sh.timer !== undefined) clearTimeout(sh.timer);
      sh.timer = undefined;
      sh.deadlineHit = false;
      return;
    }
    if (n >= this.settings.queue.maxSamplesPerSend || sh.deadlineHit || this.flushing) {
      this.sendNext(sh).catch((e: unknown) => {
        // A fault of this process (not of the receiver), such as a full disk while acknowledging: the
        // batch stays unacknowledged in the WAL and is sent after a restart.
        sh.inflight = undefined;
        this.log({ level: 'error', msg: 'remote_write shard failed', remote: this.settings.name, err: (e as Error).message });
      });
      return;
    }
    sh.timer ??= setTimeout(() => {
      sh.timer = undefined;
      sh.deadlineHit = true;
      this.kick(sh);
    }, this.settings.queue.batchSendDeadlineMs);
  }

  // ---- sending -------------------------------------------------------------------

  private async sendNext(sh: Shard): Promise<void> {
    if (sh.timer !== undefined) clearTimeout(sh.timer);
    sh.timer = undefined;
    sh.deadlineHit = false;
    const batch: Batch = { count: Math.min(sh.items.length, this.settings.queue.maxSamplesPerSend), firstSeq: sh.items.firstSeq() };
    const { body, newest } = this.encode(sh.items, batch.count);
    sh.items.drop(batch.count);
    sh.inflight = batch;
    let attempt = 0;
    for (;;) {
      if (this.closing) return; // left unacknowledged: the WAL sends it after a restart
      const r = await this.attempt(body);
      if (r.kind === 'ok') {
        this.c.samplesSent += batch.count;
        this.c.bytesSent += r.bytes;
        this.c.requestsSucceeded++;
        if (newest > this.c.highestSentTimestampMs) this.c.highestSentTimestampMs = newest;
        break;
      }
      if (r.kind === 'fail') {
        this.c.samplesFailed += batch.count;
        this.c.requestsFailed++;
        this.log({ level: 'error', msg: 'non-recoverable error: samples dropped', remote: this.settings.name, samples: batch.count, err: r.reason });
        break;
      }
      const backoff = Math.min(this.settings.queue.maxBackoffMs, this.settings.queue.minBackoffMs * 2 ** attempt);
      // Jitter: anywhere in the upper half of the backoff, so shards retrying together spread out.
      const delay = r.after ?? backoff / 2 + (this.random() * backoff) / 2;
      attempt++;
      this.c.samplesRetried += batch.count;
      this.c.requestsRetried++;
      this.log({ level: 'warn', msg: 'failed to send batch, retrying', remote: this.settings.name, samples: batch.count, err: r.reason, retry_in_ms: Math.round(delay) });
      await this.sleep(delay);
    }
    sh.inflight = undefined;
    this.acknowledge();
    this.pump();
  }

  /** The request of the queue's `count` oldest samples: one TimeSeries per series, its samples in order. */
  private encode(queue: SampleQueue, count: number): { body: Uint8Array; newest: number } {
    let newest = 0;
    for (let i = queue.head; i < queue.head + count; i++) if (queue.t[i]! > newest) newest = queue.t[i]!;
    const request = groupBySeries(queue.series, queue.t, queue.v, queue.head, queue.head + count);
    return { body: encodeSnappyWriteRequest(this.table, request).body, newest };
  }

  private async attempt(body: Uint8Array): Promise<Attempt> {
    let res: HttpResponse;
    try {
      const headers = await this.headers(body);
      res = await this.transport.request(this.settings.url, 'POST', headers, body, this.settings.timeoutMs);
    } catch (e) {
      return { kind: 'retry', reason: (e as Error).message };
    }
    const s = res.status;
    if (s >= 200 && s < 300) return { kind: 'ok', bytes: body.length };
    const reason = `server returned HTTP status ${s}: ${res.body.trim().slice(0, 256)}`;
    if (s >= 500 || (s === 429 && this.settings.queue.retryOn429)) {
      const after = retryAfterMs(res.headers['retry-after']);
      return after !== undefined ? { kind: 'retry', after, reason } : { kind: 'retry', reason };
    }
    if (s === 401 && this.tokenSource !== undefined) {
      // The token was revoked or expired early: fetch a new one and try again.
      this.tokenSource.invalidate();
      return { kind: 'retry', reason };
    }
    return { kind: 'fail', reason };
  }

  private async headers(body: Uint8Array): Promise<Record<string, string>> {
    const st = this.settings;
    const h: Record<string, string> = {
      ...st.headers,
      'Content-Encoding': 'snappy',
      'Content-Type': 'application/x-protobuf',
      'User-Agent': this.userAgent,
      'X-Prometheus-Remote-Write-Version': REMOTE_WRITE_VERSION,
    };
    if (st.basicAuth !== undefined) {
      const password = st.basicAuth.passwordFile !== undefined ? readSecretFile(st.basicAuth.passwordFile) : (st.basicAuth.password ?? '');
      h.Authorization = `Basic ${Buffer.from(`${st.basicAuth.username}:${password}`).toString('base64')}`;
    } else if (st.bearer !== undefined) {
      const token = st.bearer.credentialsFile !== undefined ? readSecretFile(st.bearer.credentialsFile) : (st.bearer.credentials ?? '');
      h.Authorization = `${st.bearer.type} ${token}`;
    } else if (this.tokenSource !== undefined) {
      h.Authorization = await this.tokenSource.authorization();
    } else if (st.sigv4 !== undefined) {
      const credentials = this.assumeRole !== undefined ? await this.assumeRole.get() : await this.baseAwsCredentials();
      if (credentials === undefined) throw new Error('sigv4: no credentials (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE, or access_key and secret_key)');
      const signed: Record<string, string> = {};
      for (const [k, v] of Object.entries(h)) if (k !== 'User-Agent') signed[k] = v;
      Object.assign(h, signV4({ method: 'POST', url: st.url, headers: signed, body, region: st.sigv4.region, service: 'aps', credentials }));
    }
    return h;
  }

  /** The AWS SDKs' order: keys in the config, then the environment's keys, then the web identity (IRSA). */
  private async baseAwsCredentials(): Promise<AwsCredentials | undefined> {
    const v4 = this.settings.sigv4!;
    if (v4.accessKey !== undefined && v4.secretKey !== undefined) return { accessKeyId: v4.accessKey, secretAccessKey: v4.secretKey };
    return awsCredentialsFromEnv() ?? (await this.webIdentity?.get());
  }

  private acknowledge(): void {
    const sameShards = this.replayWatermarks.length === this.shards.length;
    const marks = this.shards.map((sh) => {
      let head = this.mode === 'disk' ? this.cursor.seq : this.wal.headSeq;
      // Not read yet, but acknowledged before the restart: a shard's samples below its old watermark.
      if (this.mode === 'disk' && sameShards && head < this.replayWatermarks[sh.index]!) head = this.replayWatermarks[sh.index]!;
      return Math.min(sh.inflight?.firstSeq ?? Infinity, sh.items.firstSeq(), head);
    });
    this.wal.acknowledge(marks);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const entry = {
        timer: setTimeout(() => {
          this.sleepers.delete(entry);
          resolve();
        }, ms),
        resolve,
      };
      this.sleepers.add(entry);
    });
  }

  private updateGauges(): void {
    this.c.queueLength = this.buffered() + (this.mode === 'disk' ? this.wal.headSeq - this.cursor.seq : 0);
    this.c.walBytes = this.wal.bytes;
    this.c.walSegments = this.wal.segmentCount;
  }

  // ---- outside view ----------------------------------------------------------------

  /** The counters, as plain numbers (a snapshot). */
  counters(): RemoteWriteCounters {
    this.updateGauges();
    return { ...this.c };
  }

  /**
   * Sends everything queued now without waiting for batch deadlines; resolves
   * when all of it is acknowledged (or given up), or after `timeoutMs` with
   * false.
   */
  async flush(timeoutMs = 30_000): Promise<boolean> {
    this.flushing = true;
    try {
      const done = new Promise<boolean>((resolve) => {
        if (this.idle()) resolve(true);
        else this.idleWaiters.push(() => resolve(true));
      });
      this.pump();
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), timeoutMs);
      });
      const ok = await Promise.race([done, timeout]);
      clearTimeout(timer);
      return ok;
    } finally {
      this.flushing = false;
    }
  }

  /**
   * Stops: what is not acknowledged stays in the WAL for the next start.
   * Call flush() first to send what can be sent within a grace period.
   */
  close(): void {
    if (this.closing) return;
    this.closing = true;
    for (const sh of this.shards) if (sh.timer !== undefined) clearTimeout(sh.timer);
    for (const s of this.sleepers) {
      clearTimeout(s.timer);
      s.resolve();
    }
    this.sleepers.clear();
    this.wal.close();
    this.transport.close();
  }
}

/** Retry-After: delay-seconds or an HTTP-date (RFC 9110 §10.2.3), in ms. */
export function retryAfterMs(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (v === undefined || v.trim() === '') return undefined;
  if (/^\d+$/.test(v.trim())) return Number(v.trim()) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
