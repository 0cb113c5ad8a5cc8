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
// Everything a command does is awaited inside main(). Leave as soon as what it
// wrote has reached stdout and stderr, rather than when Node.js has closed the
// file handles its module loader opened (~20 ms later, every run).
process.stdout.write('', () => process.stderr.write('', () => process.exit()));
