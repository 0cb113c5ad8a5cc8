/** `k8smon check`: a render (or an agent config) against a cluster, by the consistency rules. */
import type { CommandDefinition } from '../command.js';
import { addPreviewOptions, previewSources, type PreviewFlags, type PreviewSources } from '../options.js';

export interface CheckOptions extends PreviewSources {
  /** table or json; checked by the command. */
  output: string;
}

interface CheckFlags extends PreviewFlags {
  output: string;
}

export function checkOptions(flags: CheckFlags): CheckOptions {
  return { ...previewSources(flags), output: flags.output };
}

export const checkCommand: CommandDefinition = {
  register: (program, run) =>
    addPreviewOptions(program.command('check').description('check a render against a cluster: zero-target jobs, double scrapes, label collisions, RBAC 403s, API versions, rules and panels whose metrics no job scrapes'))
      .option('-o, --output <format>', 'table or json (problems on stdout, for CI)', 'table')
      .addHelpText('after', `\nExamples:\n  $ k8smon check --profile kubeadm --snapshot cluster.json\n  $ k8smon check -f k8smon.yaml --context prod\n  $ kubectl get ds,deploy,cm,clusterrole,clusterrolebinding -n monitoring -o yaml > current.yaml\n  $ k8smon check --config current.yaml --context prod     # audit a deployment made by hand\n  $ k8smon check -f k8smon.yaml --snapshot cluster.json -o json > problems.json\n\nExit 1 when a problem is an error; warnings do not fail.`)
      .action(async (flags: CheckFlags) => {
        const { run: check } = await import('./check.run.js');
        await run((ctx) => check(checkOptions(flags), ctx));
      }),
};
