/**
 * What apply, diff and delete share: they render first, with the command's
 * profile sources, and hand kubectl the result only when the render succeeded.
 */
import { renderBundle, type Bundle } from '../pipeline.js';
import type { CommandContext } from './context.js';
import type { ProfileOptions } from './options.js';

export const FIELD_MANAGER = 'k8smon';

/** Renders with the command's profile sources, printing warnings and notices; throws on invalid input. */
export function renderForCluster(options: ProfileOptions & { password?: string }, ctx: CommandContext): Bundle {
  const sets = [...options.sets];
  if (options.password !== undefined) sets.push(`remoteWrite[0].basicAuth.password=${options.password}`);
  const bundle = renderBundle(
    { ...(options.file !== undefined ? { file: options.file } : {}), ...(options.preset !== undefined ? { preset: options.preset } : {}), sets },
    ctx.env,
  );
  // The password came through stdin on purpose: no advice to move it out of the profile.
  bundle.warnings.filter((w) => !(options.password !== undefined && w.path === 'remoteWrite[0].basicAuth.password')).forEach((w) => ctx.reporter.warn(w));
  bundle.notices.forEach((n) => ctx.reporter.notice(n));
  return bundle;
}

/** The credential values of a render, for redacting whatever kubectl prints. */
export function secretValues(bundle: Bundle): string[] {
  return Object.values(bundle.model.credentialsSecret?.data ?? {});
}
