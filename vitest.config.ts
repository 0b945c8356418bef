import { defineConfig } from 'vitest/config';

const reportDir = process.env.FIREBREAK_REPORT_DIR;

// One run for every package's unit and integration tests (the browser suite is Playwright's, in e2e/).
export default defineConfig({
  test: {
    include: ['shared/src/**/*.test.ts', 'sync-server/src/**/*.test.ts', 'web/src/**/*.test.ts'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: reportDir ? ['default', 'json'] : ['default'],
    outputFile: reportDir ? { json: `${reportDir}/vitest.json` } : undefined
  }
});
