/**
 * Reading a workload's pod from manifests the way the kubelet would run it:
 * the flags a container was started with, the files its ConfigMap volumes
 * provide, and the environment it sees on a node. Every agent kind recognises
 * its containers with these.
 */
import type { Manifest } from '../../runtime/plan/manifests.js';
import type { PodPlacement } from '../../runtime/plan/placement.js';

/** One container of a workload among manifests, with what it can read. */
export interface ContainerFiles {
  workload: Manifest;
  /** The pod spec (loosely typed: hand-made manifests come in every shape). */
  pod: any;
  container: any;
  /** Every manifest given, to find the ConfigMaps the pod mounts. */
  objects: readonly Manifest[];
}

/** The command line of a container: command then args. */
export function commandLine(container: any): string[] {
  return [...(container?.command ?? []), ...(container?.args ?? [])].filter((a): a is string => typeof a === 'string');
}

/** A Go flag's value in a command line: `-name=value`, `--name=value`, or the argument after `-name`. */
export function flagValue(flags: readonly string[], name: string): string | undefined {
  for (let i = 0; i < flags.length; i++) {
    const m = /^--?([^=]+)(=(.*))?$/.exec(flags[i]!);
    if (m?.[1] !== name) continue;
    return m[2] !== undefined ? m[3] : flags[i + 1];
  }
  return undefined;
}

/** Whether a boolean Go flag is on: `-name`, `--name` or `--name=true`. */
export function flagSet(flags: readonly string[], name: string): boolean {
  return flags.some((a) => a === `-${name}` || a === `--${name}` || a === `-${name}=true` || a === `--${name}=true`);
}

/**
 * The text of the file at `path` in a container, when a ConfigMap volume
 * provides it: mounted as a directory (a key per file, or renamed by
 * `items`) or as the one file (`subPath`).
 */
export function configMapFile(found: ContainerFiles, path: string, container: any = found.container): string | undefined {
  const namespace = found.workload.metadata.namespace;
  for (const m of container.volumeMounts ?? []) {
    const inDirectory = m.subPath === undefined && path.startsWith(`${m.mountPath}/`);
    if (!inDirectory && !(m.subPath !== undefined && path === m.mountPath)) continue;
    const volume = (found.pod.volumes ?? []).find((v: any) => v.name === m.name);
    const cm = found.objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === volume?.configMap?.name && o.metadata.namespace === namespace);
    if (cm?.data === undefined) continue;
    const file: string = inDirectory ? path.slice(m.mountPath.length + 1) : m.subPath;
    const items: { key: string; path: string }[] | undefined = volume.configMap.items;
    const key = items === undefined ? file : items.find((it) => it.path === file)?.key;
    if (key !== undefined && cm.data[key] !== undefined) return cm.data[key];
  }
  return undefined;
}

/**
 * The environment a container sees on `node`, as far as manifests say: plain
 * values, the node's name where the downward API gives `spec.nodeName`, and
 * the pod's name (`metadata.name`) where it is known (a StatefulSet's
 * replica). Variables from Secrets, ConfigMaps or other fields are left out (unknown).
 */
export function containerEnv(container: any, node: string | undefined, pod?: string): Map<string, string> {
  const env = new Map<string, string>();
  for (const e of container?.env ?? []) {
    if (typeof e?.name !== 'string') continue;
    if (typeof e.value === 'string') env.set(e.name, e.value);
    else if (e.valueFrom?.fieldRef?.fieldPath === 'spec.nodeName' && node !== undefined) env.set(e.name, node);
    else if (e.valueFrom?.fieldRef?.fieldPath === 'metadata.name' && pod !== undefined) env.set(e.name, pod);
  }
  return env;
}

/** Where an agent found among manifests runs: its name, namespace, ServiceAccount and network. */
export function placement(found: ContainerFiles): {
  name: string;
  perNode: boolean;
  pods?: string[];
  namespace: string;
  serviceAccount: { name: string; namespace: string };
  hostNetwork: boolean;
  placement: PodPlacement;
} {
  const w = found.workload;
  const namespace = w.metadata.namespace ?? 'default';
  return {
    name: `${w.kind.toLowerCase()}/${w.metadata.name}`,
    perNode: w.kind === 'DaemonSet',
    // A StatefulSet's pods have stable names, and a shard's config may depend on its own.
    ...(w.kind === 'StatefulSet' ? { pods: statefulSetPods(w) } : {}),
    namespace,
    // A pod that names no ServiceAccount runs as its namespace's "default" one.
    serviceAccount: { name: found.pod.serviceAccountName ?? found.pod.serviceAccount ?? 'default', namespace },
    hostNetwork: found.pod.hostNetwork === true,
    placement: { nodeSelector: found.pod.nodeSelector, tolerations: found.pod.tolerations, affinity: found.pod.affinity },
  };
}

/** The pods of a StatefulSet: `<name>-<ordinal>` for its replicas (1 when it does not say). */
function statefulSetPods(w: Manifest): string[] {
  const replicas = typeof w.spec?.replicas === 'number' && w.spec.replicas >= 0 ? Math.floor(w.spec.replicas) : 1;
  return Array.from({ length: replicas }, (_, i) => `${w.metadata.name}-${i}`);
}
