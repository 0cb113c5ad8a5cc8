/** `k8smon check`, the work: preview, run the consistency rules, exit 1 when one finds an error. */
import { ExitCode, K8smonError } from '../../errors.js';
import { writePrettyJson } from '../../output/report.js';
import { previewCluster, scrapeCount } from '../../runtime/preview/preview.js';
import type { CommandContext } from '../context.js';
import { checkOutputFormat, reportProblems } from '../preview/format.js';
import { allProblems, load } from '../preview/inputs.js';
import type { CheckOptions } from './check.js';

export async function run(options: CheckOptions, ctx: CommandContext): Promise<number> {
  checkOutputFormat(options.output);
  const loaded = await load(options, ctx);
  const preview = previewCluster(loaded.agents, loaded.snapshot, { discoveredLabels: false });
  const problems = allProblems(loaded, preview);
  const errors = problems.filter((p) => p.severity === 'error').length;
  const scrapes = scrapeCount(preview.targets);
  if (options.output === 'json') {
    await writePrettyJson(ctx.stdout, { targets: preview.targets.length, scrapes, errors, warnings: problems.length - errors, problems });
  } else {
    reportProblems(problems, ctx);
    ctx.stdout.write(`${preview.targets.length} targets${scrapes !== preview.targets.length ? ` (${scrapes} scrapes)` : ''}, ${errors} errors, ${problems.length - errors} warnings\n`);
  }
  if (errors > 0) throw new K8smonError(`${errors} problem(s) would break this deployment on this cluster`, ExitCode.failure);
  return ExitCode.ok;
}
