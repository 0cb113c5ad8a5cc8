/**
 * What every agent kind's workload shares: its name and shape from the
 * agent's scope (a DaemonSet on every node, one Deployment, or a StatefulSet
 * of shards), the
 * restricted pod security, the credential Secrets mounted read-only, and the
 * RBAC derived from its jobs. A kind adds its containers and volumes.
 */
import { LINUX_NODES, restrictedPodSecurityContext, TOLERATE_EVERYTHING } from '../../model/security.js';
import { podNameEnv } from './sharding.js';
import type { AgentModel, ContainerModel, Model, WorkloadModel } from '../../model/types.js';

/** The volumes and mounts of the Secrets the agents read credentials from. */
export function credentialVolumes(model: Model): { volumes: Record<string, unknown>[]; mounts: Record<string, unknown>[] } {
  const parts = model.mountedSecrets.map((s, i) => ({
    volume: { name: `secret-${i}`, secret: { secretName: s.secretName, items: s.keys.map((key) => ({ key, path: key })), defaultMode: 0o440 } },
    mount: { name: `secret-${i}`, mountPath: s.mountPath, readOnly: true },
  }));
  return { volumes: parts.map((p) => p.volume), mounts: parts.map((p) => p.mount) };
}

/** The downward-API variable a node-local agent learns its node's name from. */
export function nodeNameEnv(name: string): Record<string, unknown> {
  return { name, valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } };
}

/**
 * What the container that reads an agent's config must know of its instance:
 * the node's name on a node-local agent, the pod's name on a sharded
 * cluster agent (its ordinal picks its share), nothing otherwise.
 */
export function instanceEnv(agent: AgentModel, nodeNameVar: string): { env?: Record<string, unknown>[] } {
  if (agent.scope === 'node') return { env: [nodeNameEnv(nodeNameVar)] };
  return agent.shards > 1 ? { env: [podNameEnv()] } : {};
}

export interface AgentPod {
  /** The agent's ConfigMap (named after the agent): file name → text. */
  config: Record<string, string>;
  /** Files of that ConfigMap that are bytes, not text: file name → base64. */
  binaryConfig?: Record<string, string>;
  containers: ContainerModel[];
  initContainers?: ContainerModel[];
  /** Volumes besides the agent's ConfigMap (`config`) and the credential Secrets. */
  volumes: Record<string, unknown>[];
}

/** The workload of one agent: a kind supplies its containers, this the rest. */
export function agentWorkload(agent: AgentModel, pod: AgentPod): WorkloadModel {
  const nodeLocal = agent.scope === 'node';
  const sharded = !nodeLocal && agent.shards > 1;
  return {
    name: agent.name,
    component: nodeLocal ? 'agent-node' : 'agent-cluster',
    // A sharded agent's replicas need stable names: each keeps the targets its ordinal owns.
    kind: nodeLocal ? 'DaemonSet' : sharded ? 'StatefulSet' : 'Deployment',
    // A drain evicts one shard at a time: the others keep their share scraped meanwhile.
    ...(sharded ? { replicas: agent.shards, maxUnavailable: 1 } : {}),
    automountToken: true,
    rbac: agent.rbac,
    configMaps: [{ name: agent.name, data: pod.config, ...(pod.binaryConfig !== undefined ? { binaryData: pod.binaryConfig } : {}) }],
    // Sharing the host network is not allowed by "baseline"; everything else about the agent is "restricted".
    // And so is a hostPath volume (a WAL kept on the node).
    podSecurity: agent.hostNetwork || pod.volumes.some((v) => v.hostPath !== undefined) ? 'privileged' : 'restricted',
    pod: {
      hostNetwork: agent.hostNetwork,
      tolerations: nodeLocal ? TOLERATE_EVERYTHING : undefined,
      nodeSelector: LINUX_NODES,
      securityContext: restrictedPodSecurityContext(),
      ...(pod.initContainers !== undefined ? { initContainers: pod.initContainers } : {}),
      containers: pod.containers,
      volumes: [{ name: 'config', configMap: { name: agent.name } }, ...pod.volumes],
    },
  };
}
