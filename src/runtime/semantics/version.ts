/**
 * Which Prometheus an agent runs decides how relabeling and discovery behave:
 * Prometheus 3 anchors regexes as `^(?s:…)$`, allows UTF-8 label names and
 * adds Kubernetes SD metadata; grafana-agent static mode runs 2.x code.
 */
export type PromSemantics = 'prometheus-3' | 'prometheus-2';

export const DEFAULT_SEMANTICS: PromSemantics = 'prometheus-3';
