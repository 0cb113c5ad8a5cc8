/** `k8smon apply`: render, then kubectl apply --server-side; --wait for the rollout. */
import { Option } from 'commander';
import type { KubectlTarget } from '../../kube/kubectl.js';
import type { CommandDefinition } from '../command.js';
import { addProfileOptions, addTargetOptions, kubectlTarget, profileSources, TARGET_HELP, type ProfileFlags, type ProfileOptions, type TargetFlags } from '../options.js';

export interface ApplyOptions extends ProfileOptions {
  target: KubectlTarget;
  dryRun?: 'client' | 'server';
  wait: boolean;
  /** How long --wait waits per workload (a kubectl duration). */
  timeout: string;
  /** Read the password of remoteWrite[0].basicAuth from stdin. */
  passwordStdin: boolean;
}

interface ApplyFlags extends ProfileFlags, TargetFlags {
  dryRun?: 'client' | 'server';
  wait?: boolean;
  timeout: string;
  passwordStdin?: boolean;
}

export function applyOptions(flags: ApplyFlags): ApplyOptions {
  return {
    ...profileSources(flags),
    target: kubectlTarget(flags),
    wait: flags.wait === true,
    timeout: flags.timeout,
    ...(flags.dryRun !== undefined ? { dryRun: flags.dryRun } : {}),
    passwordStdin: flags.passwordStdin === true,
  };
}

export const applyCommand: CommandDefinition = {
  register: (program, run) =>
    addTargetOptions(addProfileOptions(program.command('apply').description('render and apply with kubectl (server-side, field manager k8smon)')))
      .addOption(new Option('--dry-run <mode>', 'ask the cluster without changing it').choices(['client', 'server']))
      .option('--wait', 'wait for every DaemonSet and Deployment to roll out, and say why one does not')
      .option('--timeout <duration>', 'how long --wait waits per workload', '5m')
      .option('--password-stdin', 'read the credential of remoteWrite[0] (basic-auth password, bearer token or OAuth client secret) from stdin')
      .addHelpText(
        'after',
        `
Examples:
  $ k8smon apply --profile eks --context prod-eu-1 --wait
  $ RW_PASSWORD=… k8smon apply -f k8smon.yaml --dry-run=server
  $ pass show mimir | k8smon apply -f k8smon.yaml --password-stdin
${TARGET_HELP}`,
      )
      .action(async (flags: ApplyFlags) => {
        const { run: apply } = await import('./apply.run.js');
        await run((ctx) => apply(applyOptions(flags), ctx));
      }),
};
