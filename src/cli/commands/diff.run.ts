/** `k8smon diff`, the work: kubectl diff on the render. */
import { ExitCode } from '../../errors.js';
import { KubectlFailedError, redact, runKubectl } from '../../kube/kubectl.js';
import { toYamlStream } from '../../render/serialize.js';
import { FIELD_MANAGER, renderForCluster, secretValues } from '../cluster.js';
import type { CommandContext } from '../context.js';
import type { DiffOptions } from './diff.js';
import { readPasswordStdin } from '../password-stdin.js';

/** kubectl diff: exit 0 without differences, 1 with differences, >1 on error. */
export async function run(options: DiffOptions, ctx: CommandContext): Promise<number> {
  const password = options.passwordStdin ? await readPasswordStdin(ctx) : undefined;
  const bundle = renderForCluster({ ...options, ...(password !== undefined ? { password } : {}) }, ctx);
  const secrets = secretValues(bundle);
  const result = await runKubectl(['diff', '--server-side', `--field-manager=${FIELD_MANAGER}`, '-f', '-'], { target: options.target, input: toYamlStream(bundle.objects) });
  if (result.exitCode > 1) throw new KubectlFailedError('diff', result, secrets, options.target);
  ctx.stdout.write(redact(result.stdout, secrets));
  return result.exitCode === 1 ? ExitCode.failure : ExitCode.ok;
}
