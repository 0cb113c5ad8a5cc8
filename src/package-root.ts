/**
 * Where the installed package keeps its data files (package.json, presets/,
 * templates/, schema/): found by walking up from this module, so the same
 * code finds them from the sources (tests), from dist/ and from the one-file
 * bundle, whatever folder depth each runs at.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findPackageRoot(): string {
  const start = dirname(fileURLToPath(import.meta.url));
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'presets'))) return dir;
    if (dirname(dir) === dir) throw new Error(`k8smon: no package root (package.json and presets/) above ${start}`);
  }
}

export const PACKAGE_ROOT = findPackageRoot();

/** A path inside the package, e.g. packagePath('presets') + '/'. */
export function packagePath(...parts: string[]): string {
  return join(PACKAGE_ROOT, ...parts);
}
