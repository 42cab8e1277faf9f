import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Builds dist/ first (trial processes run it) and fails the run if a test leaves a file behind.
    globalSetup: ['test/global-setup.ts'],
    // Python run by tests (external plugins) keeps its bytecode cache outside the repository.
    env: { PYTHONPYCACHEPREFIX: join(tmpdir(), 'trackbench-pycache') },
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Tests that start servers or child processes share 2 cores; keep the pool small.
    maxWorkers: 2,
  },
});
