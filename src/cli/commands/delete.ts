/** `k8smon delete`: delete the objects a render produces and every member of its inventory. */
import type { KubectlTarget } from '../../kube/kubectl.js';
import type { CommandDefinition } from '../command.js';
import { addProfileOptions, addTargetOptions, kubectlTarget, profileSources, TARGET_HELP, type ProfileFlags, type ProfileOptions, type TargetFlags } from '../options.js';

export interface DeleteOptions extends ProfileOptions {
  target: KubectlTarget;
  /** Also delete the Namespace (and so everything else in it). */
  includeNamespace: boolean;
}

interface DeleteFlags extends ProfileFlags, TargetFlags {
  includeNamespace?: boolean;
}

export function deleteOptions(flags: DeleteFlags): DeleteOptions {
  return { ...profileSources(flags), target: kubectlTarget(flags), includeNamespace: flags.includeNamespace === true };
}

export const deleteCommand: CommandDefinition = {
  register: (program, run) =>
    addTargetOptions(addProfileOptions(program.command('delete').description('delete the objects a render produces and everything its inventory lists, then the inventory')))
      .option('--include-namespace', 'also delete the namespace (and so everything else in it)')
      .addHelpText('after', `
Examples:
  $ k8smon delete -f k8smon.yaml --context staging
  $ k8smon delete -f k8smon.yaml --include-namespace   # also the namespace, and so everything in it
${TARGET_HELP}`)
      .action(async (flags: DeleteFlags) => {
        const { run: remove } = await import('./delete.run.js');
        await run((ctx) => remove(deleteOptions(flags), ctx));
      }),
};
