/** `k8smon snapshot`: capture the objects discovery reads, as one JSON file. */
import type { KubectlTarget } from '../../kube/kubectl.js';
import type { CommandDefinition } from '../command.js';
import { addTargetOptions, kubectlTarget, type TargetFlags } from '../options.js';

export interface SnapshotOptions {
  target: KubectlTarget;
}

export function snapshotOptions(flags: TargetFlags): SnapshotOptions {
  return { target: kubectlTarget(flags) };
}

export const snapshotCommand: CommandDefinition = {
  register: (program, run) =>
    addTargetOptions(program.command('snapshot').description('capture the objects discovery reads (listed a page at a time, only the fields discovery reads) as one JSON file'))
      .addHelpText('after', `\nExamples:\n  $ k8smon snapshot --context prod > cluster.json\n  $ k8smon targets --profile eks --snapshot cluster.json`)
      .action(async (flags: TargetFlags) => {
        const { run: snapshot } = await import('./snapshot.run.js');
        await run((ctx) => snapshot(snapshotOptions(flags), ctx));
      }),
};
