/** `k8smon agent`, the work: the standalone agent entry (src/runtime/agent/main.ts) with the CLI's flags and exit codes. */
import { readFileSync } from 'node:fs';
import { InvalidInputError } from '../../errors.js';
import { packagePath } from '../../package-root.js';
import { AgentUsageError, runAgentWith } from '../../runtime/agent/main.js';
import type { CommandContext } from '../context.js';
import type { Outcome } from '../command.js';
import type { AgentFlags } from './agent.js';

export async function run(flags: AgentFlags, ctx: CommandContext): Promise<Outcome> {
  const version = (JSON.parse(readFileSync(packagePath('package.json'), 'utf8')) as { version: string }).version;
  try {
    return await runAgentWith(
      {
        config: flags.config,
        walDir: flags.walDir,
        listenAddress: flags.listenAddress,
        logLevel: flags.logLevel,
        shutdownGrace: flags.shutdownGrace,
        ...(flags.snapshot !== undefined ? { snapshot: flags.snapshot } : {}),
        ...(flags.nodeName !== undefined ? { nodeName: flags.nodeName } : {}),
        ...(flags.namespace !== undefined ? { namespace: flags.namespace } : {}),
      },
      { env: ctx.env, version },
    );
  } catch (err) {
    if (err instanceof AgentUsageError) throw new InvalidInputError('The agent cannot start.', [{ path: err.field, message: err.message.slice(err.field.length + 2) }]);
    throw err;
  }
}
