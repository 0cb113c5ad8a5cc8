/** What every component builder receives, and what it returns. */
import type { Profile } from '../../profile/types.js';
import type { InputProblem } from '../../errors.js';
import type { Model, ScrapeJob, WorkloadModel } from '../types.js';

export interface ComponentContext {
  profile: Profile;
  namespace: string;
  images: Model['images'];
}

export interface ComponentParts {
  jobs: ScrapeJob[];
  workloads?: WorkloadModel[];
  notices?: InputProblem[];
}

/** Labels every k8smon object carries; the first two also select its pods. */
export function selectorLabels(name: string): Record<string, string> {
  return { 'app.kubernetes.io/name': name, 'app.kubernetes.io/part-of': 'k8smon' };
}

/** In-cluster DNS name of a Service of the render. */
export function serviceAddress(ctx: ComponentContext, service: string, port: number): string {
  return `${service}.${ctx.namespace}.svc:${port}`;
}
