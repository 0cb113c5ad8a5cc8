/** Real exposition payloads (test/fixtures/metrics; provenance and licences in SOURCES.md there). */
import { readFileSync } from 'node:fs';
import { parseExposition, type Sample } from '../../src/runtime/scrape/exposition.js';

export const FIXTURE_FILES = {
  kubelet: 'kubelet.prom',
  cadvisor: 'cadvisor.prom',
  kubeStateMetrics: 'kube-state-metrics.prom',
  nodeExporter: 'node-exporter.prom',
  apiserver: 'apiserver.prom',
} as const;

export function fixtureSamples(file: string): Sample[] {
  return parseExposition(readFileSync(new URL(`../fixtures/metrics/${file}`, import.meta.url), 'utf8'));
}
