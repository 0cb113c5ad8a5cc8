/** `k8smon diff`, the work: kubectl diff on the render, then what apply would prune. */
import { ExitCode } from '../../errors.js';
import { checkOwnership, describeObject, listLabelled, planPrune, readParent, refuseConflicts, scope } from '../../kube/inventory.js';
import { KubectlFailedError, redact, runKubectl } from '../../kube/kubectl.js';
import { toYamlStream } from '../../render/serialize.js';
import { FIELD_MANAGER, renderForCluster, secretValues } from '../cluster.js';
import type { CommandContext } from '../context.js';
import { inventoryOfBundle } from './apply.run.js';
import type { DiffOptions } from './diff.js';
import { readPasswordStdin } from '../password-stdin.js';

/** Exit 0 without differences, 1 with differences (changes or deletions); kubectl diff's >1 is an error. */
export async function run(options: DiffOptions, ctx: CommandContext): Promise<number> {
  const password = options.passwordStdin ? await readPasswordStdin(ctx) : undefined;
  const bundle = renderForCluster({ ...options, ...(password !== undefined ? { password } : {}) }, ctx);
  const secrets = secretValues(bundle);
  const target = options.target;
  const result = await runKubectl(['diff', '--server-side', `--field-manager=${FIELD_MANAGER}`, '-f', '-'], { target, input: toYamlStream(bundle.objects) });
  if (result.exitCode > 1) throw new KubectlFailedError('diff', result, secrets, target);
  ctx.stdout.write(redact(result.stdout, secrets));

  const inv = inventoryOfBundle(bundle);
  const parent = await readParent(inv, target, secrets);
  checkOwnership(inv, parent);
  const wide = scope(inv, parent, bundle.objects);
  const plan = planPrune(inv, await listLabelled(wide.groupKinds, [inv.namespace, ...wide.namespaces], { target, secrets }), bundle.objects);
  await refuseConflicts(inv, plan.conflicts, { target, secrets });
  if (plan.stale.length > 0) {
    ctx.stdout.write(`# apply would delete ${plan.stale.length} objects the render no longer contains (inventory ${inv.namespace}/${inv.name}):\n`);
    for (const o of plan.stale) ctx.stdout.write(`-  ${describeObject(o)}\n`);
  }
  return result.exitCode === 1 || plan.stale.length > 0 ? ExitCode.failure : ExitCode.ok;
}
