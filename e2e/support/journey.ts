/// <reference lib="dom" />
/**
 * Steps shared by the journeys, written the way a user acts: by role and label.
 */
import AxeBuilder from '@axe-core/playwright';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, type Page } from '@playwright/test';
import { PASSWORD, ROOT } from './stack.ts';

export const SCREENSHOTS = join(ROOT, 'e2e/screenshots');

export async function signIn(page: Page, origin: string, username: string): Promise<void> {
  await page.goto(`${origin}/login`);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible();
}

export function mainNav(page: Page) {
  return page.getByRole('navigation', { name: 'Main' });
}

/** Tokens page → "Connect with OAuth" → the sandbox's own sign-in and consent pages → back. */
export async function connectOAuth(
  page: Page,
  username: string,
  connection = 'Sandbox (OAuth)',
): Promise<void> {
  await mainNav(page).getByRole('link', { name: 'Tokens' }).click();
  const card = page.getByRole('region', { name: connection });
  await card.getByRole('link', { name: /Connect with OAuth|Reconnect with OAuth/ }).click();
  // The sandbox's login page (another origin).
  await page.getByLabel('User name').fill(username);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Allow' }).click();
  await page.waitForURL(/\/tokens\?tokenLinked=/);
  await expect(
    page.getByRole('region', { name: connection }).getByTestId('token-state'),
  ).toHaveText(/^(Valid|Expiring)/i);
}

/** The Query page, with the given connection chosen and its options loaded. */
export async function openQuery(page: Page, connection = 'Sandbox (OAuth)'): Promise<void> {
  await mainNav(page).getByRole('link', { name: 'Query', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Query', level: 1 })).toBeVisible();
  const picker = page.getByLabel('Connection');
  const value = await picker
    .locator('option', { hasText: connection })
    .first()
    .getAttribute('value');
  await picker.selectOption(value!);
  await expect(page.getByLabel('Resource type')).toBeEnabled();
}

export function results(page: Page) {
  return page.getByRole('region', { name: 'Results' });
}

export async function runQuery(page: Page): Promise<void> {
  await page.getByRole('button', { name: /^Run/ }).click();
}

/** Waits until no spinner or "Waiting…" indicator is left on the page. */
export async function expectNothingLoading(page: Page): Promise<void> {
  await expect(page.getByText(/Preparing the request…|Waiting for the provider…/)).toHaveCount(0);
  await expect(page.locator('.spinner-border, .spinner-grow')).toHaveCount(0);
  await expect(page.getByRole('button', { name: /^Run/ })).toBeEnabled();
}

/**
 * Records every access token the page receives from the console API, so storage checks
 * can look for the exact values as well as for anything token-shaped.
 */
export function captureTokens(page: Page): string[] {
  const tokens: string[] = [];
  page.on('response', async (res) => {
    const url = new URL(res.url());
    if (!/^\/api\/token(\/refresh)?$/.test(url.pathname) || res.status() !== 200) return;
    try {
      const body = (await res.json()) as { accessToken?: string };
      if (body.accessToken) tokens.push(body.accessToken);
    } catch {
      // not JSON (a redirect page); nothing to record
    }
  });
  return tokens;
}

/** Everything script can read from browser storage on this page's origin. */
export async function readableStorage(page: Page): Promise<string> {
  return page.evaluate(async () => {
    const dump: Record<string, unknown> = {
      cookie: document.cookie,
      local: Object.fromEntries(Object.entries(localStorage)),
      session: Object.fromEntries(Object.entries(sessionStorage)),
    };
    const idb: Record<string, unknown> = {};
    for (const info of await indexedDB.databases()) {
      if (!info.name) continue;
      const db = await new Promise<IDBDatabase>((ok, ko) => {
        const req = indexedDB.open(info.name!);
        req.onsuccess = () => ok(req.result);
        req.onerror = () => ko(req.error);
      });
      for (const store of Array.from(db.objectStoreNames)) {
        idb[`${info.name}/${store}`] = await new Promise((ok) => {
          const req = db.transaction(store).objectStore(store).getAll();
          req.onsuccess = () => ok(req.result);
          req.onerror = () => ok(null);
        });
      }
      db.close();
    }
    dump.indexedDB = idb;
    return JSON.stringify(dump);
  });
}

/** No SCIM token (the recorded ones, or anything JWT-shaped) in storage readable by script. */
export async function expectNoTokenInStorage(page: Page, tokens: string[]): Promise<void> {
  const dump = await readableStorage(page);
  for (const token of tokens)
    expect(dump, 'a SCIM access token in browser storage').not.toContain(token);
  expect(dump, 'a JWT in browser storage').not.toMatch(/eyJ[\w-]{8,}\.[\w-]{8,}\./);
  const parsed = JSON.parse(dump) as { cookie: string };
  // The session cookie is HttpOnly: script sees no cookie at all.
  expect(parsed.cookie).toBe('');
}

export type Scheme = 'light' | 'dark';

/**
 * Runs axe in light and dark (the app follows the system colour scheme by default) and
 * fails on any serious or critical violation; writes e2e/screenshots/<name>-<scheme>.png
 * when a name is given. Leaves the page in light mode.
 */
export async function checkPage(page: Page, name: string | null): Promise<void> {
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await expect(page.locator('html')).toHaveAttribute('data-bs-theme', scheme);
    const result = await new AxeBuilder({ page })
      .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'])
      .analyze();
    const bad = result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        nodes: v.nodes.slice(0, 5).map((n) => n.target.join(' ')),
      }));
    expect(bad, `axe on ${name ?? page.url()} (${scheme})`).toEqual([]);
    if (name) {
      mkdirSync(SCREENSHOTS, { recursive: true });
      await page.screenshot({ path: join(SCREENSHOTS, `${name}-${scheme}.png`), fullPage: true });
    }
  }
  await page.emulateMedia({ colorScheme: 'light' });
  await expect(page.locator('html')).toHaveAttribute('data-bs-theme', 'light');
}
