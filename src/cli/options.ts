/**
 * The flag groups several commands share — profile, kubectl target, preview
 * inputs — declared once, with the typed options they become.
 */
import { Option, type Command } from 'commander';
import type { KubectlTarget } from '../kube/kubectl.js';

/** Repeatable flags (--set a=1 --set b=2) collect into a list. */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export const TARGET_HELP = `
The cluster is kubectl's: --context and --kubeconfig are passed on to it.
Credentials: use passwordFrom/bearerTokenFrom {env: VAR} in the profile, or --password-stdin, rather than flags
(shell history).`;

/** -f, --profile (alias --preset), --set as commander parses them. */
export interface ProfileFlags {
  file?: string;
  profile?: string;
  preset?: string;
  set: string[];
}

/** --context, --kubeconfig as commander parses them. */
export interface TargetFlags {
  context?: string;
  kubeconfig?: string;
}

/** --config, --namespace, --snapshot (with the profile and target flags) as commander parses them. */
export interface PreviewFlags extends ProfileFlags, TargetFlags {
  config?: string;
  namespace?: string;
  snapshot?: string;
}

/** Where a profile comes from: a file, a preset, --set overrides (lowest first: preset < file < --set). */
export interface ProfileOptions {
  file?: string;
  preset?: string;
  sets: string[];
  /** The credential piped to --password-stdin. */
  stdinCredential?: string;
}

/** What targets and check preview: a profile or an agent config, against a snapshot or the live cluster. */
export interface PreviewSources extends ProfileOptions {
  /** An agent config file instead of a profile. */
  config?: string;
  /** The namespace the --config agent runs in. */
  namespace?: string;
  snapshot?: string;
  target: KubectlTarget;
  /** Read the cluster live (through kubectl) when no --snapshot is given. */
  live: boolean;
}

export function addProfileOptions(cmd: Command): Command {
  return cmd
    .option('-f, --file <profile.yaml>', 'cluster profile (YAML)')
    .addOption(new Option('--profile <preset>', 'start from a built-in preset (see `k8smon presets`)'))
    .addOption(new Option('--preset <preset>', 'same as --profile').hideHelp())
    .option('--set <path=value>', 'override one profile field, e.g. --set kubelet.access=proxy (repeatable)', collect, []);
}

export function addTargetOptions(cmd: Command): Command {
  return cmd.option('--context <name>', 'kubeconfig context to use').option('--kubeconfig <file>', 'kubeconfig file to use');
}

/** The flags of the commands that preview a render against a cluster (targets, check); read by previewSources. */
export function addPreviewOptions(cmd: Command): Command {
  return addTargetOptions(addProfileOptions(cmd))
    .option('--config <file.yaml>', 'instead of a profile: an agent config (grafana-agent static or Prometheus), or the manifests that deploy one (e.g. kubectl get ds,deploy,cm,clusterrole,clusterrolebinding -o yaml)')
    .option('--namespace <ns>', 'with --config: the namespace the agent runs in (what namespaces.own_namespace discovers; manifests without one go there, as with kubectl apply -n)')
    .option('--snapshot <cluster.json>', 'a snapshot from `k8smon snapshot` (else the cluster is read live)');
}

export function profileSources(flags: ProfileFlags): ProfileOptions {
  const preset = flags.profile ?? flags.preset;
  return { ...(flags.file !== undefined ? { file: flags.file } : {}), ...(preset !== undefined ? { preset } : {}), sets: flags.set };
}

export function kubectlTarget(flags: TargetFlags): KubectlTarget {
  return { ...(flags.context !== undefined ? { context: flags.context } : {}), ...(flags.kubeconfig !== undefined ? { kubeconfig: flags.kubeconfig } : {}) };
}

/** Profile (or agent config), snapshot (or live cluster) for targets and check. */
export function previewSources(flags: PreviewFlags): PreviewSources {
  return {
    ...profileSources(flags),
    target: kubectlTarget(flags),
    live: flags.snapshot === undefined,
    ...(flags.config !== undefined ? { config: flags.config } : {}),
    ...(flags.namespace !== undefined ? { namespace: flags.namespace } : {}),
    ...(flags.snapshot !== undefined ? { snapshot: flags.snapshot } : {}),
  };
}
