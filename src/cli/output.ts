/**
 * Where k8smon talks to people: stderr, coloured only for a terminal and never
 * under NO_COLOR. stdout carries only the requested output (manifests, JSON).
 */
import { Chalk, type ChalkInstance } from 'chalk';
import type { InputProblem } from '../errors.js';

export type Verbosity = 'quiet' | 'normal' | 'verbose';

export interface Reporter {
  readonly color: ChalkInstance;
  warn(problem: InputProblem): void;
  notice(problem: InputProblem): void;
  info(message: string): void;
  /** A progress line for a long-running step; not shown under --quiet. */
  progress(message: string): void;
  error(message: string): void;
}

export interface ReporterOptions {
  verbosity?: Verbosity;
  stream?: NodeJS.WritableStream & { isTTY?: boolean };
  env?: NodeJS.ProcessEnv;
}

export function colorEnabled(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return true;
  return stream.isTTY === true && env.TERM !== 'dumb';
}

export function createReporter(options: ReporterOptions = {}): Reporter {
  const stream = options.stream ?? process.stderr;
  const env = options.env ?? process.env;
  const verbosity = options.verbosity ?? 'normal';
  const color = new Chalk({ level: colorEnabled(stream, env) ? 1 : 0 });
  const write = (line: string): void => {
    stream.write(`${line}\n`);
  };
  const where = (p: InputProblem): string => (p.path ? `${p.path}: ` : '');
  return {
    color,
    warn: (p) => {
      if (verbosity !== 'quiet') write(`${color.yellow('warning:')} ${where(p)}${p.message}`);
    },
    notice: (p) => {
      if (verbosity !== 'quiet') write(`${color.cyan('note:')} ${where(p)}${p.message}`);
    },
    info: (message) => {
      if (verbosity === 'verbose') write(color.dim(message));
    },
    progress: (message) => {
      if (verbosity !== 'quiet') write(message);
    },
    error: (message) => write(`${color.red('error:')} ${message}`),
  };
}
