/** --password-stdin: the password piped in, so it never sits in a flag (shell history). */
import { InvalidInputError } from '../errors.js';
import type { CommandContext } from './context.js';

/** The password piped to --password-stdin (one trailing newline removed); never from a terminal. */
export async function readPasswordStdin(ctx: CommandContext): Promise<string> {
  if (ctx.stdin.isTTY === true) {
    throw new InvalidInputError('Nothing piped to --password-stdin.', [{ path: '--password-stdin', message: 'pipe the password in, e.g. `pass show mimir | k8smon apply … --password-stdin`' }]);
  }
  const chunks: Buffer[] = [];
  for await (const chunk of ctx.stdin) chunks.push(Buffer.from(chunk as Buffer));
  const text = Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
  if (text === '') throw new InvalidInputError('Empty password.', [{ path: '--password-stdin', message: 'read nothing from stdin' }]);
  return text;
}
