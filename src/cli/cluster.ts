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
  const credential = options.password ?? options.stdinCredential;
  const bundle = renderBundle(
    {
      ...(options.file !== undefined ? { file: options.file } : {}),
      ...(options.preset !== undefined ? { preset: options.preset } : {}),
      sets: options.sets,
      // Piped in on purpose: it fills remoteWrite[0]'s credential, and no warning says it is kept in the profile.
      ...(credential !== undefined ? { stdinCredential: credential } : {}),
    },
    ctx.env,
  );
  bundle.warnings.forEach((w) => ctx.reporter.warn(w));
  bundle.notices.forEach((n) => ctx.reporter.notice(n));
  return bundle;
}

/** The credential values of a render, for redacting whatever kubectl prints. */
export function secretValues(bundle: Bundle): string[] {
  return Object.values(bundle.model.credentialsSecret?.data ?? {});
}
