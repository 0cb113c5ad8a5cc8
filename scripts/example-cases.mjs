// The cases examples/ holds: every built-in preset as it renders with no other
// input, plus a profile with a real remote_write destination.
import { readdirSync } from 'node:fs';

const presetDir = new URL('../presets/', import.meta.url).pathname;
const profileDir = new URL('../examples/profiles/', import.meta.url).pathname;
export const renderedDir = new URL('../examples/rendered/', import.meta.url).pathname;

export function exampleCases() {
  const presets = readdirSync(presetDir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => f.slice(0, -5))
    .map((name) => ({ name, sources: { preset: name, sets: [] }, env: {} }));
  const profiles = readdirSync(profileDir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => ({ name: f.slice(0, -5), sources: { file: `${profileDir}${f}`, sets: [] }, env: {} }));
  return [...presets, ...profiles];
}

/** examples/cluster.json: a synthetic snapshot of this size (one tainted control-plane node, two workers), for trying targets and check offline. */
export const EXAMPLE_CLUSTER = { nodes: 3, podsPerNode: 4, controlPlaneNodes: 1 };
export const exampleClusterFile = new URL('../examples/cluster.json', import.meta.url).pathname;
