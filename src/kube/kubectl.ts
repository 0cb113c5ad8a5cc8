/**
 * Running kubectl: the only place k8smon talks to a cluster. Every line of
 * kubectl output that k8smon passes on goes through `redact` first, so a
 * credential that kubectl echoes (a diff of the Secret, an error quoting an
 * object) is never printed.
 */
import { ExitCode, K8smonError } from '../errors.js';

export interface KubectlTarget {
  context?: string;
  kubeconfig?: string;
}

export interface KubectlResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export const KUBECTL_INSTALL_HINT =
  'install kubectl (https://kubernetes.io/docs/tasks/tools/; on Debian or Ubuntu: apt-get install kubernetes-client) and make sure it is on PATH';

export class KubectlMissingError extends K8smonError {
  constructor() {
    super(`kubectl was not found; ${KUBECTL_INSTALL_HINT}`, ExitCode.kubectlMissing);
    this.name = 'KubectlMissingError';
  }
}

export class KubectlFailedError extends K8smonError {
  constructor(what: string, result: KubectlResult, secrets: readonly string[], target: KubectlTarget = {}) {
    // kubectl can repeat one error many times (client-go retries): the last lines say enough.
    const lines = redact(result.stderr.trim() || result.stdout.trim(), secrets).split('\n');
    const detail = lines.length > 8 ? [`… (${lines.length - 8} earlier lines)`, ...lines.slice(-8)].join('\n') : lines.join('\n');
    const noCluster = noClusterReason(result.stderr, target);
    if (noCluster !== undefined) {
      // One line that says what to do; kubectl's own text (dial errors, klog lines) under --verbose.
      super(`kubectl ${what.split(' ')[0]}: ${noCluster}`, ExitCode.kubectlFailed);
      this.detail = `kubectl said (exit ${result.exitCode}):\n${detail}`;
    } else {
      super(`kubectl ${what} failed (exit ${result.exitCode})${detail ? `:\n${detail}` : ''}`, ExitCode.kubectlFailed);
    }
    this.name = 'KubectlFailedError';
  }
}

/** kubectl saying its context does not exist: asking again cannot help. */
export const MISSING_CONTEXT = /context "([^"]*)" does not exist/;

/**
 * Why kubectl could not reach any cluster, in one line with the fix, when
 * its error says so: no context, a context that does not exist, an API
 * server that does not answer. Undefined for any other failure.
 */
export function noClusterReason(stderr: string, target: KubectlTarget): string | undefined {
  const missing = MISSING_CONTEXT.exec(stderr);
  if (missing !== null) return `kubectl has no context "${missing[1]}"; pass one of \`kubectl config get-contexts\` to --context`;
  const unconfigured = /no configuration has been provided|(localhost|127\.0\.0\.1):8080\b.*(refused|dial tcp)|dial tcp \S*(localhost|127\.0\.0\.1):8080/.test(stderr);
  if (unconfigured && target.context === undefined) return 'kubectl has no current context; pass --context (see `kubectl config get-contexts`) or --kubeconfig';
  if (/Unable to connect to the server|dial tcp|connection refused|no such host|i\/o timeout|TLS handshake timeout/.test(stderr)) {
    const which = target.context !== undefined ? `of context "${target.context}"` : 'of the current context';
    return `cannot reach the API server ${which}; check the cluster is up and reachable (kubectl cluster-info), or pass another --context`;
  }
  return undefined;
}

/** Global flags that point kubectl at the cluster the user chose. */
export function targetFlags(target: KubectlTarget): string[] {
  const flags: string[] = [];
  if (target.kubeconfig !== undefined) flags.push(`--kubeconfig=${target.kubeconfig}`);
  if (target.context !== undefined) flags.push(`--context=${target.context}`);
  return flags;
}

export async function runKubectl(
  args: readonly string[],
  options: { target: KubectlTarget; input?: string; env?: NodeJS.ProcessEnv; /** Bytes of stdout kept (execa's default: 100 MB). */ maxBuffer?: number },
): Promise<KubectlResult> {
  // Loaded on first use: execa takes ~0.2 s to import, which commands that never run kubectl should not pay.
  const { execa } = await import('execa');
  try {
    const result = await execa('kubectl', [...targetFlags(options.target), ...args], {
      input: options.input ?? '',
      reject: false,
      env: options.env,
      extendEnv: true,
      stripFinalNewline: false,
      ...(options.maxBuffer !== undefined ? { maxBuffer: options.maxBuffer } : {}),
    });
    if ((result as { code?: string }).code === 'ENOENT' || (result.failed && result.exitCode === undefined && /ENOENT/.test(String(result.message)))) {
      throw new KubectlMissingError();
    }
    return { stdout: String(result.stdout ?? ''), stderr: String(result.stderr ?? ''), exitCode: result.exitCode ?? 1 };
  } catch (err) {
    if (err instanceof K8smonError) throw err;
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new KubectlMissingError();
    throw err;
  }
}

/** Replaces every secret value, and its base64 form, with <redacted>. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  const forms = secrets
    .filter((s) => s.length >= 4)
    .flatMap((s) => [s, Buffer.from(s, 'utf8').toString('base64')])
    .sort((a, b) => b.length - a.length);
  for (const form of forms) out = out.split(form).join('<redacted>');
  return out;
}
