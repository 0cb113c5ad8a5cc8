/**
 * Errors a person can act on. Everything that k8smon expects to go wrong is one
 * of these; anything else reaching the CLI's top level is a bug in k8smon.
 * Only src/cli/main.ts turns them into exit codes.
 */

export const ExitCode = {
  ok: 0,
  /** Something failed while doing the job (I/O, a tool failed). */
  failure: 1,
  /** The input (profile, flags, preset name) is invalid: nothing was written. */
  invalidInput: 2,
  /** kubectl is not installed (or not on PATH). */
  kubectlMissing: 3,
  /** kubectl ran and failed. */
  kubectlFailed: 4,
  /** Interrupted (Ctrl-C). */
  interrupted: 130,
  /** A bug in k8smon itself. */
  internal: 70,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** One problem with the input, addressed by a dotted path such as `remoteWrite[0].url`. */
export interface InputProblem {
  path: string;
  message: string;
}

export class K8smonError extends Error {
  readonly exitCode: ExitCode;
  /** More of the story (a tool's own output), printed under --verbose only. */
  detail?: string;
  constructor(message: string, exitCode: ExitCode = ExitCode.failure) {
    super(message);
    this.name = 'K8smonError';
    this.exitCode = exitCode;
  }
}

/** The input is invalid. Carries every problem found, so the user can fix them all at once. */
export class InvalidInputError extends K8smonError {
  readonly problems: readonly InputProblem[];
  constructor(headline: string, problems: readonly InputProblem[]) {
    super(formatProblems(headline, problems), ExitCode.invalidInput);
    this.name = 'InvalidInputError';
    this.problems = problems;
  }
}

/** Problems listed one per line before the rest are counted. */
export const MAX_PROBLEMS_SHOWN = 20;

export function formatProblems(headline: string, problems: readonly InputProblem[]): string {
  if (problems.length === 0) return headline;
  // A screenful at most: past that, one line says how many more there are.
  const shown = problems.slice(0, MAX_PROBLEMS_SHOWN);
  const lines = shown.map((p) => `  ${p.path || '(profile)'}: ${p.message}`);
  if (problems.length > shown.length) lines.push(`  … and ${problems.length - shown.length} more problems (${problems.length} in all); fix these first`);
  return `${headline}\n${lines.join('\n')}`;
}
