/**
 * Which Prometheus the runtime answers for. The agent kinds differ: a
 * Prometheus (the `prometheus` kind) runs Prometheus 3; grafana-agent v0.44
 * (static mode) embeds Prometheus 2.x code (a fork of 2.48.1). They relabel,
 * discover and finalise targets differently (see README, "Prometheus semantics").
 */
export type PromSemantics = 'prometheus-3' | 'prometheus-2';

export const DEFAULT_SEMANTICS: PromSemantics = 'prometheus-3';

export const PROM_SEMANTICS: readonly PromSemantics[] = ['prometheus-3', 'prometheus-2'];
