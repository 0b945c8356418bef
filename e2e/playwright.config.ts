import { defineConfig } from '@playwright/test';

const reportDir = process.env.FIREBREAK_REPORT_DIR;

export const CHROMIUM_ARGS = [
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
  '--disable-gpu',
  '--no-sandbox'
];

export default defineConfig({
  testDir: './tests',
  // Each test starts its own server process with a fresh data folder, so files run side by side:
  // two workers on CI's two cores (the serial layout spec on one, everything else on the other).
  workers: process.env.CI ? 2 : 1,
  fullyParallel: false,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: reportDir ? [['list'], ['json', { outputFile: `${reportDir}/playwright.json` }]] : [['list']],
  use: {
    browserName: 'chromium',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: CHROMIUM_ARGS
    },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure'
  }
});
