/** `k8smon targets`, the work: the embedded runtime applied to a render (or an agent config) and a cluster. */
import { InvalidInputError } from '../../errors.js';
import { writePrettyJson } from '../../output/report.js';
import { jobNames, resourcesRead } from '../../runtime/plan/plan.js';
import { previewCluster } from '../../runtime/preview/preview.js';
import { didYouMean } from '../../util/text.js';
import type { CommandContext } from '../context.js';
import { explainedTargets, explainMatcher } from '../preview/explain.js';
import { checkOutputFormat, explainText, reportProblems, targetRows, writeTargetsTable } from '../preview/format.js';
import { allProblems, loadAgents, loadSnapshot, nodeNamed, type Loaded } from '../preview/inputs.js';
import type { TargetsOptions } from './targets.js';

export async function run(options: TargetsOptions, ctx: CommandContext): Promise<void> {
  checkOutputFormat(options.output);
  const { objects, agents } = loadAgents(options, ctx);
  // A typo in --job or --node is reported before a large snapshot is read, not after a whole preview.
  if (options.job !== undefined) {
    const jobs = jobNames(agents);
    if (!jobs.includes(options.job)) throw new InvalidInputError('Unknown job.', [{ path: '--job', message: `no job "${options.job}"${didYouMean(options.job, jobs)}; jobs: ${jobs.join(', ')}` }]);
  }
  // Read live, a large cluster's pods take minutes to list: only what the jobs shown discover is read.
  const loaded: Loaded = { objects, agents, snapshot: await loadSnapshot(options, ctx, resourcesRead(agents, options.job)) };
  const node = options.node === undefined ? undefined : nodeNamed(options.node, loaded.snapshot, ctx);
  const preview = previewCluster(loaded.agents, loaded.snapshot, {
    ...(node !== undefined ? { node } : {}),
    ...(options.job !== undefined ? { job: options.job } : {}),
    keepSteps: options.explain !== undefined,
    ...(options.explain !== undefined ? { stepsOf: explainMatcher(options.explain) } : {}),
    // Only -o json and --explain show them: a table of 60,000 targets need not hold them.
    discoveredLabels: options.output === 'json' || options.explain !== undefined,
  });
  const problems = options.node === undefined ? allProblems(loaded, preview) : preview.problems;
  const jobFilter = (job: string): boolean => options.job === undefined || job === options.job;
  if (options.explain !== undefined) {
    const explained = explainedTargets(options.explain, preview, options.job, loaded.snapshot);
    if (options.output === 'json') await writePrettyJson(ctx.stdout, { explained, problems });
    else ctx.stdout.write(explainText(explained));
    return;
  }
  const targets = preview.targets.filter((t) => jobFilter(t.job));
  const dropped = Object.fromEntries(Object.entries(preview.droppedCounts).filter(([job]) => jobFilter(job)));
  if (options.output === 'json') {
    await writePrettyJson(ctx.stdout, { targets: targetRows(targets), dropped, problems });
    return;
  }
  await writeTargetsTable(ctx.stdout, preview.jobs.filter(jobFilter), targets, dropped, ctx.reporter.color.bold);
  reportProblems(problems, ctx);
}
