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
import type { KubernetesObject } from './render/templates.js';

export interface Bundle {
  profile: Profile;
  model: Model;
  objects: KubernetesObject[];
  /** Warnings and notices for stderr; never contain credential values. */
  warnings: InputProblem[];
  notices: InputProblem[];
}

export function renderBundle(sources: ProfileSources, env: Readonly<Record<string, string | undefined>>): Bundle {
  const { profile, warnings, notices: assumed = [] } = resolveProfile(sources);
  const { model, notices } = buildModel(profile, env);
  const manifests = renderManifests(model);
  return { profile, model, objects: manifests.objects, warnings, notices: [...assumed, ...notices, ...manifests.notices] };
}
