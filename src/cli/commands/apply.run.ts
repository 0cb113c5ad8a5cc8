/**
 * `k8smon apply`, the work: render, record the inventory, apply, optionally
 * wait for the rollout, then prune what the render no longer contains.
 *
 * The order is what makes an upgrade safe: the parent is widened first (an
 * interrupted apply never leaves members it does not list), the new objects
 * are applied and — with --wait — ready before anything old is deleted, and
 * the parent is narrowed to the render last.
 */
import { ExitCode, K8smonError } from '../../errors.js';
import {
  checkOwnership,
  deleteObjects,
  describeObject,
  listLabelled,
  membership,
  parentObject,
  planPrune,
  readParent,
  refuseConflicts,
  scope,
  writeParent,
  type Inventory,
} from '../../kube/inventory.js';
import { KubectlFailedError, redact, runKubectl } from '../../kube/kubectl.js';
import { waitForRollout } from '../../kube/rollout.js';
import { toYamlStream } from '../../render/serialize.js';
import type { Bundle } from '../../pipeline.js';
import { FIELD_MANAGER, renderForCluster, secretValues } from '../cluster.js';
import type { CommandContext } from '../context.js';
import { readPasswordStdin } from '../password-stdin.js';
import type { ApplyOptions } from './apply.js';

export function inventoryOfBundle(bundle: Bundle): Inventory {
  return { ...bundle.model.inventory, clusterName: bundle.model.clusterName };
}

export async function run(options: ApplyOptions, ctx: CommandContext): Promise<void> {
  const password = options.passwordStdin ? await readPasswordStdin(ctx) : undefined;
  const bundle = renderForCluster({ ...options, ...(password !== undefined ? { password } : {}) }, ctx);
  const secrets = secretValues(bundle);
  const target = options.target;
  const inv = inventoryOfBundle(bundle);
  const dryRun = options.dryRun !== undefined;

  // What the cluster holds before anything changes: refuse another profile's inventory or objects.
  const parent = await readParent(inv, target, secrets);
  checkOwnership(inv, parent);
  const wide = scope(inv, parent, bundle.objects);
  const existing = await listLabelled(wide.groupKinds, [inv.namespace, ...wide.namespaces], { target, secrets });
  const plan = planPrune(inv, existing, bundle.objects);
  await refuseConflicts(inv, plan.conflicts, { target, secrets });

  if (!dryRun) {
    const namespaceObject = bundle.objects.find((o) => o.kind === 'Namespace');
    await writeParent(parentObject(inv, wide.groupKinds, wide.namespaces), { target, secrets, ...(namespaceObject !== undefined ? { namespaceObject } : {}) });
  }

  // kubectl refuses --dry-run=client with --server-side: a client dry run is a client-side apply.
  const serverSide = options.dryRun === 'client' ? [] : ['--server-side'];
  const args = ['apply', ...serverSide, `--field-manager=${FIELD_MANAGER}`, ...(options.dryRun ? [`--dry-run=${options.dryRun}`] : []), '-f', '-'];
  ctx.reporter.info(`kubectl ${args.join(' ')}`);
  const result = await runKubectl(args, { target, input: toYamlStream(bundle.objects) });
  if (result.exitCode !== 0) throw new KubectlFailedError('apply', result, secrets, target);
  ctx.stdout.write(redact(result.stdout, secrets));

  if (options.wait && !dryRun) {
    const ok = await waitForRollout(bundle.objects, { target, timeout: options.timeout, reporter: ctx.reporter, secrets });
    if (!ok) {
      const kept = options.prune && plan.stale.length > 0 ? `; nothing was pruned, the ${plan.stale.length} objects the render no longer contains keep running` : '';
      throw new K8smonError(`some workloads did not become ready (see above)${kept}`, ExitCode.failure);
    }
  }

  if (!options.prune) {
    if (plan.stale.length > 0) ctx.reporter.info(`--prune=false: keeping ${plan.stale.length} objects the render no longer contains`);
    return;
  }
  if (dryRun) {
    for (const o of plan.stale) ctx.stdout.write(`${describeObject(o)} would be pruned (${options.dryRun} dry run)\n`);
    return;
  }
  if (plan.stale.length > 0) {
    ctx.reporter.info(`pruning ${plan.stale.length} objects the render no longer contains`);
    ctx.stdout.write(redact(await deleteObjects(plan.stale, { target, secrets }), secrets));
  }
  // Narrow the record to what now exists.
  const now = membership(inv, bundle.objects);
  if (now.groupKinds.join() !== wide.groupKinds.join() || now.namespaces.join() !== wide.namespaces.join()) {
    await writeParent(parentObject(inv, now.groupKinds, now.namespaces), { target, secrets });
  }
}
