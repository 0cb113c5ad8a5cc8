/**
 * The whole pipeline below the CLI: profile sources → validated profile → model
 * → objects. It spans profile/, model/ and render/, so it sits above all three.
 */
import type { InputProblem } from './errors.js';
import { buildModel } from './model/build.js';
import type { Model } from './model/types.js';
import { resolveProfile, type ProfileSources } from './profile/resolve.js';
import type { Profile } from './profile/types.js';
import { renderManifests } from './render/manifests.js';
import { RULES_FILE } from './rules/index.js';
import type { KubernetesObject } from './render/templates.js';

export interface Bundle {
  profile: Profile;
  model: Model;
  objects: KubernetesObject[];
  /** Files that are not Kubernetes objects, by relative path (rules/…, dashboards/…). */
  files: Map<string, string>;
  /** Warnings and notices for stderr; never contain credential values. */
  warnings: InputProblem[];
  notices: InputProblem[];
}

export function renderBundle(sources: ProfileSources, env: Readonly<Record<string, string | undefined>>): Bundle {
  const { profile, warnings, notices: assumed = [] } = resolveProfile(sources);
  const { model, notices, warnings: coverage } = buildModel(profile, env);
  const manifests = renderManifests(model);
  return { profile, model, objects: manifests.objects, files: monitoringFiles(model), warnings: [...warnings, ...coverage], notices: [...assumed, ...notices, ...manifests.notices] };
}

/** Plain files beside the manifests (render --output-dir): the rules for any ruler, the dashboards for any Grafana. */
export function monitoringFiles(model: Model): Map<string, string> {
  const files = new Map<string, string>();
  if (model.rules !== undefined) files.set(`rules/${RULES_FILE}`, model.rules.text);
  for (const d of model.dashboards) files.set(`dashboards/${d.fileName}`, d.text);
  return files;
}
