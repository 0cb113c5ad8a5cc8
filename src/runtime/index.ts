/**
 * k8smon's embedded runtime: the parts of an agent that decide what gets
 * scraped — Kubernetes discovery, relabeling, target finalisation — and a
 * preview of every agent instance. It reads agent configs and cluster objects
 * and never imports the render layer.
 *
 *   import { discover, relabel, previewCluster } from 'k8smon/runtime';
 */
export { expandEnv, ExpandEnvError, type EnvLookup } from './agent-config/expand-env.js';
export { discover, visibleSnapshot, DISCOVERY_ROLES, DiscoveryError, type DiscoveryRole, type KubernetesSdOptions, type DiscoverContext } from './semantics/discovery/discover.js';
export type { TargetGroup, Labels } from './semantics/discovery/group.js';
export { relabel, relabelWithSteps, compileRelabelConfigs, RELABEL_ACTIONS, RelabelConfigError, type RelabelConfig, type RelabelOptions, type RelabelStep } from './semantics/relabel/relabel.js';
export { DEFAULT_SEMANTICS, PROM_SEMANTICS, type PromSemantics } from './semantics/version.js';
export { PromRegex, RelabelRegexError } from './semantics/relabel/regex.js';
export { discoveredLabels, finalizeTarget, type TargetOutcome, type ScrapeJobDefaults } from './semantics/target.js';
export { agentFromConfigFile, agentsFromManifests, jobNames, readInstanceConfig, type AgentSpec } from './agent-config.js';
export { checkDeployment } from './check/index.js';
export { previewAgent, previewCluster, keptByHostFilter, type Preview, type ActiveTarget, type DroppedTarget, type Problem } from './preview.js';
export { parseExposition, type Sample } from './semantics/exposition.js';
export { syntheticCluster, type SyntheticOptions } from './synthetic.js';
export { slimObject, SNAPSHOT_RESOURCES, type Snapshot, type SnapshotResource } from './semantics/snapshot.js';
export { readJsonFile } from './snapshot-file.js';
