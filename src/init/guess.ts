/**
 * Guessing the platform of the cluster kubectl points at, from what its nodes
 * say about themselves: providerID, labels and the kubelet version string.
 */
import type { Platform } from '../profile/types.js';

export interface NodeFacts {
  providerID?: string;
  labels: Record<string, string>;
  kubeletVersion?: string;
}

export interface PlatformGuess {
  platform: Platform;
  /** Why: shown next to the default in the wizard. */
  evidence: string;
}

export function guessPlatform(nodes: readonly NodeFacts[]): PlatformGuess | undefined {
  const first = nodes[0];
  if (first === undefined) return undefined;
  const provider = first.providerID ?? '';
  const version = first.kubeletVersion ?? '';
  const hasLabel = (prefix: string): boolean => nodes.some((n) => Object.keys(n.labels).some((k) => k.startsWith(prefix)));
  if (version.includes('+k3s')) return { platform: 'k3s', evidence: `kubelet ${version}` };
  if (version.includes('+rke2')) return { platform: 'rke2', evidence: `kubelet ${version}` };
  if (provider.startsWith('kind://')) return { platform: 'kind', evidence: `providerID ${provider}` };
  if (provider.startsWith('aws://') && hasLabel('eks.amazonaws.com/')) return { platform: 'eks', evidence: 'eks.amazonaws.com node labels' };
  if (provider.startsWith('gce://')) {
    if (nodes.some((n) => n.labels['cloud.google.com/gke-provisioning'] !== undefined && Object.keys(n.labels).some((k) => k.includes('autopilot')))) {
      return { platform: 'gke-autopilot', evidence: 'GKE Autopilot node labels' };
    }
    if (hasLabel('cloud.google.com/gke-')) return { platform: 'gke', evidence: 'cloud.google.com/gke-* node labels' };
  }
  if (provider.startsWith('azure://') && hasLabel('kubernetes.azure.com/')) return { platform: 'aks', evidence: 'kubernetes.azure.com node labels' };
  if (provider.startsWith('alicloud://') || hasLabel('alibabacloud.com/')) return { platform: 'ack', evidence: `providerID ${provider || 'alibabacloud.com labels'}` };
  if (provider.startsWith('qcloud://') || hasLabel('cloud.tencent.com/')) return { platform: 'tke', evidence: `providerID ${provider || 'cloud.tencent.com labels'}` };
  if (hasLabel('node-role.kubernetes.io/control-plane')) return { platform: 'kubeadm', evidence: 'control-plane nodes are part of the cluster' };
  return undefined;
}

interface NodeListJson {
  items?: { spec?: { providerID?: string }; metadata?: { labels?: Record<string, string> }; status?: { nodeInfo?: { kubeletVersion?: string } } }[];
}

export function nodeFactsFromJson(json: string): NodeFacts[] {
  const list = JSON.parse(json) as NodeListJson;
  return (list.items ?? []).map((n) => {
    const facts: NodeFacts = { labels: n.metadata?.labels ?? {} };
    if (n.spec?.providerID !== undefined) facts.providerID = n.spec.providerID;
    if (n.status?.nodeInfo?.kubeletVersion !== undefined) facts.kubeletVersion = n.status.nodeInfo.kubeletVersion;
    return facts;
  });
}
