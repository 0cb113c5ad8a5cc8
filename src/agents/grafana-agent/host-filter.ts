/**
 * grafana-agent static mode's `host_filter` (static/metrics/instance
 * host_filter.go), for the preview: a metrics instance with host_filter keeps
 * only the discovered targets on its own node, and narrows pod discovery to
 * that node by itself (PatchSD). Its `host_filter_relabel_configs` run first
 * and may say where a target runs (`__host__`).
 */
import type { CompiledNodeFilter, NodeLocalFilter } from '../../runtime/plan/plan.js';
import type { DiscoveryRole, KubernetesSdOptions } from '../../runtime/semantics/discovery/discover.js';
import { BuiltGroup, type GroupView, type TargetGroup } from '../../runtime/semantics/discovery/group.js';
import { labelValue, mergeLabels, type Labels } from '../../runtime/semantics/labels.js';
import { compileRelabelConfigs, relabel, type CompiledRelabel, type RelabelConfig } from '../../runtime/semantics/relabel/relabel.js';
import type { PromSemantics } from '../../runtime/semantics/version.js';

/** Labels grafana-agent's host filter compares with the node name (besides __address__). */
const HOST_FILTER_LABELS = [
  '__meta_consul_node',
  '__meta_dockerswarm_node_id',
  '__meta_dockerswarm_node_hostname',
  '__meta_dockerswarm_node_address',
  '__meta_kubernetes_pod_node_name',
  '__meta_kubernetes_node_name',
  '__host__',
];

/** The host part of host:port, as net.SplitHostPort gives it (the value itself when there is no port). */
function hostOf(value: string): string {
  if (value.startsWith('[')) {
    const end = value.indexOf(']');
    return end === -1 ? value : value.slice(1, end);
  }
  const colon = value.indexOf(':');
  return colon !== -1 && colon === value.lastIndexOf(':') ? value.slice(0, colon) : value;
}

/** The host filter's test of one label value: the host part is loopback or the node. */
function hostMatches(value: string | undefined, host: string): boolean {
  if (value === undefined || value === '') return false;
  const h = hostOf(value);
  return h === 'localhost' || h === '127.0.0.1' || h === host;
}

/** The host filter of one metrics instance, with that instance's host_filter_relabel_configs. */
export class HostFilter implements NodeLocalFilter {
  readonly relabelField = 'host_filter_relabel_configs';
  private readonly compiled = new Map<PromSemantics, CompiledNodeFilter>();

  constructor(readonly relabelConfigs: readonly RelabelConfig[]) {}

  compile(semantics: PromSemantics): CompiledNodeFilter {
    let filter = this.compiled.get(semantics);
    if (filter === undefined) this.compiled.set(semantics, (filter = new CompiledHostFilter(compileRelabelConfigs(this.relabelConfigs, { semantics }))));
    return filter;
  }

  /** Serialised with the scrape config it belongs to (what a per-node copy compares). */
  toJSON(): unknown {
    return { host_filter_relabel_configs: this.relabelConfigs };
  }
}

class CompiledHostFilter implements CompiledNodeFilter {
  constructor(private readonly rules: readonly CompiledRelabel[]) {}

  /** PatchSD: with host_filter, pod discovery is narrowed to the node by a field selector. */
  sdOptions(sd: KubernetesSdOptions & { role: DiscoveryRole }, node: string): KubernetesSdOptions {
    return sd.role === 'pod' ? { ...sd, selectors: [{ role: 'pod', field: `spec.nodeName=${node}` }] } : sd;
  }

  /**
   * Every target of the group is kept for a group label alone (a pod's node
   * name): targets cannot override it, as Kubernetes SD never gives a target
   * a label of its group.
   */
  keepsGroup(group: GroupView, node: string): boolean {
    if (this.rules.length > 0) return false;
    return HOST_FILTER_LABELS.some((l) => hostMatches(group.label(l), node));
  }

  keeps(target: Labels, group: GroupView, node: string): boolean {
    let get = (n: string): string | undefined => labelValue(target, n) ?? group.label(n);
    if (this.rules.length > 0) {
      const processed = relabel(mergeLabels(group.labels(), target), this.rules);
      // Dropped by host_filter_relabel_configs: no labels, so no address, and grafana-agent passes it on.
      if (processed === null) return true;
      get = (n) => labelValue(processed, n);
    }
    const address = get('__address__');
    if (address === undefined || address === '') return true;
    if (hostMatches(address, node)) return true;
    return HOST_FILTER_LABELS.some((l) => hostMatches(get(l), node));
  }
}

/** Whether the host filter keeps a target of a plain group (the library's entry point, for tests and users). */
export function keptByHostFilter(target: Labels, group: TargetGroup, host: string, hostFilterRelabel: readonly RelabelConfig[] = [], semantics: PromSemantics = 'prometheus-2'): boolean {
  return new HostFilter(hostFilterRelabel).compile(semantics).keeps(target, new BuiltGroup(group), host);
}
