/** Role `node`: one target per node, at its preferred address and the kubelet port. */
import type { NodeObject } from '../snapshot.js';
import type { Labels } from '../labels.js';
import { joinHostPort, META, objectMetaLabels, sanitizeLabelName, set, type TargetGroup } from './group.js';
import { DEFAULT_SEMANTICS, type PromSemantics } from '../version.js';

const NODE_ADDRESS_PRIORITY = ['InternalIP', 'InternalDNS', 'ExternalIP', 'ExternalDNS', 'LegacyHostIP', 'Hostname'];

/**
 * The node's group; undefined for a node without an address, for which
 * Prometheus sends no group at all ("No node address found").
 */
export function nodeGroup(node: NodeObject, semantics: PromSemantics = DEFAULT_SEMANTICS): TargetGroup | undefined {
  const labels: Labels = {};
  set(labels, `${META}node_provider_id`, node.spec?.providerID);
  if (semantics === 'prometheus-3') {
    // Each condition as `…_node_condition_<type, lower case>`: its status, lower case ("true", "false", "unknown").
    for (const c of node.status?.conditions ?? []) set(labels, `${META}node_condition_${sanitizeLabelName(c.type.toLowerCase())}`, c.status.toLowerCase());
  }
  objectMetaLabels(labels, node.metadata, 'node');
  const group: TargetGroup = { source: `node/${node.metadata.name}`, targets: [], labels };
  const byType = new Map<string, string[]>();
  for (const a of node.status?.addresses ?? []) byType.set(a.type, [...(byType.get(a.type) ?? []), a.address]);
  const type = NODE_ADDRESS_PRIORITY.find((t) => byType.has(t));
  if (type === undefined) return undefined;
  const port = node.status?.daemonEndpoints?.kubeletEndpoint?.Port ?? 0;
  const target: Labels = { __address__: joinHostPort(byType.get(type)![0]!, port), instance: node.metadata.name };
  for (const [t, addrs] of byType) set(target, sanitizeLabelName(`${META}node_address_${t}`), addrs[0]);
  group.targets.push(target);
  return group;
}
