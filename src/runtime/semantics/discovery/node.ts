/** Role `node`: one target per node, at its preferred address and the kubelet port. */
import type { NodeObject } from '../snapshot.js';
import type { Labels } from '../labels.js';
import { joinHostPort, META, objectMetaLabels, sanitizeLabelName, set, type TargetGroup } from './group.js';

const NODE_ADDRESS_PRIORITY = ['InternalIP', 'InternalDNS', 'ExternalIP', 'ExternalDNS', 'LegacyHostIP', 'Hostname'];

export function nodeGroup(node: NodeObject): TargetGroup {
  const labels: Labels = {};
  objectMetaLabels(labels, node.metadata, 'node');
  set(labels, `${META}node_provider_id`, node.spec?.providerID);
  const group: TargetGroup = { source: `node/${node.metadata.name}`, targets: [], labels };
  const byType = new Map<string, string[]>();
  for (const a of node.status?.addresses ?? []) byType.set(a.type, [...(byType.get(a.type) ?? []), a.address]);
  const type = NODE_ADDRESS_PRIORITY.find((t) => byType.has(t));
  if (type === undefined) return group; // "No node address found"
  const port = node.status?.daemonEndpoints?.kubeletEndpoint?.Port ?? 0;
  const target: Labels = { __address__: joinHostPort(byType.get(type)![0]!, port), instance: node.metadata.name };
  for (const [t, addrs] of byType) set(target, sanitizeLabelName(`${META}node_address_${t}`), addrs[0]);
  group.targets.push(target);
  return group;
}
