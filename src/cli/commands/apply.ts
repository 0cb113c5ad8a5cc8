/** `k8smon apply`: render, then kubectl apply --server-side; --wait for the rollout. */
import { InvalidArgumentError, Option } from 'commander';
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
  /** Delete what the inventory holds and the render no longer contains (default true). */
  prune: boolean;
}

interface ApplyFlags extends ProfileFlags, TargetFlags {
  dryRun?: 'client' | 'server';
  wait?: boolean;
  timeout: string;
  passwordStdin?: boolean;
  prune?: boolean;
}

/** `--prune`, `--prune=true`, `--prune=false`. */
export function parseBool(value: string): boolean {
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw new InvalidArgumentError('expected true or false');
}

export function applyOptions(flags: ApplyFlags): ApplyOptions {
  return {
    ...profileSources(flags),
    target: kubectlTarget(flags),
    wait: flags.wait === true,
    timeout: flags.timeout,
    ...(flags.dryRun !== undefined ? { dryRun: flags.dryRun } : {}),
    passwordStdin: flags.passwordStdin === true,
    prune: flags.prune !== false,
  };
}

export const applyCommand: CommandDefinition = {
  register: (program, run) =>
    addTargetOptions(addProfileOptions(program.command('apply').description('render and apply with kubectl (server-side, field manager k8smon), then prune what the render no longer contains')))
      .addOption(new Option('--dry-run <mode>', 'ask the cluster without changing it').choices(['client', 'server']))
      .option('--wait', 'wait for every DaemonSet and Deployment to roll out, and say why one does not')
      .option('--timeout <duration>', 'how long --wait waits per workload', '5m')
      .option('--password-stdin', 'read the credential of remoteWrite[0] (basic-auth password, bearer token or OAuth client secret) from stdin')
      .addOption(
        new Option('--prune [bool]', 'delete what an earlier apply of this profile created and the render no longer contains (after --wait: once the new agents are ready)')
          .argParser(parseBool)
          .default(true),
      )
      .addHelpText(
        'after',
        `
Examples:
  $ k8smon apply --profile eks --context prod-eu-1 --wait
  $ RW_PASSWORD=… k8smon apply -f k8smon.yaml --dry-run=server
  $ pass show mimir | k8smon apply -f k8smon.yaml --password-stdin
  $ k8smon apply -f k8smon.yaml --set agent.kind=prometheus --wait   # switch kinds; old objects go once the new agents are ready
  $ k8smon apply -f k8smon.yaml --dry-run=server                       # also lists what would be pruned
  $ k8smon apply -f k8smon.yaml --prune=false                          # apply only, delete nothing
${TARGET_HELP}`,
      )
      .action(async (flags: ApplyFlags) => {
        const { run: apply } = await import('./apply.run.js');
        await run((ctx) => apply(applyOptions(flags), ctx));
      }),
};
