/**
 * Pinned container images. Bump deliberately: README lists these versions and
 * the golden examples change with them.
 */
import type { ContainerImage } from './types.js';

export const DEFAULT_IMAGES = {
  /** grafana-agent static mode; v0.44 is the final release line (end of life 2025-11-01). */
  agent: { registry: 'docker.io', repository: 'grafana/agent', tag: 'v0.44.8' },
  /** Prometheus 3.13 is the LTS line. */
  prometheus: { registry: 'quay.io', repository: 'prometheus/prometheus', tag: 'v3.13.2' },
} as const satisfies Record<string, ContainerImage>;

export function imageRef(image: ContainerImage): string {
  return `${image.registry}/${image.repository}:${image.tag}`;
}
