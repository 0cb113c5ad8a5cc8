/** `k8smon presets` and `k8smon presets show <name>`. */
import type { CommandDefinition } from '../command.js';

export interface PresetsOptions {
  /** `presets show NAME`: print this preset; without it, list them all. */
  show?: string;
}

export const presetsCommand: CommandDefinition = {
  register: (program, run) => {
    const presets = program
      .command('presets')
      .description('list the built-in presets')
      .addHelpText('after', '\nExamples:\n  $ k8smon presets\n  $ k8smon presets show eks')
      .action(async () => {
        const { run: list } = await import('./presets.run.js');
        await run((ctx) => list({}, ctx));
      });
    presets
      .command('show <name>')
      .description('print one preset')
      .addHelpText('after', '\nExamples:\n  $ k8smon presets show kubeadm')
      .action(async (name: string) => {
        const { run: show } = await import('./presets.run.js');
        await run((ctx) => show({ show: name }, ctx));
      });
    return presets;
  },
};
