/**
 * The agent's own /metrics, in the Prometheus text format. Where Prometheus'
 * agent has a counterpart the name and labels are its (remote storage,
 * targets per scrape pool, readiness), so the self-monitoring allow-list and
 * the alert rules written for a Prometheus agent work unchanged; the rest
 * are k8smon_agent_*.
 */
import type { Agent } from './agent.js';

type LabelSet = Record<string, string | undefined>;

function escapeValue(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

class Exposition {
  private readonly lines: string[] = [];

  family(name: string, type: 'counter' | 'gauge' | 'summary', help: string, samples: [LabelSet, number][]): void {
    this.lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, value] of samples) this.sample(name, labels, value);
  }

  sample(name: string, labels: LabelSet, value: number): void {
    const pairs = Object.entries(labels).filter((e): e is [string, string] => e[1] !== undefined);
    const body = pairs.length === 0 ? '' : `{${pairs.map(([k, v]) => `${k}="${escapeValue(v)}"`).join(',')}}`;
    this.lines.push(`${name}${body} ${formatValue(value)}`);
  }

  header(name: string, type: string, help: string): void {
    this.lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
  }

  text(): string {
    return `${this.lines.join('\n')}\n`;
  }
}

export function agentMetrics(agent: Agent, version: string): string {
  const e = new Exposition();
  const jobs = agent.jobsView();
  const mem = process.memoryUsage();
  e.family('process_start_time_seconds', 'gauge', 'Start time of the process since unix epoch in seconds.', [[{}, Math.floor(agent.startedAt / 1000)]]);
  const cpu = process.cpuUsage();
  e.family('process_cpu_seconds_total', 'counter', 'Total user and system CPU time spent in seconds.', [[{}, (cpu.user + cpu.system) / 1e6]]);
  e.family('process_resident_memory_bytes', 'gauge', 'Resident memory size in bytes.', [[{}, mem.rss]]);
  e.family('k8smon_agent_build_info', 'gauge', 'The k8smon agent version.', [[{ version }, 1]]);
  e.family('prometheus_ready', 'gauge', 'Whether the agent is ready: discovery listed and targets synced.', [[{}, agent.ready ? 1 : 0]]);

  // Scraping, per job.
  e.family('prometheus_target_scrape_pool_targets', 'gauge', 'Current number of targets in this scrape pool.', jobs.map((j) => [{ scrape_job: j.name }, j.stats.targets]));
  e.header('prometheus_target_sync_length_seconds', 'summary', 'Actual interval to sync the scrape pool.');
  for (const j of jobs) {
    e.sample('prometheus_target_sync_length_seconds_sum', { scrape_job: j.name }, j.stats.syncSeconds);
    e.sample('prometheus_target_sync_length_seconds_count', { scrape_job: j.name }, j.stats.syncs);
  }
  e.family('prometheus_target_sync_failed_total', 'counter', 'Total number of target sync failures.', jobs.map((j) => [{ scrape_job: j.name }, j.stats.syncFailed]));
  // Per job here; Prometheus labels it by the configured interval.
  e.header('prometheus_target_interval_length_seconds', 'summary', 'Actual intervals between scrapes.');
  for (const j of jobs) {
    e.sample('prometheus_target_interval_length_seconds_sum', { scrape_job: j.name }, j.stats.intervalSeconds);
    e.sample('prometheus_target_interval_length_seconds_count', { scrape_job: j.name }, j.stats.intervals);
  }
  e.family('prometheus_sd_discovered_targets', 'gauge', 'Current number of discovered targets.', jobs.map((j) => [{ config: j.name, name: 'scrape' }, j.stats.discovered]));
  e.family('prometheus_target_scrapes_exceeded_sample_limit_total', 'counter', 'Total number of scrapes that hit the sample limit and were rejected.', [[{}, jobs.reduce((n, j) => n + j.stats.exceededSampleLimit, 0)]]);
  e.family('prometheus_target_scrapes_exceeded_body_size_limit_total', 'counter', 'Total number of scrapes that hit the body size limit.', [[{}, jobs.reduce((n, j) => n + j.stats.exceededBodySizeLimit, 0)]]);
  e.family('k8smon_agent_scrapes_total', 'counter', 'Scrapes made, per job.', jobs.map((j) => [{ job: j.name }, j.stats.scrapes]));
  e.family('k8smon_agent_scrapes_failed_total', 'counter', 'Scrapes that failed (up 0), per job.', jobs.map((j) => [{ job: j.name }, j.stats.failed]));
  e.family('k8smon_agent_samples_scraped_total', 'counter', 'Samples read from targets (before metric relabeling), per job.', jobs.map((j) => [{ job: j.name }, j.stats.samplesScraped]));

  // Discovery, per job, SD entry and watched resource.
  const status = jobs.flatMap((j) => j.sources.flatMap((s, i) => s.status().map((st) => ({ job: j.name, sd: String(i), st }))));
  const sdLabels = (x: (typeof status)[number]): LabelSet => ({ job: x.job, sd: x.sd, resource: x.st.resource, namespace: x.st.namespace });
  e.family('k8smon_agent_discovery_synced', 'gauge', 'Whether the watched resource has been listed since the agent started.', status.map((x) => [sdLabels(x), x.st.synced ? 1 : 0]));
  e.family('k8smon_agent_discovery_lists_total', 'counter', 'Full lists of the watched resource.', status.map((x) => [sdLabels(x), x.st.lists]));
  e.family('k8smon_agent_discovery_events_total', 'counter', 'Watch events applied.', status.map((x) => [sdLabels(x), x.st.events]));
  e.family('k8smon_agent_discovery_failures_total', 'counter', 'Failed list or watch requests.', status.map((x) => [sdLabels(x), x.st.failures]));
  e.family('prometheus_sd_failed_configs', 'gauge', 'Current number of service discovery configurations that failed to load.', [[{ name: 'scrape' }, jobs.reduce((n, j) => n + j.sources.filter((s) => s.status().some((st) => st.lastError !== undefined)).length, 0)]]);
  e.family('prometheus_sd_kubernetes_failures_total', 'counter', 'The number of failed WATCH/LIST requests.', [[{}, status.reduce((n, x) => n + x.st.failures, 0)]]);

  // Label sets (series) held, and those forgotten (series/collect.ts).
  e.family('prometheus_agent_active_series', 'gauge', 'Number of active series being tracked by the WAL storage (label sets held: those written, and those no longer written until the next collection).', [[{}, agent.sets.size]]);
  e.family('k8smon_agent_label_sets_forgotten_total', 'counter', 'Label sets forgotten because nothing wrote them any more (series of targets or pods gone).', [[{}, agent.setsForgotten]]);

  // remote_write, per destination.
  const remotes = agent.senders.map((s) => ({ labels: { remote_name: s.settings.name, url: s.settings.url.toString() }, c: s.counters(), s }));
  e.family('prometheus_agent_samples_appended_total', 'counter', 'Total number of samples appended to the storage.', [[{}, agent.samplesIn]]);
  e.family('prometheus_remote_storage_samples_in_total', 'counter', 'Samples appended to remote storage.', [[{}, agent.samplesIn]]);
  e.family('prometheus_remote_storage_highest_timestamp_in_seconds', 'gauge', 'Highest timestamp that has come into the remote storage via the Appender interface, in seconds since epoch.', [[{}, agent.highestTimestampMs / 1000]]);
  const per = (name: string, type: 'counter' | 'gauge', help: string, value: (r: (typeof remotes)[number]) => number): void => e.family(name, type, help, remotes.map((r) => [r.labels, value(r)]));
  per('prometheus_remote_storage_samples_total', 'counter', 'Total number of samples sent to remote storage.', (r) => r.c.samplesSent);
  per('prometheus_remote_storage_samples_failed_total', 'counter', 'Total number of samples which failed on send to remote storage, non-recoverable errors.', (r) => r.c.samplesFailed);
  per('prometheus_remote_storage_samples_retried_total', 'counter', 'Total number of samples which failed on send to remote storage but were retried because the send error was recoverable.', (r) => r.c.samplesRetried);
  per('prometheus_remote_storage_samples_dropped_total', 'counter', 'Total number of samples which were dropped after being read from the WAL before being sent via remote write, either via relabelling or the WAL bounds.', (r) => r.c.samplesDroppedByRelabel + r.c.samplesDroppedByWal);
  per('prometheus_remote_storage_samples_pending', 'gauge', 'The number of samples pending in the queues shards to be sent to the remote storage.', (r) => r.c.queueLength);
  per('prometheus_remote_storage_bytes_total', 'counter', 'The total number of bytes of data (not metadata) sent by the queue after compression.', (r) => r.c.bytesSent);
  per('prometheus_remote_storage_queue_highest_sent_timestamp_seconds', 'gauge', 'Timestamp from a WAL sample, the highest timestamp successfully sent by this queue, in seconds since epoch.', (r) => r.c.highestSentTimestampMs / 1000);
  per('prometheus_remote_storage_shards', 'gauge', 'The number of shards used for parallel sending to the remote storage.', (r) => r.s.settings.queue.shards);
  per('prometheus_remote_storage_max_samples_per_send', 'gauge', 'The maximum number of samples to be sent, in a single request, to the remote storage.', (r) => r.s.settings.queue.maxSamplesPerSend);
  per('k8smon_agent_remote_write_samples_dropped_by_wal_total', 'counter', 'Samples the write-ahead log dropped unsent at its size or age bound.', (r) => r.c.samplesDroppedByWal);
  per('k8smon_agent_remote_write_requests_total', 'counter', 'Requests the receiver accepted.', (r) => r.c.requestsSucceeded);
  per('k8smon_agent_remote_write_requests_failed_total', 'counter', 'Requests refused for good.', (r) => r.c.requestsFailed);
  per('k8smon_agent_remote_write_requests_retried_total', 'counter', 'Requests failed and retried.', (r) => r.c.requestsRetried);
  per('k8smon_agent_wal_bytes', 'gauge', 'Bytes the write-ahead log holds on disk.', (r) => r.c.walBytes);
  per('k8smon_agent_wal_segments', 'gauge', 'Segments the write-ahead log holds.', (r) => r.c.walSegments);
  return e.text();
}
