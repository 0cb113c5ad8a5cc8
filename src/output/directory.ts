/**
 * Writes a rendered bundle as a directory, all or nothing: files go to a
 * temporary sibling first and replace the target only when complete. A target
 * that holds anything but an earlier k8smon render is left alone.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { K8smonError } from '../errors.js';
import { GENERATED_HEADER, KUSTOMIZATION_FILE } from '../render/serialize.js';

export function writeDirectory(dir: string, files: ReadonlyMap<string, string>): void {
  const target = resolve(dir);
  assertReplaceable(target, dir);
  const parent = dirname(target);
  mkdirSync(parent, { recursive: true });
  const staging = join(parent, `.k8smon-tmp-${basename(target)}-${process.pid}`);
  const previous = join(parent, `.k8smon-tmp-${basename(target)}-${process.pid}-old`);
  rmSync(staging, { recursive: true, force: true });
  try {
    mkdirSync(staging);
    for (const [name, content] of files) {
      // rules/ and dashboards/ sit beside the manifests.
      mkdirSync(dirname(join(staging, name)), { recursive: true });
      writeFileSync(join(staging, name), content, { mode: 0o600 });
    }
    if (existsSync(target)) renameSync(target, previous);
    renameSync(staging, target);
    rmSync(previous, { recursive: true, force: true });
  } catch (err) {
    rmSync(staging, { recursive: true, force: true });
    if (existsSync(previous) && !existsSync(target)) renameSync(previous, target);
    throw new K8smonError(`cannot write ${dir}: ${(err as Error).message}`);
  }
}

function assertReplaceable(target: string, shown: string): void {
  if (!existsSync(target)) return;
  let entries: string[];
  try {
    entries = readdirSync(target);
  } catch {
    throw new K8smonError(`--output-dir ${shown} exists and is not a directory; choose another path`);
  }
  if (entries.length === 0) return;
  const kustomization = join(target, KUSTOMIZATION_FILE);
  const ours = existsSync(kustomization) && readFileSync(kustomization, 'utf8').startsWith(GENERATED_HEADER);
  if (!ours) {
    throw new K8smonError(`--output-dir ${shown} is not empty and is not an earlier k8smon render; choose an empty or new directory`);
  }
}
