/** `k8smon schema`: the JSON Schema of a profile, for editors and CI linters. */
import { profileSchema } from '../../profile/schema.js';
import type { CommandContext } from './render.js';

export function schemaText(): string {
  return `${JSON.stringify(profileSchema, null, 2)}\n`;
}

export async function schemaCommand(ctx: CommandContext): Promise<void> {
  ctx.stdout.write(schemaText());
}
