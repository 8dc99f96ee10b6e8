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

/**
 * Console errors a journey may cause on purpose. Chromium logs every HTTP error answer as
 * "Failed to load resource"; 4xx answers are the app's normal refusals (wrong token, 403 for
 * a role), so they are allowed everywhere. Anything else (uncaught exceptions, CSP
 * violations, 5xx, CORS failures) fails the journey unless the journey lists it.
 */
export const ALLOWED_CONSOLE_ERRORS = [
  /^Failed to load resource: the server responded with a status of 4\d\d/,
];

export interface Fixtures {
  stackOptions: StackOptions;
  /**
   * Console errors this journey provokes on purpose (e.g. injected 5xx, CORS refusals), as one
   * pattern: Playwright would read an array given to `test.use` as [value, options].
   */
  expectedConsoleErrors: RegExp | null;
  stack: Stack;
  /** A new browser with a fresh profile; every call gives a separate user agent "person". */
  newBrowser: () => Promise<{ context: BrowserContext; page: Page }>;
  page: Page;
}

export const test = base.extend<Fixtures>({
  stackOptions: [{}, { option: true }],
  expectedConsoleErrors: [null, { option: true }],
  stack: async ({ stackOptions }, use) => {
    const stack = await startStack(stackOptions);
    try {
      await use(stack);
    } finally {
      await stack.close();
    }
  },
  // Depends on `stack` so that browsers close before the stack stops: a page still polling a
  // server that is gone would log connection errors that belong to no journey.
  newBrowser: async (
    { stack: _stack, acceptDownloads, viewport, locale, timezoneId, expectedConsoleErrors },
    use,
  ) => {
    const opened: { context: BrowserContext; dir: string }[] = [];
    const consoleErrors: string[] = [];
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
      context.on('console', (message) => {
        if (message.type() === 'error') consoleErrors.push(message.text());
      });
      context.on('weberror', (error) => consoleErrors.push(`uncaught: ${error.error().message}`));
      const page = context.pages()[0] ?? (await context.newPage());
      return { context, page };
    });
    for (const { context, dir } of opened) {
      await context.close().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    }
    const allowed = [
      ...ALLOWED_CONSOLE_ERRORS,
      ...(expectedConsoleErrors ? [expectedConsoleErrors] : []),
    ];
    expect(
      consoleErrors.filter((text) => !allowed.some((pattern) => pattern.test(text))),
      'console errors in the browser',
    ).toEqual([]);
  },
  page: async ({ newBrowser }, use) => {
    const { page } = await newBrowser();
    await use(page);
  },
});

export { expect };
