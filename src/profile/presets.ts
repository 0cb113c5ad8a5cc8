/**
 * Built-in presets: small YAML files in presets/ that say only what differs from
 * the defaults for one platform. A preset may start from another preset
 * (`preset: gke` inside gke-autopilot.yaml); cycles are refused.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { packagePath } from '../package-root.js';
import { InvalidInputError } from '../errors.js';
import { didYouMean } from '../util/text.js';
import { deepMerge, isPlainObject, type PlainObject } from './merge.js';
import { parseYamlDocument } from './yaml-input.js';

/** presets/ at the package root; the same relative place from src/ and dist/. */
export const PRESET_DIR = `${packagePath('presets')}/`;

export interface PresetInfo {
  name: string;
  description: string;
}

export function presetNames(): string[] {
  return readdirSync(PRESET_DIR)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => f.slice(0, -'.yaml'.length))
    .sort();
}

export function listPresets(): PresetInfo[] {
  return presetNames().map((name) => {
    const doc = readPresetFile(name);
    return { name, description: typeof doc.description === 'string' ? doc.description : '' };
  });
}

export function presetSource(name: string): string {
  assertKnownPreset(name, 'preset');
  return readFileSync(`${PRESET_DIR}${name}.yaml`, 'utf8');
}

function assertKnownPreset(name: string, path: string): void {
  const names = presetNames();
  if (!names.includes(name)) {
    throw new InvalidInputError('Unknown preset.', [
      { path, message: `"${name}" is not a built-in preset${didYouMean(name, names)}; valid presets: ${names.join(', ')}` },
    ]);
  }
}

function readPresetFile(name: string): PlainObject {
  return parseYamlDocument(readFileSync(`${PRESET_DIR}${name}.yaml`, 'utf8'), `presets/${name}.yaml`);
}

/**
 * The preset's document with every preset it starts from merged underneath,
 * without `description` (which describes the preset, not the cluster).
 * `path` names where the preset was asked for, for the error message.
 */
export function loadPreset(name: string, path = 'preset', chain: readonly string[] = []): PlainObject {
  assertKnownPreset(name, path);
  if (chain.includes(name)) {
    throw new InvalidInputError('Preset cycle.', [{ path, message: `presets start from each other in a loop: ${[...chain, name].join(' → ')}` }]);
  }
  const { description: _description, preset: parent, ...doc } = readPresetFile(name);
  if (parent === undefined) return doc;
  if (typeof parent !== 'string') {
    throw new InvalidInputError('Invalid preset.', [{ path: `presets/${name}.yaml: preset`, message: 'must be a preset name' }]);
  }
  const base = loadPreset(parent, `presets/${name}.yaml: preset`, [...chain, name]);
  const merged = deepMerge(base, doc);
  return isPlainObject(merged) ? merged : {};
}
