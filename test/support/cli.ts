/** Runs the built CLI (dist/, via bin/k8smon.js) as a user would. */
import { execa } from 'execa';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../bin/k8smon.js', import.meta.url));

export interface CliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export async function runCli(args: string[], options: { cwd?: string; env?: Record<string, string>; input?: string } = {}): Promise<CliResult> {
  const result = await execa(process.execPath, [BIN, ...args], {
    cwd: options.cwd,
    env: { NO_COLOR: '1', ...options.env },
    extendEnv: true,
    reject: false,
    input: options.input ?? '',
    stripFinalNewline: false,
  });
  return { exitCode: result.exitCode ?? -1, stdout: String(result.stdout), stderr: String(result.stderr) };
}
