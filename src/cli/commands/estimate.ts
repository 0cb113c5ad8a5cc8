/** `k8smon estimate`: the series and samples a render would send, from one sample payload per job, before anything is deployed. */
import { InvalidInputError } from '../../errors.js';
import type { CommandDefinition } from '../command.js';
import { addPreviewOptions, previewSources, type PreviewFlags, type PreviewSources } from '../options.js';

export interface EstimateOptions extends PreviewSources {
  /** A directory of `<job_name>.prom` payloads. */
  payloads?: string;
  /** Metric names listed per job. */
  top: number;
  /** table or json; checked by the command. */
  output: string;
}

interface EstimateFlags extends PreviewFlags {
  payloads?: string;
  top: string;
  output: string;
}

export function estimateOptions(flags: EstimateFlags): EstimateOptions {
  const top = Number(flags.top);
  if (!/^[0-9]+$/.test(flags.top) || !Number.isSafeInteger(top)) throw new InvalidInputError('Invalid flags.', [{ path: '--top', message: `must be a whole number (got "${flags.top}")` }]);
  return { ...previewSources(flags), top, output: flags.output, ...(flags.payloads !== undefined ? { payloads: flags.payloads } : {}) };
}

export const estimateCommand: CommandDefinition = {
  register: (program, run) =>
    addPreviewOptions(program.command('estimate').description('estimate the active series and samples per minute a render would send, per job, before and after its allow-lists'))
      .option('--payloads <dir>', 'sample payloads, one per job: <dir>/<job_name>.prom (a / in the name as _; Prometheus text format); with --context, jobs without one are scraped through the API server proxy')
      .option('--top <n>', 'metric names listed per job', '10')
      .option('-o, --output <format>', 'table or json', 'table')
      .addHelpText(
        'after',
        `
Each job is scraped once (one target stands for all of the job's targets) and the
result is projected over every target the preview finds in the cluster:
  active series  = series kept by the job's allow-list (+5 up/scrape_* series) × scrapes
  samples/minute = active series × 60 / the job's scrape_interval
A payload file stands for one target of its job, taken from wherever it was made;
a job without one (or whose targets the API server cannot proxy to) is listed as
not estimated.

Examples:
  $ k8smon estimate --profile eks --context prod
  $ k8smon estimate -f k8smon.yaml --context prod --payloads ./payloads --top 20
  $ k8smon estimate --profile kubeadm --snapshot cluster.json --payloads ./payloads
  $ kubectl get --raw /api/v1/nodes/node-1/proxy/metrics/cadvisor > payloads/kubelet-cadvisor.prom
  $ k8smon estimate --profile eks --snapshot cluster.json --payloads payloads -o json | jq .total`,
      )
      .action(async (flags: EstimateFlags) => {
        const { run: estimate } = await import('./estimate.run.js');
        await run((ctx) => estimate(estimateOptions(flags), ctx));
      }),
};
