/**
 * `apply --wait`: waits for every DaemonSet, Deployment and StatefulSet of a render to roll
 * out, shows progress as each finishes, and for those that do not, says which
 * pods are not ready and why.
 */
import type { KubernetesObject } from '../render/templates.js';
import { redact, runKubectl, type KubectlTarget } from './kubectl.js';

/** Where the wait reports: a line per workload as it finishes, and why one is not ready. The CLI's reporter is one. */
export interface RolloutReporter {
  progress(message: string): void;
  error(message: string): void;
  /** Marks "ready" and "not ready" (colours on a terminal, or plain text). */
  readonly color: { green(text: string): string; red(text: string): string };
}

export interface RolloutOptions {
  target: KubectlTarget;
  timeout: string;
  reporter: RolloutReporter;
  secrets: readonly string[];
}

export async function waitForRollout(objects: readonly KubernetesObject[], options: RolloutOptions): Promise<boolean> {
  const workloads = objects.filter((o) => o.kind === 'DaemonSet' || o.kind === 'Deployment' || o.kind === 'StatefulSet');
  const { reporter } = options;
  let done = 0;
  reporter.progress(`waiting for ${workloads.length} workloads to roll out (timeout ${options.timeout})`);
  const results = await Promise.all(
    workloads.map(async (w) => {
      const ref = `${w.kind.toLowerCase()}/${w.metadata.name}`;
      const r = await runKubectl(['rollout', 'status', ref, `--namespace=${w.metadata.namespace ?? ''}`, `--timeout=${options.timeout}`], { target: options.target });
      done++;
      const mark = r.exitCode === 0 ? reporter.color.green('ready') : reporter.color.red('not ready');
      reporter.progress(`[${done}/${workloads.length}] ${ref}: ${mark}`);
      return { w, ref, ok: r.exitCode === 0 };
    }),
  );
  const failed = results.filter((r) => !r.ok);
  for (const f of failed) {
    const why = await notReadyReasons(f.w, options);
    reporter.error(`${f.ref} is not ready:${why.length > 0 ? `\n${why.map((l) => `  ${l}`).join('\n')}` : ' no pod information'}`);
  }
  return failed.length === 0;
}

interface PodStatusJson {
  items: {
    metadata: { name: string };
    spec?: { nodeName?: string };
    status?: {
      phase?: string;
      conditions?: { type: string; status: string; reason?: string; message?: string }[];
      containerStatuses?: { name: string; ready: boolean; state?: Record<string, { reason?: string; message?: string } | undefined> }[];
    };
  }[];
}

/** One line per pod that is not ready, with the kubelet's or scheduler's reason. */
export async function notReadyReasons(workload: KubernetesObject, options: RolloutOptions): Promise<string[]> {
  const selector = Object.entries((workload.spec as { selector: { matchLabels: Record<string, string> } }).selector.matchLabels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  const r = await runKubectl(['get', 'pods', `--namespace=${workload.metadata.namespace ?? ''}`, `--selector=${selector}`, '-o', 'json'], { target: options.target });
  if (r.exitCode !== 0) return [redact(r.stderr.trim(), options.secrets)];
  let pods: PodStatusJson;
  try {
    pods = JSON.parse(r.stdout) as PodStatusJson;
  } catch {
    return [];
  }
  return pods.items.flatMap((pod) => describeNotReady(pod)).map((l) => redact(l, options.secrets));
}

export function describeNotReady(pod: PodStatusJson['items'][number]): string[] {
  const status = pod.status ?? {};
  const unscheduled = status.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'False');
  if (unscheduled) return [`${pod.metadata.name}: not scheduled (${unscheduled.reason ?? 'unknown'}): ${unscheduled.message ?? ''}`.trim()];
  const lines: string[] = [];
  for (const c of status.containerStatuses ?? []) {
    if (c.ready) continue;
    const [state, detail] = Object.entries(c.state ?? {}).find(([, v]) => v !== undefined) ?? ['unknown', undefined];
    const reason = detail?.reason ?? state;
    lines.push(`${pod.metadata.name}/${c.name}: ${reason}${detail?.message ? `: ${detail.message}` : ''}${hint(reason)}`);
  }
  if (lines.length === 0 && status.phase !== 'Running') lines.push(`${pod.metadata.name}: ${status.phase ?? 'unknown phase'}`);
  return lines;
}

function hint(reason: string): string {
  if (reason === 'ImagePullBackOff' || reason === 'ErrImagePull') return ' (is the registry reachable? see imageRegistry in the profile)';
  if (reason === 'CreateContainerConfigError') return ' (a Secret or ConfigMap it needs is missing?)';
  return '';
}
