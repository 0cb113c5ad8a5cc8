/**
 * The fixed words of a profile: platforms, components, images, collectors,
 * kubelet access modes. The schema (schema.ts) and the profile's types
 * (types.ts) are built from them. Agent kinds are not here: they come from the
 * registry of kinds (src/agents/registry.ts).
 */
export const PLATFORMS = ['eks', 'gke', 'gke-autopilot', 'aks', 'ack', 'tke', 'kubeadm', 'k3s', 'rke2', 'kind', 'generic'] as const;

/** kube-state-metrics collectors k8smon can enable (its --resources values). */
export const KSM_COLLECTORS = [
  'certificatesigningrequests',
  'configmaps',
  'cronjobs',
  'daemonsets',
  'deployments',
  'endpointslices',
  'horizontalpodautoscalers',
  'ingresses',
  'jobs',
  'leases',
  'limitranges',
  'mutatingwebhookconfigurations',
  'namespaces',
  'networkpolicies',
  'nodes',
  'persistentvolumeclaims',
  'persistentvolumes',
  'poddisruptionbudgets',
  'pods',
  'replicasets',
  'replicationcontrollers',
  'resourcequotas',
  'secrets',
  'services',
  'statefulsets',
  'storageclasses',
  'validatingwebhookconfigurations',
  'volumeattachments',
] as const;

/** The components of a render, each switchable with components.<name>.enabled. */
export const COMPONENT_NAMES = [
  'kubelet',
  'cadvisor',
  'apiserver',
  'kubeStateMetrics',
  'nodeExporter',
  'blackboxExporter',
  'annotatedPods',
  'annotatedServices',
  'kubeProxy',
  'kubeScheduler',
  'kubeControllerManager',
  'etcd',
  'coreDns',
  'kubeDns',
  'eksControlPlane',
  'selfMonitoring',
] as const;

export const IMAGE_NAMES = ['agent', 'alloy', 'prometheus', 'configReloader', 'kubeStateMetrics', 'nodeExporter', 'blackboxExporter', 'alertmanager', 'node'] as const;
export const KUBELET_ACCESS_MODES = ['direct', 'proxy'] as const;
