/**
 * The CLI: wires commander to the command modules (imported lazily, so
 * `k8smon --help` loads none of them) and is the only place that turns an
 * outcome into an exit code. See README "Exit codes".
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import { ExitCode, InvalidInputError, K8smonError } from '../errors.js';
import { createReporter, type Reporter, type Verbosity } from './output.js';
import type { PreviewSources } from './commands/preview.js';
import type { CommandContext, RenderOptions } from './commands/render.js';


export interface MainIo {
  stdin?: NodeJS.ReadableStream & { isTTY?: boolean };
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

const TARGET_HELP = `
The cluster is kubectl's: --context and --kubeconfig are passed on to it.
Credentials: use passwordFrom/bearerTokenFrom {env: VAR} in the profile, or --password-stdin, rather than flags
(shell history).`;

interface ProfileFlags {
  file?: string;
  profile?: string;
  preset?: string;
  set: string[];
}

interface TargetFlags {
  context?: string;
  kubeconfig?: string;
}

function addProfileOptions(cmd: Command): Command {
  return cmd
    .option('-f, --file <profile.yaml>', 'cluster profile (YAML)')
    .addOption(new Option('--profile <preset>', 'start from a built-in preset (see `k8smon presets`)'))
    .addOption(new Option('--preset <preset>', 'same as --profile').hideHelp())
    .option('--set <path=value>', 'override one profile field, e.g. --set kubelet.access=proxy (repeatable)', collect, []);
}

function addTargetOptions(cmd: Command): Command {
  return cmd.option('--context <name>', 'kubeconfig context to use').option('--kubeconfig <file>', 'kubeconfig file to use');
}

/** The flags of the commands that preview a render against a cluster (targets, check); read by previewSources. */
function addPreviewOptions(cmd: Command): Command {
  return addTargetOptions(addProfileOptions(cmd))
    .option('--config <file.yaml>', 'instead of a profile: an agent config (grafana-agent static or Prometheus), or the manifests that deploy one (e.g. kubectl get ds,deploy,cm,clusterrole,clusterrolebinding -o yaml)')
    .option('--namespace <ns>', 'with --config: the namespace the agent runs in (what namespaces.own_namespace discovers; manifests without one go there, as with kubectl apply -n)')
    .option('--snapshot <cluster.json>', 'a snapshot from `k8smon snapshot` (else the cluster is read live)');
}

function profileSources(opts: ProfileFlags): { file?: string; preset?: string; sets: string[] } {
  const preset = opts.profile ?? opts.preset;
  return { ...(opts.file !== undefined ? { file: opts.file } : {}), ...(preset !== undefined ? { preset } : {}), sets: opts.set };
}

function kubectlTarget(opts: TargetFlags): { context?: string; kubeconfig?: string } {
  return { ...(opts.context !== undefined ? { context: opts.context } : {}), ...(opts.kubeconfig !== undefined ? { kubeconfig: opts.kubeconfig } : {}) };
}

/** Profile (or agent config), snapshot (or live cluster) for targets and check. */
function previewSources(opts: ProfileFlags & TargetFlags & { config?: string; namespace?: string; snapshot?: string }): PreviewSources {
  return {
    ...profileSources(opts),
    target: kubectlTarget(opts),
    live: opts.snapshot === undefined,
    ...(opts.config !== undefined ? { config: opts.config } : {}),
    ...(opts.namespace !== undefined ? { namespace: opts.namespace } : {}),
    ...(opts.snapshot !== undefined ? { snapshot: opts.snapshot } : {}),
  };
}

export type Action = (ctx: CommandContext) => Promise<number | void>;

