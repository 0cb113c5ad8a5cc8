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

/** Lets the node agent run on control-plane nodes too (their kubelets are scraped as well). */
export const CONTROL_PLANE_TOLERATIONS = [
  { key: 'node-role.kubernetes.io/control-plane', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node-role.kubernetes.io/master', operator: 'Exists', effect: 'NoSchedule' },
];

/** node-exporter belongs on every node, whatever its taints. */
export const TOLERATE_EVERYTHING = [{ operator: 'Exists' }];

/** The highest of several Pod Security levels: what a namespace holding all of them must allow. */
export function strictestAllowing(levels: readonly ('restricted' | 'baseline' | 'privileged')[]): 'restricted' | 'baseline' | 'privileged' {
  if (levels.includes('privileged')) return 'privileged';
  if (levels.includes('baseline')) return 'baseline';
  return 'restricted';
}
