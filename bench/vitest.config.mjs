/**
 * Runs the benchmark's own smoke tests (bench/*.test.ts) without touching the repository's
 * vitest.config.ts, whose `unit` project does not include bench/:
 *   npx vitest run --config bench/vitest.config.mjs
 */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: new URL('..', import.meta.url).pathname,
    include: ['bench/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
  },
});
