/**
 * `k8smon delete`, the work: deletes the objects the render produces and
 * every member of the inventory (objects an older render created, too), then
 * the inventory itself. The Namespace is kept unless asked for: deleting it
 * would take everything else in it along.
 */
import { checkOwnership, deleteObjects, listLabelled, objectKey, readParent, scope } from '../../kube/inventory.js';
import { KubectlFailedError, runKubectl } from '../../kube/kubectl.js';
import { APPLYSET_PART_OF_LABEL } from '../../render/applyset.js';
import { toYamlStream } from '../../render/serialize.js';
import type { KubernetesObject } from '../../render/templates.js';
import { renderForCluster, secretValues } from '../cluster.js';
import type { CommandContext } from '../context.js';
import { inventoryOfBundle } from './apply.run.js';
import type { DeleteOptions } from './delete.js';

export async function run(options: DeleteOptions, ctx: CommandContext): Promise<void> {
  const bundle = renderForCluster(options, ctx);
  const secrets = secretValues(bundle);
  const target = options.target;
  const inv = inventoryOfBundle(bundle);
  const parent = await readParent(inv, target, secrets);
  checkOwnership(inv, parent);
  // Only this inventory's members: objects of another profile or tool are left alone.
  const wide = scope(inv, parent, bundle.objects);
  const members = await listLabelled(wide.groupKinds, [inv.namespace, ...wide.namespaces], { target, secrets, selector: `${APPLYSET_PART_OF_LABEL}=${inv.id}` });
  const rendered = new Set(bundle.objects.map(objectKey));
  const older = members.filter((o) => !rendered.has(objectKey(o)));
  if (older.length > 0) ctx.reporter.info(`also deleting ${older.length} objects an earlier render created`);
  const refs = deletionRefs([...bundle.objects, ...older], options.includeNamespace);
  const result = await runKubectl(['delete', '--ignore-not-found', '-f', '-'], { target, input: toYamlStream(refs) });
  if (result.exitCode !== 0) throw new KubectlFailedError('delete', result, secrets, target);
  ctx.stdout.write(result.stdout);
  if (parent !== undefined) ctx.stdout.write(await deleteObjects([{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: inv.name, namespace: inv.namespace } }], { target, secrets }));
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
