/** `k8smon targets`: which targets each job would scrape, from which agent, and why a target is dropped. */
import type { CommandDefinition } from '../command.js';
import { addPreviewOptions, previewSources, type PreviewFlags, type PreviewSources } from '../options.js';

export interface TargetsOptions extends PreviewSources {
  job?: string;
  node?: string;
  explain?: string;
  /** table or json; checked by the command. */
  output: string;
}

interface TargetsFlags extends PreviewFlags {
  job?: string;
  node?: string;
  explain?: string;
  output: string;
}

export function targetsOptions(flags: TargetsFlags): TargetsOptions {
  return {
    ...previewSources(flags),
    output: flags.output,
    ...(flags.job !== undefined ? { job: flags.job } : {}),
    ...(flags.node !== undefined ? { node: flags.node } : {}),
    ...(flags.explain !== undefined ? { explain: flags.explain } : {}),
  };
}

export const targetsCommand: CommandDefinition = {
  register: (program, run) =>
    addPreviewOptions(program.command('targets').description('show which targets each job of a render would scrape, from which agent, and why a target is dropped'))
      .option('--job <name>', 'only this job (the others are not discovered, so it is faster)')
      .option('--node <name>', 'only what the agent on this node scrapes (a node of the snapshot, by name or address)')
      .option('--explain <target>', 'every relabel step for one target (URL, address, instance, pod or node name)')
      .option('-o, --output <format>', 'table or json', 'table')
      .addHelpText(
        'after',
        `
Examples:
  $ k8smon targets --profile kubeadm --snapshot cluster.json
  $ k8smon targets -f k8smon.yaml --context prod --node ip-10-0-1-7.ec2.internal
  $ k8smon targets --profile eks --snapshot cluster.json --job kubernetes-pods --explain web-7d9c-x2x
  $ k8smon targets --config agent.yaml --snapshot cluster.json -o json`,
      )
      .action(async (flags: TargetsFlags) => {
        const { run: targets } = await import('./targets.run.js');
        await run((ctx) => targets(targetsOptions(flags), ctx));
      }),
};
