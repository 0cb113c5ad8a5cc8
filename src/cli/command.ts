/**
 * The shape of one command as the parser sees it. Each file in commands/
 * exports one of these: it declares the command's flags, help and examples on
 * the program and maps commander's parsed values into the command's typed
 * options; its action imports the implementation (commands/<name>.run.ts) only
 * when the command runs, so `k8smon --help` loads none of them.
 */
import type { Command } from 'commander';
import type { CommandContext } from './context.js';

/** A command's result: an exit code, or nothing for success. Errors are thrown (see src/errors.ts). */
export type Outcome = number | void;

/** Runs a command's work with the context main.ts builds once the global flags are parsed. */
export type Runner = (work: (ctx: CommandContext) => Promise<Outcome>) => Promise<void>;

export interface CommandDefinition {
  /** Declares the command on `program`; its action hands the typed options to the implementation through `run`. */
  register(program: Command, run: Runner): Command;
}
