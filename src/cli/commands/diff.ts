/** `k8smon diff`: what apply would change (kubectl diff) and prune; exit 1 when there are differences. */
import type { KubectlTarget } from '../../kube/kubectl.js';
import type { CommandDefinition } from '../command.js';
import { addProfileOptions, addTargetOptions, kubectlTarget, profileSources, TARGET_HELP, type ProfileFlags, type ProfileOptions, type TargetFlags } from '../options.js';

export interface DiffOptions extends ProfileOptions {
  target: KubectlTarget;
  /** Read the credential of remoteWrite[0] from stdin, as apply does. */
  passwordStdin: boolean;
}

type DiffFlags = ProfileFlags & TargetFlags & { passwordStdin?: boolean };

export function diffOptions(flags: DiffFlags): DiffOptions {
  return { ...profileSources(flags), target: kubectlTarget(flags), passwordStdin: flags.passwordStdin === true };
}

export const diffCommand: CommandDefinition = {
  register: (program, run) =>
    addTargetOptions(addProfileOptions(program.command('diff').description('show what apply would change (kubectl diff) and prune; exit 1 when there are differences')))
      .option('--password-stdin', 'read the credential of remoteWrite[0] (basic-auth password, bearer token or OAuth client secret) from stdin')
      .addHelpText('after', `
Examples:
  $ k8smon diff -f k8smon.yaml --context prod-eu-1
  $ k8smon diff -f k8smon.yaml --set components.blackboxExporter.enabled=false   # lists the objects apply would delete
${TARGET_HELP}`)
      .action(async (flags: DiffFlags) => {
        const { run: diff } = await import('./diff.run.js');
        await run((ctx) => diff(diffOptions(flags), ctx));
      }),
};
