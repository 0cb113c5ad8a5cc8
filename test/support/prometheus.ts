/**
 * A real Prometheus (Debian's 2.42) on loopback, as an oracle for relabeling
 * and target finalisation: targets come in through file_sd with __meta_ labels,
 * and /api/v1/targets says what Prometheus made of them.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { stringify } from 'yaml';
import { requireTool } from './tools.js';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

export interface OracleJob {
  job_name: string;
  relabel_configs: unknown[];
  scheme?: string;
  metrics_path?: string;
  params?: Record<string, string[]>;
  targets: Record<string, string>[];
}

export interface PromTargets {
  activeTargets: { discoveredLabels: Record<string, string>; labels: Record<string, string>; scrapePool: string; scrapeUrl: string }[];
  droppedTargets: { discoveredLabels: Record<string, string> }[];
}

export class PrometheusOracle {
  private constructor(
    private readonly child: ResultPromise,
    readonly url: string,
  ) {}

  static async start(jobs: readonly OracleJob[], extraArgs: string[] = []): Promise<PrometheusOracle> {
    const bin = requireTool('prometheus', 'apt-get install prometheus');
    const dir = mkdtempSync(join(tmpdir(), 'k8smon-prom-'));
    const scrapeConfigs = jobs.map((j) => {
      const file = join(dir, `${j.job_name}.json`);
      writeFileSync(file, JSON.stringify(j.targets.map((t) => ({ targets: [t.__address__ ?? ''], labels: Object.fromEntries(Object.entries(t).filter(([k]) => k !== '__address__')) }))));
      const { targets: _t, ...rest } = j;
      return { ...rest, file_sd_configs: [{ files: [file] }] };
    });
    const config = { global: { scrape_interval: '1h', scrape_timeout: '10s' }, scrape_configs: scrapeConfigs };
    writeFileSync(join(dir, 'prometheus.yml'), stringify(config));
    const port = await freePort();
    const child = execa(bin, [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, ...extraArgs], { reject: false, stdout: 'ignore', stderr: 'pipe' });
    const oracle = new PrometheusOracle(child, `http://127.0.0.1:${port}`);
    await oracle.waitReady();
    return oracle;
  }

  private async waitReady(): Promise<void> {
    for (let i = 0; i < 150; i++) {
      try {
        const r = await fetch(`${this.url}/-/ready`);
        if (r.ok) return;
      } catch {
        // not up yet
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    this.child.kill();
    throw new Error(`Prometheus did not become ready: ${String((await this.child).stderr).slice(-2000)}`);
  }

  /** /api/v1/targets once every job has its targets (discovery applies them asynchronously). */
  async targets(expectedTotal: number): Promise<PromTargets> {
    for (let i = 0; i < 200; i++) {
      const body = (await (await fetch(`${this.url}/api/v1/targets?state=any`)).json()) as { data: PromTargets };
      if (body.data.activeTargets.length + body.data.droppedTargets.length >= expectedTotal) return body.data;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('Prometheus did not report every target in time');
  }

  async stop(): Promise<void> {
    this.child.kill('SIGTERM');
    await this.child;
  }
}
