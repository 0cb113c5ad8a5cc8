/**
 * Security settings for the pods k8smon runs: the Pod Security Standards
 * "restricted" profile (non-root, no privilege escalation, no capabilities,
 * RuntimeDefault seccomp, read-only root filesystem) wherever the component
 * allows it.
 */

/** The `nobody` user; every image k8smon runs works as it. */
export const NON_ROOT_UID = 65534;

export function restrictedPodSecurityContext(): Record<string, unknown> {
  return {
    runAsNonRoot: true,
    runAsUser: NON_ROOT_UID,
    runAsGroup: NON_ROOT_UID,
    fsGroup: NON_ROOT_UID,
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

export function restrictedContainerSecurityContext(addCapabilities: string[] = []): Record<string, unknown> {
  return {
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    capabilities: addCapabilities.length > 0 ? { drop: ['ALL'], add: addCapabilities } : { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

/**
 * Node-level DaemonSets (the node agent, node-exporter) belong on every node,
 * whatever its taints: a GPU pool, a dedicated pool, k3s servers with
 * CriticalAddonsOnly=true:NoExecute. A node the node agent skips loses its
 * kubelet, cAdvisor and pods from the metrics.
 */
export const TOLERATE_EVERYTHING = [{ operator: 'Exists' }];

/** Every image k8smon runs is built for Linux: Windows node pools (EKS, AKS) are left to Windows exporters. */
export const LINUX_NODES: Record<string, string> = { 'kubernetes.io/os': 'linux' };

/** The highest of several Pod Security levels: what a namespace holding all of them must allow. */
export function strictestAllowing(levels: readonly ('restricted' | 'baseline' | 'privileged')[]): 'restricted' | 'baseline' | 'privileged' {
  if (levels.includes('privileged')) return 'privileged';
  if (levels.includes('baseline')) return 'baseline';
  return 'restricted';
}
