/**
 * Pinned container images, and the registry mirror rewrite. Bump versions
 * deliberately: README lists them and the golden examples change with them.
 */
import type { ImageName, ImageOverride, Profile } from '../profile/types.js';
import type { ContainerImage } from './types.js';

export const DEFAULT_IMAGES: Record<ImageName, ContainerImage> = {
  /** grafana-agent static mode (agent.kind grafana-agent); v0.44 is the final release line (end of life 2025-11-01). */
  agent: { registry: 'docker.io', repository: 'grafana/agent', tag: 'v0.44.8' },
  /** Grafana Alloy (agent.kind alloy); v1.18 embeds Prometheus 3.12. */
  alloy: { registry: 'docker.io', repository: 'grafana/alloy', tag: 'v1.18.1' },
  /** Prometheus 3.13 is the LTS line (supported to 2027-07-31): the prometheus agent kind and the in-cluster receiver. */
  prometheus: { registry: 'quay.io', repository: 'prometheus/prometheus', tag: 'v3.13.2' },
  /** Fills `$(NODE_NAME)` into the prometheus kind's config and reloads it on change. */
  configReloader: { registry: 'quay.io', repository: 'prometheus-operator/prometheus-config-reloader', tag: 'v0.93.0' },
  kubeStateMetrics: { registry: 'registry.k8s.io', repository: 'kube-state-metrics/kube-state-metrics', tag: 'v2.20.0' },
  nodeExporter: { registry: 'quay.io', repository: 'prometheus/node-exporter', tag: 'v1.12.1' },
  blackboxExporter: { registry: 'quay.io', repository: 'prometheus/blackbox-exporter', tag: 'v0.28.0' },
  /** Only with alertmanager.enabled: receives the in-cluster Prometheus' alerts. */
  alertmanager: { registry: 'quay.io', repository: 'prometheus/alertmanager', tag: 'v0.28.1' },
  /** The official Node.js image (22 is an LTS line): runs the embedded agent (agent.kind embedded) from its ConfigMap. */
  node: { registry: 'docker.io', repository: 'library/node', tag: '22.23.3-alpine' },
};

export function imageRef(image: ContainerImage): string {
  return `${image.registry}/${image.repository}:${image.tag}`;
}

/**
 * Default < imageRegistry (the mirror replaces the registry, keeping repository
 * path and tag) < images.<name> (per-image parts, for mirrors that lay paths out
 * differently).
 */
export function resolveImages(profile: Pick<Profile, 'imageRegistry' | 'images'>): Record<ImageName, string> {
  const out = {} as Record<ImageName, string>;
  for (const [name, image] of Object.entries(DEFAULT_IMAGES) as [ImageName, ContainerImage][]) {
    const override: ImageOverride = profile.images?.[name] ?? {};
    out[name] = imageRef({
      registry: override.registry ?? profile.imageRegistry ?? image.registry,
      repository: override.repository ?? image.repository,
      tag: override.tag ?? image.tag,
    });
  }
  return out;
}
