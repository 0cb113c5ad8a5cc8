/**
 * k8smon's embedded runtime as a library: the Prometheus semantics that
 * decide what gets scraped (semantics/: Kubernetes discovery, relabeling,
 * target finalisation — each following Prometheus 3 or 2.x), scraping
 * (scrape/: the exposition parser, one target's scrapes with their synthetic
 * series and staleness markers), the label-set table the agent numbers its
 * series in (series/), the preview and check
 * engine built on them (plan/, preview/, check/),
 * the remote_write 1.0 sender with its write-ahead log (remote-write/),
 * and the agent kinds' readers that turn a config or manifests into the
 * neutral plan the engine reads. None of it imports the render layer.
 *
 *   import { discover, relabel, previewCluster, agentsFromManifests } from 'k8smon/runtime';
 */
export { DEFAULT_SEMANTICS, PROM_SEMANTICS, type PromSemantics } from './semantics/version.js';
export { discover, visibleSnapshot, DISCOVERY_ROLES, DiscoveryError, type DiscoveryRole, type KubernetesSdOptions, type DiscoverContext } from './semantics/discovery/discover.js';
export type { TargetGroup, Labels } from './semantics/discovery/group.js';
export { relabel, relabelWithSteps, compileRelabelConfigs, RELABEL_ACTIONS, RelabelConfigError, type RelabelConfig, type RelabelOptions, type RelabelStep } from './semantics/relabel/relabel.js';
export { PromRegex, RelabelRegexError } from './semantics/relabel/regex.js';
export { discoveredLabels, finalizeTarget, type TargetOutcome, type ScrapeJobDefaults } from './semantics/target.js';
export { parseExposition, type Sample } from './scrape/exposition.js';
export { scanExposition, ExpositionStream, formatForContentType, ExpositionError, ContentTypeError, type ExpositionFormat, type ScanOptions, type ScanResult, type ParseOptions, type SampleHandler, type MetadataHandler } from './scrape/parse.js';
export { TargetScraper, ACCEPT_HEADERS, REPORT_SERIES, type ScrapeTarget, type ScrapeOptions, type ScrapeResult } from './scrape/scrape.js';
export { writeSampleValue, seriesKey, SampleColumns, STALE_NAN_BITS, NORMAL_NAN_BITS, type ScrapedSample } from './scrape/stale.js';
export { ScrapeError } from './scrape/http-get.js';
export { scrapeTargetFromConfig, parseBytes, ScrapeConfigError, type ScrapeConfigFields } from './scrape/scrape-config.js';
export { slimObject, SNAPSHOT_RESOURCES, type Snapshot, type SnapshotResource } from './semantics/snapshot.js';
export { AgentConfigError, jobNames, type AgentSpec, type AgentInstanceConfig, type NodeLocalFilter } from './plan/plan.js';
export { previewAgent, previewCluster, type Preview, type ActiveTarget, type DroppedTarget, type Problem } from './preview/preview.js';
export { checkDeployment } from './check/index.js';
export { estimate, countSeries, PayloadError, type Estimate, type EstimateInput, type JobEstimate, type JobPayload } from './estimate/estimate.js';
export { syntheticCluster, type SyntheticOptions } from './synthetic.js';
export { readJsonFile } from './snapshot-file.js';
export { agentFromConfigFile, agentsFromFile, agentsFromManifests } from '../agents/find.js';
export { expandEnv, ExpandEnvError, type EnvLookup } from '../agents/grafana-agent/expand-env.js';
export { keptByHostFilter } from '../agents/grafana-agent/host-filter.js';
export { reloaderEnvsubst } from '../agents/prometheus/envsubst.js';
export type { RemoteSample, RemoteWriteYaml, RemoteWriteCounters } from './remote-write/types.js';
export { senderSettings, parseDuration, RemoteWriteConfigError, type SenderSettings, type QueueSettings } from './remote-write/config.js';
export { RemoteWriteSender, retryAfterMs, REMOTE_WRITE_VERSION, type SenderOptions, type LogEntry } from './remote-write/sender.js';
export { WriteAheadLog, WAL_DEFAULTS, type WalOptions } from './remote-write/wal.js';
export { encodeWriteRequest, encodeLabels } from './remote-write/protobuf.js';
export { snappyCompress } from './remote-write/snappy.js';
export { encodeSnappyWriteRequest, groupBySeries, LabelPairTable, requestColumns, type RequestColumns } from './remote-write/request.js';
export { signV4, OAuth2TokenSource, awsCredentialsFromEnv } from './remote-write/auth.js';
export type { ClusterSource, ClusterSourceFactory, ClusterSourceStatus, SdConfigEntry } from './cluster-source.js';
export { liveClusterSource, liveClusterSourceWith, informerSpecs, type LiveSourceOptions } from './kube-api/source.js';
export { inClusterConnection, kubeconfigConnection, sdConnection, KubeConfigError, type KubeConnection } from './kube-api/config.js';
export { KubeClient, KubeApiError } from './kube-api/client.js';
