/** `k8smon render`, the work: profile → manifests on stdout or in a directory. */
import { InvalidInputError } from '../../errors.js';
import { writeDirectory } from '../../output/directory.js';
import { renderBundle } from '../../pipeline.js';
import { toDirectoryFiles, toJsonList, toYamlStream } from '../../render/serialize.js';
import type { CommandContext } from '../context.js';
import { readPasswordStdin } from '../password-stdin.js';
import type { RenderOptions } from './render.js';

export const OUTPUT_FORMATS = ['yaml', 'json'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export function checkRenderOptions(options: Pick<RenderOptions, 'output' | 'outputDir'>): OutputFormat {
  const problems = [];
  if (!(OUTPUT_FORMATS as readonly string[]).includes(options.output)) {
    problems.push({ path: '--output', message: `must be one of: ${OUTPUT_FORMATS.join(', ')} (got "${options.output}")` });
  }
  if (options.outputDir !== undefined && options.output !== 'yaml') {
    problems.push({ path: '--output-dir', message: 'writes YAML files with a kustomization.yaml; drop -o json, or drop --output-dir to get a JSON List on stdout' });
  }
  if (problems.length > 0) throw new InvalidInputError('Invalid flags.', problems);
  return options.output as OutputFormat;
}

export async function run(options: RenderOptions, ctx: CommandContext): Promise<void> {
  const format = checkRenderOptions(options);
  const sources = {
    ...(options.file !== undefined ? { file: options.file } : {}),
    ...(options.preset !== undefined ? { preset: options.preset } : {}),
    sets: options.sets,
    ...(options.passwordStdin ? { stdinCredential: await readPasswordStdin(ctx) } : {}),
  };
  const bundle = renderBundle(sources, ctx.env);
  bundle.warnings.forEach((w) => ctx.reporter.warn(w));
  bundle.notices.forEach((n) => ctx.reporter.notice(n));

  if (options.outputDir !== undefined) {
    const files = toDirectoryFiles(bundle.objects, bundle.model.namespace);
    // Not Kubernetes objects, so not in kustomization.yaml: rule files for any ruler, dashboards for any Grafana.
    for (const [name, text] of bundle.files) files.set(name, text);
    writeDirectory(options.outputDir, files);
    ctx.reporter.info(`wrote ${files.size} files to ${options.outputDir}; apply with: kubectl apply -k ${options.outputDir}`);
    return;
  }
  ctx.stdout.write(format === 'json' ? toJsonList(bundle.objects) : toYamlStream(bundle.objects));
}
