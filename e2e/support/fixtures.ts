/**
 * Playwright fixtures for the journeys.
 *
 * - `stack`: a fresh sandbox + server per test (options via `test.use({ stackOptions })`).
 * - `newBrowser()`: a new Chromium with a fresh profile directory (launchPersistentContext),
 *   closed and removed after the test. `page` is the first such browser's page.
 *
 * Debian's Chromium is driven through `executablePath`; Playwright's bundled browsers are not used.
 */
import { test as base, chromium, expect, type BrowserContext, type Page } from '@playwright/test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startStack, type Stack, type StackOptions } from './stack.ts';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export interface Fixtures {
  stackOptions: StackOptions;
  stack: Stack;
  /** A new browser with a fresh profile; every call gives a separate user agent "person". */
  newBrowser: () => Promise<{ context: BrowserContext; page: Page }>;
  page: Page;
}

export const test = base.extend<Fixtures>({
  stackOptions: [{}, { option: true }],
  stack: async ({ stackOptions }, use) => {
    const stack = await startStack(stackOptions);
    try {
      await use(stack);
    } finally {
      await stack.close();
    }
  },
  newBrowser: async ({ acceptDownloads, viewport, locale, timezoneId }, use) => {
    const opened: { context: BrowserContext; dir: string }[] = [];
    await use(async () => {
      const dir = mkdtempSync(join(tmpdir(), 'scim-console-e2e-profile-'));
      const context = await chromium.launchPersistentContext(dir, {
        executablePath: '/usr/bin/chromium',
        headless: true,
        args: CHROMIUM_ARGS,
        acceptDownloads: acceptDownloads ?? true,
        viewport: viewport ?? { width: 1280, height: 900 },
        locale: locale ?? 'en-GB',
        timezoneId: timezoneId ?? 'UTC',
        reducedMotion: 'reduce',
        colorScheme: 'light',
      });
      opened.push({ context, dir });
      const page = context.pages()[0] ?? (await context.newPage());
      return { context, page };
    });
    for (const { context, dir } of opened) {
      await context.close().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    }
  },
  page: async ({ newBrowser }, use) => {
    const { page } = await newBrowser();
    await use(page);
  },
});

export { expect };
