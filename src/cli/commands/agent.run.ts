/** `k8smon agent`, the work: the standalone agent entry (src/runtime/agent/main.ts) with the CLI's exit codes. */
import { readFileSync } from 'node:fs';
import { InvalidInputError } from '../../errors.js';
import { packagePath } from '../../package-root.js';
import { AgentUsageError, runAgentWith, type AgentRunOptions } from '../../runtime/agent/main.js';
import type { Outcome } from '../command.js';
import type { CommandContext } from '../context.js';

export async function run(options: AgentRunOptions, ctx: CommandContext): Promise<Outcome> {
  const version = (JSON.parse(readFileSync(packagePath('package.json'), 'utf8')) as { version: string }).version;
  try {
    return await runAgentWith(options, { env: ctx.env, version });
  } catch (err) {
    if (err instanceof AgentUsageError) throw new InvalidInputError('The agent cannot start.', [{ path: err.field, message: err.message.slice(err.field.length + 2) }]);
    throw err;
  }
}
