/** What every command's work receives from main.ts: where to write, where to read, the environment. */
import type { Reporter } from './output.js';

export interface CommandContext {
  /** stderr, at the verbosity of --quiet/--verbose. */
  reporter: Reporter;
  stdout: NodeJS.WritableStream;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
}
