/** `k8smon init`: write a profile (k8smon.yaml), asking a few questions, or none with --yes. */
import { Option } from 'commander';
import type { KubectlTarget } from '../../kube/kubectl.js';
import type { CommandDefinition } from '../command.js';
import { addTargetOptions, collect, kubectlTarget, type TargetFlags } from '../options.js';

export interface InitOptions {
  output: string;
  /** Ask questions: not with --yes/--no-interactive, nor when stdin is not a terminal. */
  interactive: boolean;
  preset?: string;
  sets: string[];
  force: boolean;
  /** The cluster kubectl can tell about (its context name, a platform guess). */
  target: KubectlTarget;
}

interface InitFlags extends TargetFlags {
  output: string;
  profile?: string;
  preset?: string;
  set: string[];
  yes?: boolean;
  interactive: boolean;
  force?: boolean;
}

export function initOptions(flags: InitFlags, stdinIsTTY: boolean): InitOptions {
  const preset = flags.profile ?? flags.preset;
  return {
    output: flags.output,
    interactive: flags.interactive && flags.yes !== true && stdinIsTTY,
    sets: flags.set,
    force: flags.force === true,
    target: kubectlTarget(flags),
    ...(preset !== undefined ? { preset } : {}),
  };
}

export const initCommand: CommandDefinition = {
  register: (program, run) =>
    addTargetOptions(program.command('init').description('write a profile (k8smon.yaml), asking a few questions'))
      .option('-o, --output <file>', 'where to write the profile', 'k8smon.yaml')
      .addOption(new Option('--profile <preset>', 'the platform preset (the default answer, or the value with --yes)'))
      .addOption(new Option('--preset <preset>', 'same as --profile').hideHelp())
      .option('--set <path=value>', 'set a profile field (repeatable)', collect, [])
      .option('-y, --yes', 'ask nothing: take defaults and flags (also when stdin is not a terminal)')
      .option('--no-interactive', 'same as --yes')
      .option('--force', 'overwrite the output file without asking')
      .addHelpText('after', `
Examples:
  $ k8smon init
  $ k8smon init --yes --profile gke --set cluster.name=prod-1 --output prod.yaml`)
      .action(async (flags: InitFlags) => {
        const { run: init } = await import('./init.run.js');
        await run((ctx) => init(initOptions(flags, ctx.stdin.isTTY === true), ctx));
      }),
};
