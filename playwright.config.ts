/**
 * Browser journeys (e2e/*.spec.ts): Playwright driving Debian's Chromium against a fresh
 * stack per test (see e2e/support). `npm test` runs them after Vitest with
 * PLAYWRIGHT_JSON_OUTPUT_NAME set; `npm run test:e2e` runs them alone.
 */
import { defineConfig } from '@playwright/test';

export default defineConfig({
  testDir: 'e2e',
  testMatch: '*.spec.ts',
  globalSetup: './e2e/support/global-setup.ts',
  // 2 cores: one journey at a time keeps timings honest (token TTLs, Retry-After).
  workers: 1,
  fullyParallel: false,
  retries: 0,
  timeout: 120_000,
  expect: { timeout: 10_000 },
  forbidOnly: Boolean(process.env.CI),
  reporter: [
    ['list'],
    [
      'json',
      { outputFile: process.env.PLAYWRIGHT_JSON_OUTPUT_NAME ?? '.test-results/playwright.json' },
    ],
  ],
  outputDir: '.test-results/playwright',
  use: {
    actionTimeout: 15_000,
    navigationTimeout: 20_000,
  },
});
