/** `k8smon completion <shell>`: print a shell completion script made from the command tree. */
import type { Command } from 'commander';
import type { CommandDefinition } from '../command.js';

/** One command as completion offers it. */
export interface CommandInfo {
  name: string;
  description: string;
  /** Its flags, long and short. */
  flags: string[];
}

export interface CompletionOptions {
  /** bash, zsh or fish; checked by the command. */
  shell: string;
  /** Every command of the program, in help order. */
  commands: CommandInfo[];
}

/** The program's commands and their flags, read from commander's tree. */
export function describeCommands(program: Command): CommandInfo[] {
  return program.commands.map((c) => ({
    name: c.name(),
    description: c.description(),
    flags: c.options.flatMap((o) => [o.long, o.short].filter((f): f is string => f !== undefined)),
  }));
}

export const completionCommand: CommandDefinition = {
  register: (program, run) =>
    program
      .command('completion <shell>')
      .description('print a shell completion script (bash, zsh or fish)')
      .addHelpText('after', '\nExamples:\n  $ source <(k8smon completion bash)\n  $ k8smon completion fish | source')
      .action(async (shell: string) => {
        const { run: completion } = await import('./completion.run.js');
        await run((ctx) => completion({ shell, commands: describeCommands(program) }, ctx));
      }),
};
