/** `k8smon schema`: print the JSON Schema of a profile. */
import type { CommandDefinition } from '../command.js';

/** schema takes no flags. */
export type SchemaOptions = Record<string, never>;

export const schemaCommand: CommandDefinition = {
  register: (program, run) =>
    program
      .command('schema')
      .description('print the JSON Schema of a profile (for editors: yaml-language-server $schema)')
      .addHelpText('after', '\nExamples:\n  $ k8smon schema > k8smon.schema.json')
      .action(async () => {
        const { run: schema } = await import('./schema.run.js');
        await run((ctx) => schema({}, ctx));
      }),
};
