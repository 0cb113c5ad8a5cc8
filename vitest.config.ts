import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Many files spend most of their time waiting on real tools (Prometheus,
    // promtool, kubectl, agents under test) or on scrape intervals. Vitest's
    // default of one worker per core less one runs them one at a time on a
    // 2-core CI machine; three workers overlap the waits.
    maxWorkers: Math.max(3, availableParallelism()),
  },
});
