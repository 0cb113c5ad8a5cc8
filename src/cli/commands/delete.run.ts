/**
 * `k8smon delete`, the work: deletes exactly the objects a render produces.
 * The Namespace is kept unless asked for: deleting it would take everything
 * else in it along.
 */
import { KubectlFailedError, runKubectl } from '../../kube/kubectl.js';
import { toYamlStream } from '../../render/serialize.js';
import type { KubernetesObject } from '../../render/templates.js';
import { renderForCluster, secretValues } from '../cluster.js';
import type { CommandContext } from '../context.js';
import type { DeleteOptions } from './delete.js';

export async function run(options: DeleteOptions, ctx: CommandContext): Promise<void> {
  const bundle = renderForCluster(options, ctx);
  const refs = deletionRefs(bundle.objects, options.includeNamespace);
  const result = await runKubectl(['delete', '--ignore-not-found', '-f', '-'], { target: options.target, input: toYamlStream(refs) });
  if (result.exitCode !== 0) throw new KubectlFailedError('delete', result, secretValues(bundle), options.target);
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
