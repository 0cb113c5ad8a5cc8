/** `k8smon apply`, the work: render, pipe it to kubectl apply, optionally wait for the rollout. */
import { ExitCode, K8smonError } from '../../errors.js';
import { KubectlFailedError, redact, runKubectl } from '../../kube/kubectl.js';
import { waitForRollout } from '../../kube/rollout.js';
import { toYamlStream } from '../../render/serialize.js';
import { FIELD_MANAGER, renderForCluster, secretValues } from '../cluster.js';
import type { CommandContext } from '../context.js';
import { readPasswordStdin } from '../password-stdin.js';
import type { ApplyOptions } from './apply.js';

export async function run(options: ApplyOptions, ctx: CommandContext): Promise<void> {
  const password = options.passwordStdin ? await readPasswordStdin(ctx) : undefined;
  const bundle = renderForCluster({ ...options, ...(password !== undefined ? { password } : {}) }, ctx);
  const secrets = secretValues(bundle);
  // kubectl refuses --dry-run=client with --server-side: a client dry run is a client-side apply.
  const serverSide = options.dryRun === 'client' ? [] : ['--server-side'];
  const args = ['apply', ...serverSide, `--field-manager=${FIELD_MANAGER}`, ...(options.dryRun ? [`--dry-run=${options.dryRun}`] : []), '-f', '-'];
  ctx.reporter.info(`kubectl ${args.join(' ')}`);
  const result = await runKubectl(args, { target: options.target, input: toYamlStream(bundle.objects) });
  if (result.exitCode !== 0) throw new KubectlFailedError('apply', result, secrets, options.target);
  ctx.stdout.write(redact(result.stdout, secrets));
  if (options.wait && options.dryRun === undefined) {
    const ok = await waitForRollout(bundle.objects, { target: options.target, timeout: options.timeout, reporter: ctx.reporter, secrets });
    if (!ok) throw new K8smonError('some workloads did not become ready (see above)', ExitCode.failure);
  }
}
