/**
 * `k8smon init`, the work: writes a profile, asking in the order a person would answer;
 * without a terminal (or with --yes) it takes defaults and flags instead.
 * The file is written only at the end, in one step: Ctrl-C leaves nothing.
 */
import { packagePath } from '../../package-root.js';
import { existsSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { stringifyYaml } from '../../util/yaml.js';
import { ExitCode, InvalidInputError, K8smonError } from '../../errors.js';
import { profileFromAnswers, type InitAnswers, type CredentialSource } from '../../init/answers.js';
import { guessPlatform, nodeFactsFromJson, type PlatformGuess } from '../../init/guess.js';
import { runKubectl, type KubectlTarget } from '../../kube/kubectl.js';
import { parseSetFlags, setPath, convertSetValue, type PlainObject } from '../../profile/merge.js';
import { listPresets } from '../../profile/presets.js';
import { resolveProfileDocument } from '../../profile/resolve.js';
import { AGENT_KINDS } from '../../agents/registry.js';
import { COMPONENT_NAMES } from '../../profile/schema.js';
import type { ComponentName, Profile } from '../../profile/types.js';
import { schemaTypesAt } from '../../profile/validate.js';
import type { CommandContext } from '../context.js';
import type { InitOptions } from './init.js';

const SCHEMA_FILE = packagePath('schema', 'k8smon.schema.json');
const SELF_HOSTED_ONLY: readonly ComponentName[] = ['kubeScheduler', 'kubeControllerManager', 'etcd'];

interface ClusterFacts {
  context?: string;
  guess?: PlatformGuess;
}

/** What kubectl can tell about the current cluster; nothing when there is no kubectl or no cluster. */
async function probeCluster(target: KubectlTarget): Promise<ClusterFacts> {
  const facts: ClusterFacts = {};
  try {
    const ctxResult = await runKubectl(['config', 'current-context'], { target });
    if (ctxResult.exitCode === 0 && ctxResult.stdout.trim() !== '') facts.context = target.context ?? ctxResult.stdout.trim();
    const nodes = await runKubectl(['get', 'nodes', '-o', 'json', '--request-timeout=5s'], { target });
    if (nodes.exitCode === 0) {
      const guess = guessPlatform(nodeFactsFromJson(nodes.stdout));
      if (guess !== undefined) facts.guess = guess;
    }
  } catch {
    // No kubectl, or no cluster: the wizard works without them.
  }
  return facts;
}

export async function run(options: InitOptions, ctx: CommandContext): Promise<void> {
  const { problems } = parseSetFlags(options.sets);
  if (problems.length > 0) throw new InvalidInputError('Invalid --set flag.', problems);
  const outputPath = resolve(options.output);

  let doc: PlainObject;
  if (options.interactive) {
    const facts = await probeCluster(options.target);
    doc = profileFromAnswers(await askQuestions(options, facts));
  } else {
    doc = options.preset !== undefined ? { preset: options.preset } : {};
    if (options.preset === undefined) {
      ctx.reporter.notice({
        path: '--profile',
        message: 'not given, and no questions asked (stdin is not a terminal, or --yes): the profile holds only what --set gives and renders for a generic cluster; the wizard would have suggested a preset (eks by default). Pass --profile <preset> (k8smon presets)',
      });
    }
  }
  for (const a of parseSetFlags(options.sets).assignments) doc = setPath(doc, a.path, convertSetValue(a.text, schemaTypesAt(a.path))) as PlainObject;
  resolveProfileDocument(doc, {}); // throws InvalidInputError with every problem

  if (existsSync(outputPath) && !options.force) {
    if (!options.interactive) {
      throw new InvalidInputError('The profile exists.', [{ path: options.output, message: 'already exists; pass --force to overwrite it, or --output to write elsewhere' }]);
    }
    const { confirm } = await import('@inquirer/prompts');
    const overwrite = await prompt(() => confirm({ message: `${options.output} exists. Overwrite it?`, default: false }));
    if (!overwrite) throw new K8smonError(`left ${options.output} as it was`, ExitCode.failure);
  }
  writeProfile(outputPath, doc);
  ctx.reporter.progress(`wrote ${options.output}`);
  ctx.stdout.write(`Next: ${nextCommand(doc, options.output)}\n`);
}

function writeProfile(path: string, doc: PlainObject): void {
  const schema = relative(dirname(path), SCHEMA_FILE);
  const text = `# yaml-language-server: $schema=${schema}\n# Written by k8smon init. Render with: k8smon render -f ${relative(process.cwd(), path) || path}\n${stringifyYaml(doc, { lineWidth: 0 })}`;
  const tmp = `${path}.k8smon-tmp-${process.pid}`;
  writeFileSync(tmp, text, { mode: 0o600 });
  renameSync(tmp, path);
}

function nextCommand(doc: PlainObject, file: string): string {
  const rw = (doc.remoteWrite as PlainObject[] | undefined)?.[0];
  const basic = rw?.basicAuth as PlainObject | undefined;
  const from = (basic?.passwordFrom ?? rw?.bearerTokenFrom) as { env?: string } | undefined;
  const envPrefix = from?.env !== undefined ? `${from.env}=… ` : '';
  return `${envPrefix}k8smon apply -f ${file}    (or: ${envPrefix}k8smon render -f ${file} > monitoring.yaml)`;
}

/** Runs one prompt; Ctrl-C becomes exit 130 with nothing written. */
async function prompt<T>(ask: () => Promise<T>): Promise<T> {
  try {
    return await ask();
  } catch (err) {
    if ((err as Error).name === 'ExitPromptError') throw new K8smonError('interrupted; nothing was written', ExitCode.interrupted);
    throw err;
  }
}

async function askQuestions(options: InitOptions, facts: ClusterFacts): Promise<InitAnswers> {
  const { input, select, checkbox, password } = await import('@inquirer/prompts');
  const presets = listPresets();
  const preset = await prompt(() =>
    select({
      message: 'Platform',
      default: options.preset ?? facts.guess?.platform ?? 'eks',
      choices: presets.map((p) => ({
        name: p.name === facts.guess?.platform ? `${p.name} (detected: ${facts.guess.evidence})` : p.name,
        value: p.name,
        description: p.description,
      })),
    }),
  );
  const base: Profile = resolveProfileDocument({ preset }, {}).profile;
  const clusterName = await prompt(() => input({ message: 'Cluster name (the `cluster` label on every series)', default: facts.context ?? base.cluster.name, required: true }));
  const namespace = await prompt(() =>
    input({ message: 'Namespace', default: base.namespace, validate: (v) => /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(v) || 'a DNS-1123 label: lowercase letters, digits and "-"' }),
  );
  const agentKind = await prompt(() =>
    select({ message: 'Agent', default: base.agent.kind, choices: AGENT_KINDS.map((k) => ({ name: `${k.name} — ${k.title}`, value: k.name })) }),
  );
  const kubeletAccess = await prompt(() =>
    select({
      message: 'Kubelet access',
      default: base.kubelet.access,
      choices: [
        { name: 'direct — each node agent scrapes its kubelet on :10250 (needs nodes/metrics)', value: 'direct' as const },
        { name: 'proxy — through the apiserver (needs nodes/proxy, which also allows exec; for networks that block :10250)', value: 'proxy' as const },
      ],
    }),
  );
  const remoteWriteUrl = await prompt(() =>
    input({
      message: 'remote_write URL (empty: an in-cluster Prometheus receives the samples)',
      default: '',
      validate: (v) => v === '' || /^https?:\/\/[^/\s]+/.test(v) || 'an http:// or https:// URL, or empty',
    }),
  );
  let auth: InitAnswers['auth'] = 'none';
  let username: string | undefined;
  let credential: CredentialSource | undefined;
  if (remoteWriteUrl !== '') {
    auth = await prompt(() =>
      select({
        message: 'Authentication',
        choices: [
          { name: 'none', value: 'none' as const },
          { name: 'basic auth (username and password)', value: 'basic' as const },
          { name: 'bearer token', value: 'bearer' as const },
        ],
      }),
    );
    if (auth === 'basic') username = await prompt(() => input({ message: 'Username', required: true }));
    if (auth !== 'none') credential = await askCredential(auth === 'basic' ? 'password' : 'token', { input, select, password });
  }
  const toggleable = COMPONENT_NAMES.filter((c) => !(base.cluster.controlPlane === 'managed' && SELF_HOSTED_ONLY.includes(c)) && !(c === 'eksControlPlane' && base.cluster.platform !== 'eks'));
  const chosen = await prompt(() =>
    checkbox({
      message: 'Components (space toggles, enter confirms)',
      choices: toggleable.map((c) => ({ name: c, value: c, checked: base.components[c].enabled })),
    }),
  );
  const components: InitAnswers['components'] = {};
  for (const c of toggleable) if (chosen.includes(c) !== base.components[c].enabled) components[c] = chosen.includes(c);
  const answers: InitAnswers = { preset, clusterName, namespace, agentKind, kubeletAccess, remoteWriteUrl, auth, components };
  if (username !== undefined) answers.username = username;
  if (credential !== undefined) answers.credential = credential;
  return answers;
}

type Prompts = Pick<typeof import('@inquirer/prompts'), 'input' | 'select' | 'password'>;

async function askCredential(what: 'password' | 'token', { input, select, password }: Prompts): Promise<CredentialSource> {
  const kind = await prompt(() =>
    select({
      message: `Where does the ${what} come from?`,
      choices: [
        { name: 'an environment variable, read when k8smon renders (nothing secret in the profile)', value: 'env' as const },
        { name: 'an existing Secret in the namespace (nothing secret in the profile or the output)', value: 'secret' as const },
        { name: `type it now and store it in the profile file (not recommended)`, value: 'inline' as const },
      ],
    }),
  );
  if (kind === 'env') {
    const variable = await prompt(() =>
      input({ message: 'Environment variable', default: what === 'password' ? 'RW_PASSWORD' : 'RW_TOKEN', validate: (v) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(v) || 'a variable name' }),
    );
    return { kind, variable };
  }
  if (kind === 'secret') {
    const name = await prompt(() => input({ message: 'Secret name', required: true }));
    const key = await prompt(() => input({ message: 'Key in the Secret', default: what }));
    return { kind, name, key };
  }
  const value = await prompt(() => password({ message: `The ${what}`, mask: '*', validate: (v) => v !== '' || 'must not be empty' }));
  return { kind, value };
}
