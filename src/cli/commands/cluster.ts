/**
 * `k8smon apply`, `diff` and `delete`: render, then hand the result to kubectl.
 * Nothing reaches kubectl unless the render succeeded.
 */
import { ExitCode, K8smonError } from '../../errors.js';
import { KubectlFailedError, redact, runKubectl, type KubectlTarget } from '../../kube/kubectl.js';
import { waitForRollout } from '../../kube/rollout.js';
import { renderBundle, type Bundle } from '../../pipeline.js';
import { toYamlStream } from '../../render/serialize.js';
import type { KubernetesObject } from '../../render/templates.js';
import type { CommandContext } from './render.js';

export const FIELD_MANAGER = 'k8smon';

export interface ClusterOptions {
  file?: string;
  preset?: string;
  sets: string[];
  target: KubectlTarget;
  /** A password read from stdin (--password-stdin). */
  password?: string;
}

export interface ApplyOptions extends ClusterOptions {
  dryRun?: 'client' | 'server';
  wait: boolean;
  timeout: string;
}

/** Renders with the command's profile sources, printing warnings and notices; throws on invalid input. */
export function renderForCluster(options: ClusterOptions, ctx: CommandContext): Bundle {
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

export function secretValues(bundle: Bundle): string[] {
  return Object.values(bundle.model.credentialsSecret?.data ?? {});
}

export async function applyCommand(options: ApplyOptions, ctx: CommandContext): Promise<void> {
  const bundle = renderForCluster(options, ctx);
  const secrets = secretValues(bundle);
  // kubectl refuses --dry-run=client with --server-side: a client dry run is a client-side apply.
  const serverSide = options.dryRun === 'client' ? [] : ['--server-side'];
  const args = ['apply', ...serverSide, `--field-manager=${FIELD_MANAGER}`, ...(options.dryRun ? [`--dry-run=${options.dryRun}`] : []), '-f', '-'];
  ctx.reporter.info(`kubectl ${args.join(' ')}`);
  const result = await runKubectl(args, { target: options.target, input: toYamlStream(bundle.objects) });
  if (result.exitCode !== 0) throw new KubectlFailedError('apply', result, secrets);
  ctx.stdout.write(redact(result.stdout, secrets));
  if (options.wait && options.dryRun === undefined) {
    const ok = await waitForRollout(bundle.objects, { target: options.target, timeout: options.timeout, reporter: ctx.reporter, secrets });
    if (!ok) throw new K8smonError('some workloads did not become ready (see above)', ExitCode.failure);
  }
}

/** kubectl diff: exit 0 without differences, 1 with differences, >1 on error. */
export async function diffCommand(options: ClusterOptions, ctx: CommandContext): Promise<number> {
  const bundle = renderForCluster(options, ctx);
  const secrets = secretValues(bundle);
  const result = await runKubectl(['diff', '--server-side', `--field-manager=${FIELD_MANAGER}`, '-f', '-'], { target: options.target, input: toYamlStream(bundle.objects) });
  if (result.exitCode > 1) throw new KubectlFailedError('diff', result, secrets);
  ctx.stdout.write(redact(result.stdout, secrets));
  return result.exitCode === 1 ? ExitCode.failure : ExitCode.ok;
}

export interface DeleteOptions extends ClusterOptions {
  includeNamespace: boolean;
}

/**
 * Deletes exactly the objects a render produces. The Namespace is kept unless
 * asked for: deleting it would take everything else in it along.
 */
export async function deleteCommand(options: DeleteOptions, ctx: CommandContext): Promise<void> {
  const bundle = renderForCluster(options, ctx);
  const refs = deletionRefs(bundle.objects, options.includeNamespace);
  const result = await runKubectl(['delete', '--ignore-not-found', '-f', '-'], { target: options.target, input: toYamlStream(refs) });
  if (result.exitCode !== 0) throw new KubectlFailedError('delete', result, secretValues(bundle));
  ctx.stdout.write(result.stdout);
}

/** Only what identifies each object: nothing else (no credentials) is sent for a delete. */
export function deletionRefs(objects: readonly KubernetesObject[], includeNamespace: boolean): KubernetesObject[] {
  return objects
    .filter((o) => includeNamespace || o.kind !== 'Namespace')
    .map((o) => ({
      apiVersion: o.apiVersion,
      kind: o.kind,
      metadata: { name: o.metadata.name, ...(o.metadata.namespace !== undefined ? { namespace: o.metadata.namespace } : {}) },
    }))
    .reverse();
}
