/**
 * The CLI: wires commander to the command modules (imported lazily, so
 * `k8smon --help` loads none of them) and is the only place that turns an
 * outcome into an exit code. See README "Exit codes".
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import { ExitCode, K8smonError } from '../errors.js';
import { createReporter, type Reporter, type Verbosity } from './output.js';
import type { CommandContext, RenderOptions } from './commands/render.js';

export interface MainIo {
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WritableStream & { isTTY?: boolean };
  env?: NodeJS.ProcessEnv;
}

const RENDER_EXAMPLES = `
Examples:
  $ k8smon render --profile eks > monitoring.yaml
  $ k8smon render -f my-cluster.yaml --set cluster.name=prod-1 -o json
  $ k8smon render --profile kubeadm --output-dir deploy/ && kubectl apply -k deploy/
  $ RW_PASSWORD=… k8smon render -f prod.yaml | kubectl apply -f -

Precedence (lowest first): built-in defaults < preset < profile file < --set.
With no remoteWrite destination, an in-cluster Prometheus receives the samples.`;

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export function buildProgram(run: (action: (ctx: CommandContext) => Promise<void>) => Promise<void>): Command {
  const program = new Command('k8smon')
    .description('Render a complete, least-privilege metrics deployment for a Kubernetes cluster.')
    .version(packageVersion(), '--version', 'print the k8smon version')
    .option('-q, --quiet', 'print only errors on stderr')
    .option('-v, --verbose', 'print more about what k8smon does')
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText('after', '\nExit codes: 0 ok, 1 failure, 2 invalid input (nothing was written), 70 internal error.\nDocs: README.md');

  program
    .command('render')
    .description('render the manifests for a cluster profile')
    .option('-f, --file <profile.yaml>', 'cluster profile (YAML)')
    .addOption(new Option('--profile <preset>', 'start from a built-in preset (see `k8smon presets`)'))
    .addOption(new Option('--preset <preset>', 'same as --profile').hideHelp())
    .option('--set <path=value>', 'override one profile field, e.g. --set kubelet.access=proxy (repeatable)', collect, [])
    .option('-o, --output <format>', 'yaml (multi-document) or json (a v1 List)', 'yaml')
    .option('--output-dir <dir>', 'write one file per object plus kustomization.yaml into <dir>')
    .addHelpText('after', RENDER_EXAMPLES)
    .action(async (opts: { file?: string; profile?: string; preset?: string; set: string[]; output: string; outputDir?: string }) => {
      const options: RenderOptions = { sets: opts.set, output: opts.output };
      if (opts.file !== undefined) options.file = opts.file;
      const preset = opts.profile ?? opts.preset;
      if (preset !== undefined) options.preset = preset;
      if (opts.outputDir !== undefined) options.outputDir = opts.outputDir;
      const { renderCommand } = await import('./commands/render.js');
      await run((ctx) => renderCommand(options, ctx));
    });

  const presets = program
    .command('presets')
    .description('list the built-in presets')
    .addHelpText('after', '\nExamples:\n  $ k8smon presets\n  $ k8smon presets show eks')
    .action(async () => {
      const { presetsListCommand } = await import('./commands/presets.js');
      await run((ctx) => presetsListCommand(ctx));
    });
  presets
    .command('show <name>')
    .description('print one preset')
    .action(async (name: string) => {
      const { presetsShowCommand } = await import('./commands/presets.js');
      await run((ctx) => presetsShowCommand(name, ctx));
    });

  program
    .command('schema')
    .description('print the JSON Schema of a profile (for editors: yaml-language-server $schema)')
    .addHelpText('after', '\nExamples:\n  $ k8smon schema > k8smon.schema.json')
    .action(async () => {
      const { schemaCommand } = await import('./commands/schema.js');
      await run((ctx) => schemaCommand(ctx));
    });

  return program;
}

function packageVersion(): string {
  const pkg: unknown = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
  return (pkg as { version: string }).version;
}

export async function main(argv: readonly string[], io: MainIo = {}): Promise<number> {
  const stdout = io.stdout ?? process.stdout;
  const stderr = io.stderr ?? process.stderr;
  const env = io.env ?? process.env;
  let reporter: Reporter = createReporter({ stream: stderr, env });
  let exitCode: number = ExitCode.ok;

  const run = async (action: (ctx: CommandContext) => Promise<void>): Promise<void> => {
    const globals = program.opts<{ quiet?: boolean; verbose?: boolean }>();
    const verbosity: Verbosity = globals.quiet ? 'quiet' : globals.verbose ? 'verbose' : 'normal';
    reporter = createReporter({ stream: stderr, env, verbosity });
    await action({ reporter, stdout, env });
  };

  const program = buildProgram(run);
  program.exitOverride();
  program.configureOutput({
    writeOut: (s) => stdout.write(s),
    writeErr: (s) => stderr.write(s),
  });
  for (const sub of program.commands) {
    sub.exitOverride();
    sub.configureOutput({ writeOut: (s) => stdout.write(s), writeErr: (s) => stderr.write(s) });
    for (const subsub of sub.commands) {
      subsub.exitOverride();
      subsub.configureOutput({ writeOut: (s) => stdout.write(s), writeErr: (s) => stderr.write(s) });
    }
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
    return err.exitCode;
  }
  const e = err instanceof Error ? err : new Error(String(err));
  reporter.error(`internal error in k8smon (a bug; please report it): ${e.message}`);
  if (env.K8SMON_DEBUG) reporter.error(e.stack ?? '');
  return ExitCode.internal;
}
