#!/usr/bin/env node
// Thin shim: all behaviour, including the exit code, lives in main(); the
// build bundles it into dist/bundle/ (scripts/bundle.mjs).
import { main } from '../dist/bundle/main.js';

// `k8smon render | head`: the reader left; stop quietly, as shell tools do.
process.stdout.on('error', (err) => {
  if (err.code !== 'EPIPE') throw err;
  process.exit(0);
});

process.exitCode = await main(process.argv.slice(2));
