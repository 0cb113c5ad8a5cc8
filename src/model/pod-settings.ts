/**
 * podDefaults and their per-workload overrides: which settings each rendered
 * workload's pod gets. A field given for a workload replaces the default one
 * whole (tolerations and nodeSelector included); labels and annotations merge
 * key by key.
 */
import type { PodSettings, Profile } from '../profile/types.js';

/** Merges a workload's own settings over podDefaults. */
export function mergePodSettings(defaults: PodSettings | undefined, own: PodSettings | undefined): PodSettings {
  const d = defaults ?? {};
  const o = own ?? {};
  const out: PodSettings = {};
  for (const field of ['imagePullSecrets', 'priorityClassName', 'nodeSelector', 'tolerations', 'affinity'] as const) {
    const value = o[field] ?? d[field];
    if (value !== undefined) (out as Record<string, unknown>)[field] = structuredClone(value);
  }
  for (const field of ['labels', 'annotations'] as const) {
    const value = { ...d[field], ...o[field] };
    if (Object.keys(value).length > 0) out[field] = value;
  }
  return out;
}

/** The profile field holding each workload's own pod settings, by the component that renders it. */
export function ownPodSettings(profile: Profile): { agent?: PodSettings; kubeStateMetrics?: PodSettings; nodeExporter?: PodSettings; blackboxExporter?: PodSettings; localPrometheus?: PodSettings; alertmanager?: PodSettings } {
  return {
    agent: profile.agent.pod,
    kubeStateMetrics: profile.components.kubeStateMetrics.pod,
    nodeExporter: profile.components.nodeExporter.pod,
    blackboxExporter: profile.components.blackboxExporter.pod,
    localPrometheus: profile.localPrometheus.pod,
    alertmanager: profile.alertmanager?.pod,
  };
}
