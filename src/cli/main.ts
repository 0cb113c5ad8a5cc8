/**
 * The CLI: builds the program from the command definitions (each imports its
 * implementation only when it runs, so `k8smon --help` loads none of them),
 * runs it, and is the only place that turns an outcome into an exit code.
 * See README "Exit codes".
 */
import { CommanderError } from 'commander';
import { ExitCode, K8smonError } from '../errors.js';
import type { Runner } from './command.js';
import { createReporter, type Reporter, type Verbosity } from './output.js';
import { buildProgram } from './program.js';

export interface MainIo {
  stdin?: NodeJS.ReadableStream & { isTTY?: boolean };
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WritableStream & { isTTY?: boolean };
  env?: NodeJS.ProcessEnv;
}

export async function main(argv: readonly string[], io: MainIo = {}): Promise<number> {
  const stdin = io.stdin ?? process.stdin;
  const stdout = io.stdout ?? process.stdout;
  const stderr = io.stderr ?? process.stderr;
  const env = io.env ?? process.env;
  let reporter: Reporter = createReporter({ stream: stderr, env });
  let exitCode: number = ExitCode.ok;

  const run: Runner = async (work) => {
    const globals = program.opts<{ quiet?: boolean; verbose?: boolean }>();
    const verbosity: Verbosity = globals.quiet ? 'quiet' : globals.verbose ? 'verbose' : 'normal';
    reporter = createReporter({ stream: stderr, env, verbosity });
    const code = await work({ reporter, stdout, stdin, env });
    if (typeof code === 'number') exitCode = code;
  };

  const program = buildProgram(run);
  // Help, --version and parse errors end as CommanderErrors here, never as process.exit.
  for (const cmd of [program, ...program.commands, ...program.commands.flatMap((c) => c.commands)]) {
    cmd.exitOverride();
    cmd.configureOutput({ writeOut: (s) => stdout.write(s), writeErr: (s) => stderr.write(s) });
  }

  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (err) {
    exitCode = exitCodeFor(err, reporter, env);
  }
  return exitCode;
}

function exitCodeFor(err: unknown, reporter: Reporter, env: NodeJS.ProcessEnv): number {
  if (err instanceof CommanderError) {
    // Help and --version end through here too, with code 0; commander has printed the message.
    if (err.exitCode === 0) return ExitCode.ok;
    return ExitCode.invalidInput;
  }
  if (err instanceof K8smonError) {
    reporter.error(err.message);
    if (err.detail !== undefined) reporter.info(err.detail);
    return err.exitCode;
  }
  const e = err instanceof Error ? err : new Error(String(err));
  reporter.error(`internal error in k8smon (a bug; please report it): ${e.message}`);
  if (env.K8SMON_DEBUG) reporter.error(e.stack ?? '');
  return ExitCode.internal;
}
