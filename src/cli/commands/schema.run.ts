/** `k8smon schema`, the work: the JSON Schema of a profile, for editors and CI linters. */
import { profileSchema } from '../../profile/schema.js';
import type { CommandContext } from '../context.js';
import type { SchemaOptions } from './schema.js';

export function schemaText(): string {
  return `${JSON.stringify(profileSchema, null, 2)}\n`;
}

export async function run(_options: SchemaOptions, ctx: CommandContext): Promise<void> {
  ctx.stdout.write(schemaText());
}
