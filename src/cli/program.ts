/** The commander program: global flags and help, then every command's definition. */
import { packagePath } from '../package-root.js';
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import type { Runner } from './command.js';
import { COMMANDS } from './commands/index.js';

export function buildProgram(run: Runner): Command {
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
  for (const command of COMMANDS) command.register(program, run);
  return program;
}

function packageVersion(): string {
  const pkg: unknown = JSON.parse(readFileSync(packagePath('package.json'), 'utf8'));
  return (pkg as { version: string }).version;
}
