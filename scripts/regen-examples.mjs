#!/usr/bin/env node
// Regenerates schema/k8smon.schema.json and examples/rendered/: one directory per case, as `k8smon render --output-dir`
// writes it. Run `npm run regen` after a change that alters output; the suite
// fails while examples/rendered/ is stale (test/golden.test.ts).
import { mkdirSync, rmSync, writeFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { exampleCases, renderedDir } from './example-cases.mjs';
import { renderBundle, toDirectoryFiles, profileSchema, runbooksMarkdown } from '../dist/index.js';
import { syntheticCluster } from '../dist/runtime/index.js';
import { EXAMPLE_CLUSTER, exampleClusterFile } from './example-cases.mjs';

const root = renderedDir;
rmSync(root, { recursive: true, force: true });
for (const c of exampleCases()) {
  const bundle = renderBundle(c.sources, c.env);
  const dir = join(root, c.name);
  mkdirSync(dir, { recursive: true });
  for (const [file, content] of toDirectoryFiles(bundle.objects, bundle.model.namespace)) writeFileSync(join(dir, file), content);
}
console.log(`wrote ${readdirSync(root).length} examples to examples/rendered/`);

const schemaFile = new URL('../schema/k8smon.schema.json', import.meta.url).pathname;
mkdirSync(new URL('../schema/', import.meta.url).pathname, { recursive: true });
writeFileSync(schemaFile, `${JSON.stringify(profileSchema, null, 2)}\n`);
console.log('wrote schema/k8smon.schema.json');

// A small cluster snapshot, so that targets and check can be tried without a cluster (README).
writeFileSync(exampleClusterFile, `${JSON.stringify(syntheticCluster(EXAMPLE_CLUSTER))}\n`);
console.log('wrote examples/cluster.json');

// The runbooks every alert's runbook_url points at (one #anchor per alert).
mkdirSync(new URL('../docs/', import.meta.url).pathname, { recursive: true });
writeFileSync(new URL('../docs/runbooks.md', import.meta.url).pathname, runbooksMarkdown());
console.log('wrote docs/runbooks.md');