export function buildProgram(run: (action: Action) => Promise<void>): Command {
  const program = new Command('k8smon')
    .description('Render a complete, least-privilege metrics deployment for a Kubernetes cluster.')
    .version(packageVersion(), '--version', 'print the k8smon version')
    .option('-q, --quiet', 'print only errors on stderr')
    .option('-v, --verbose', 'print more about what k8smon does')
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText(
      'after',
      `
Examples:
  $ k8smon init                                  # write k8smon.yaml, asking a few questions
  $ k8smon render --profile eks > monitoring.yaml
  $ k8smon apply -f k8smon.yaml --wait

Exit codes: 0 ok, 1 failure (diff: differences found), 2 invalid input (nothing was written or sent),
3 kubectl not found, 4 kubectl failed, 70 internal error, 130 interrupted. Docs: README.md`,
    );

  addProfileOptions(program.command('render').description('render the manifests for a cluster profile'))
    .option('-o, --output <format>', 'yaml (multi-document) or json (a v1 List)', 'yaml')
    .option('--output-dir <dir>', 'write one file per object plus kustomization.yaml into <dir>')
    .option('--password-stdin', 'read the password of remoteWrite[0].basicAuth from stdin')
    .addHelpText('after', RENDER_EXAMPLES)
    .action(async (opts: ProfileFlags & { output: string; outputDir?: string; passwordStdin?: boolean }) => {
      const { renderCommand } = await import('./commands/render.js');
      await run(async (ctx) => {
        const options: RenderOptions = { ...profileSources(opts), output: opts.output };
        if (opts.outputDir !== undefined) options.outputDir = opts.outputDir;
        if (opts.passwordStdin) options.sets = [...options.sets, `remoteWrite[0].basicAuth.password=${await readPasswordStdin(ctx)}`];
        await renderCommand(options, ctx);
      });
    });

  addTargetOptions(addProfileOptions(program.command('apply').description('render and apply with kubectl (server-side, field manager k8smon)')))
    .addOption(new Option('--dry-run <mode>', 'ask the cluster without changing it').choices(['client', 'server']))
    .option('--wait', 'wait for every DaemonSet and Deployment to roll out, and say why one does not')
    .option('--timeout <duration>', 'how long --wait waits per workload', '5m')
    .option('--password-stdin', 'read the password of remoteWrite[0].basicAuth from stdin')
    .addHelpText(
      'after',
      `
Examples:
  $ k8smon apply --profile eks --context prod-eu-1 --wait
  $ RW_PASSWORD=… k8smon apply -f k8smon.yaml --dry-run=server
  $ pass show mimir | k8smon apply -f k8smon.yaml --password-stdin
${TARGET_HELP}`,
    )
    .action(async (opts: ProfileFlags & TargetFlags & { dryRun?: 'client' | 'server'; wait?: boolean; timeout: string; passwordStdin?: boolean }) => {
      const { applyCommand } = await import('./commands/cluster.js');
      await run(async (ctx) => {
        const password = opts.passwordStdin ? await readPasswordStdin(ctx) : undefined;
        await applyCommand(
          {
            ...profileSources(opts),
            target: kubectlTarget(opts),
            wait: opts.wait === true,
            timeout: opts.timeout,
            ...(opts.dryRun !== undefined ? { dryRun: opts.dryRun } : {}),
            ...(password !== undefined ? { password } : {}),
          },
          ctx,
        );
      });
    });

  addTargetOptions(addProfileOptions(program.command('diff').description('show what apply would change (kubectl diff); exit 1 when there are differences')))
    .addHelpText('after', `
Examples:
  $ k8smon diff -f k8smon.yaml --context prod-eu-1
${TARGET_HELP}`)
    .action(async (opts: ProfileFlags & TargetFlags) => {
      const { diffCommand } = await import('./commands/cluster.js');
      await run((ctx) => diffCommand({ ...profileSources(opts), target: kubectlTarget(opts) }, ctx));
    });

  addTargetOptions(addProfileOptions(program.command('delete').description('delete exactly the objects a render produces')))
    .option('--include-namespace', 'also delete the namespace (and so everything else in it)')
    .addHelpText('after', `
Examples:
  $ k8smon delete -f k8smon.yaml --context staging
${TARGET_HELP}`)
    .action(async (opts: ProfileFlags & TargetFlags & { includeNamespace?: boolean }) => {
      const { deleteCommand } = await import('./commands/cluster.js');
      await run((ctx) => deleteCommand({ ...profileSources(opts), target: kubectlTarget(opts), includeNamespace: opts.includeNamespace === true }, ctx));
    });

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
    .action(async (opts: ProfileFlags & TargetFlags & { output: string; yes?: boolean; interactive: boolean; force?: boolean }) => {
      const { initCommand } = await import('./commands/init.js');
      const preset = opts.profile ?? opts.preset;
      await run((ctx) =>
        initCommand(
          {
            output: opts.output,
            interactive: opts.interactive && opts.yes !== true && process.stdin.isTTY === true,
            sets: opts.set,
            force: opts.force === true,
            target: kubectlTarget(opts),
            ...(preset !== undefined ? { preset } : {}),
          },
          ctx,
        ),
      );
    });

  addTargetOptions(program.command('snapshot').description('capture the objects discovery reads (listed a page at a time, only the fields discovery reads) as one JSON file'))
    .addHelpText('after', `\nExamples:\n  $ k8smon snapshot --context prod > cluster.json\n  $ k8smon targets --profile eks --snapshot cluster.json`)
    .action(async (opts: TargetFlags) => {
      const { snapshotCommand } = await import('./commands/preview.js');
      await run((ctx) => snapshotCommand(kubectlTarget(opts), ctx));
    });

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
    .action(async (opts: ProfileFlags & TargetFlags & { config?: string; namespace?: string; snapshot?: string; job?: string; node?: string; explain?: string; output: string }) => {
      const { targetsCommand } = await import('./commands/preview.js');
      await run((ctx) =>
        targetsCommand(
          {
            ...previewSources(opts),
            output: opts.output,
            ...(opts.job !== undefined ? { job: opts.job } : {}),
            ...(opts.node !== undefined ? { node: opts.node } : {}),
            ...(opts.explain !== undefined ? { explain: opts.explain } : {}),
          },
          ctx,
        ),
      );
    });

  addPreviewOptions(program.command('check').description('check a render against a cluster: zero-target jobs, double scrapes, label collisions, RBAC 403s, API versions'))
    .option('-o, --output <format>', 'table or json (problems on stdout, for CI)', 'table')
    .addHelpText('after', `\nExamples:\n  $ k8smon check --profile kubeadm --snapshot cluster.json\n  $ k8smon check -f k8smon.yaml --context prod\n  $ kubectl get ds,deploy,cm,clusterrole,clusterrolebinding -n monitoring -o yaml > current.yaml\n  $ k8smon check --config current.yaml --context prod     # audit a deployment made by hand\n  $ k8smon check -f k8smon.yaml --snapshot cluster.json -o json > problems.json\n\nExit 1 when a problem is an error; warnings do not fail.`)
    .action(async (opts: ProfileFlags & TargetFlags & { config?: string; namespace?: string; snapshot?: string; output: string }) => {
      const { checkCommand } = await import('./commands/preview.js');
      await run((ctx) => checkCommand({ ...previewSources(opts), output: opts.output }, ctx));
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
    .addHelpText('after', '\nExamples:\n  $ k8smon presets show kubeadm')
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

  program
    .command('completion <shell>')
    .description('print a shell completion script (bash, zsh or fish)')
    .addHelpText('after', '\nExamples:\n  $ source <(k8smon completion bash)\n  $ k8smon completion fish | source')
    .action(async (shell: string) => {
      const { completionCommand } = await import('./commands/completion.js');
      await run((ctx) => completionCommand(shell, program, ctx));
    });

  return program;
}

/** The password piped to --password-stdin (one trailing newline removed); never from a terminal. */
async function readPasswordStdin(ctx: CommandContext): Promise<string> {
  if (ctx.stdin.isTTY === true) {
    throw new InvalidInputError('Nothing piped to --password-stdin.', [{ path: '--password-stdin', message: 'pipe the password in, e.g. `pass show mimir | k8smon apply … --password-stdin`' }]);
  }
  const chunks: Buffer[] = [];
  for await (const chunk of ctx.stdin) chunks.push(Buffer.from(chunk as Buffer));
  const text = Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
  if (text === '') throw new InvalidInputError('Empty password.', [{ path: '--password-stdin', message: 'read nothing from stdin' }]);
  return text;
}

function packageVersion(): string {
  const pkg: unknown = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
  return (pkg as { version: string }).version;
}

export async function main(argv: readonly string[], io: MainIo = {}): Promise<number> {
  const stdin = io.stdin ?? process.stdin;
  const stdout = io.stdout ?? process.stdout;
  const stderr = io.stderr ?? process.stderr;
  const env = io.env ?? process.env;
  let reporter: Reporter = createReporter({ stream: stderr, env });
  let exitCode: number = ExitCode.ok;

  const run = async (action: Action): Promise<void> => {
    const globals = program.opts<{ quiet?: boolean; verbose?: boolean }>();
    const verbosity: Verbosity = globals.quiet ? 'quiet' : globals.verbose ? 'verbose' : 'normal';
    reporter = createReporter({ stream: stderr, env, verbosity });
    const code = await action({ reporter, stdout, stdin, env });
    if (typeof code === 'number') exitCode = code;
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
