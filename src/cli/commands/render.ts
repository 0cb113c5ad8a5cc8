/** `k8smon render`: profile → manifests on stdout or in a directory. */
import type { CommandDefinition } from '../command.js';
import { addProfileOptions, profileSources, type ProfileFlags, type ProfileOptions } from '../options.js';

export interface RenderOptions extends ProfileOptions {
  /** yaml or json; checked by the command. */
  output: string;
  outputDir?: string;
  /** Read the password of remoteWrite[0].basicAuth from stdin. */
  passwordStdin: boolean;
}

interface RenderFlags extends ProfileFlags {
  output: string;
  outputDir?: string;
  passwordStdin?: boolean;
}

const EXAMPLES = `
Examples:
  $ k8smon render --profile eks > monitoring.yaml
  $ k8smon render -f my-cluster.yaml --set cluster.name=prod-1 -o json
  $ k8smon render --profile kubeadm --output-dir deploy/ && kubectl apply -k deploy/
  $ RW_PASSWORD=… k8smon render -f prod.yaml | kubectl apply -f -

Precedence (lowest first): built-in defaults < preset < profile file < --set.
With no remoteWrite destination, an in-cluster Prometheus receives the samples.`;

export function renderOptions(flags: RenderFlags): RenderOptions {
  return {
    ...profileSources(flags),
    output: flags.output,
    ...(flags.outputDir !== undefined ? { outputDir: flags.outputDir } : {}),
    passwordStdin: flags.passwordStdin === true,
  };
}

export const renderCommand: CommandDefinition = {
  register: (program, run) =>
    addProfileOptions(program.command('render').description('render the manifests for a cluster profile'))
      .option('-o, --output <format>', 'yaml (multi-document) or json (a v1 List)', 'yaml')
      .option('--output-dir <dir>', 'write one file per object plus kustomization.yaml into <dir>')
      .option('--password-stdin', 'read the credential of remoteWrite[0] (basic-auth password, bearer token or OAuth client secret) from stdin')
      .addHelpText('after', EXAMPLES)
      .action(async (flags: RenderFlags) => {
        const { run: render } = await import('./render.run.js');
        await run((ctx) => render(renderOptions(flags), ctx));
      }),
};
