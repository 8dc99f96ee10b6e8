/**
 * Journey 6: a viewer and an auditor see only what their role allows — in the UI and when
 * the page calls the console API directly — and the auditor verifies the audit chain.
 */
import type { Page } from '@playwright/test';
import { expect, test } from './support/fixtures.ts';
import {
  captureTokens,
  checkPage,
  connectOAuth,
  expectNoTokenInStorage,
  expectNothingLoading,
  mainNav,
  openQuery,
  results,
  runQuery,
  signIn,
} from './support/journey.ts';

/** Calls the console API from the page itself, as a user's own script could. */
async function api(page: Page, method: string, path: string, body?: unknown) {
  return page.evaluate(
    async ({ method, path, body }) => {
      const me = (await (await fetch('/api/auth/me')).json()) as { csrfToken: string };
      const res = await fetch(path, {
        method,
        headers: { 'content-type': 'application/json', 'x-csrf-token': me.csrfToken },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      let code: string | null = null;
      try {
        code = (JSON.parse(text) as { error?: { code?: string } }).error?.code ?? null;
      } catch {
        // not JSON
      }
      return { status: res.status, code };
    },
    { method, path, body },
  );
}

async function connectionId(page: Page, name: string): Promise<string> {
  return page.evaluate(async (name) => {
    const list = (await (await fetch('/api/connections')).json()) as {
      connections: { id: string; name: string }[];
    };
    return list.connections.find((c) => c.name === name)!.id;
  }, name);
}

test('viewer: predefined queries only, no audit or admin, 403 from the API', async ({
  page,
  stack,
}) => {
  const tokens = captureTokens(page);
  await signIn(page, stack.origin, 'viewer');
  const nav = mainNav(page);
  await expect(nav.getByRole('link', { name: 'Query', exact: true })).toBeVisible();
  await expect(nav.getByRole('link', { name: 'History' })).toBeVisible();
  await expect(nav.getByRole('link', { name: 'Tokens' })).toBeVisible();
  await expect(nav.getByRole('link', { name: 'Audit' })).toHaveCount(0);
  await expect(nav.getByRole('button', { name: 'Admin', exact: true })).toHaveCount(0);

  await connectOAuth(page, 'viewer');
  await openQuery(page);
  await expect(page.getByRole('tab', { name: 'Predefined' })).toBeVisible();
  await expect(page.getByRole('tab', { name: 'Builder' })).toHaveCount(0);
  await expect(page.getByRole('tab', { name: 'Filter text' })).toHaveCount(0);
  await expect(page.getByText('Your role runs predefined queries only.')).toBeVisible();
  await page.getByLabel('Predefined query').selectOption('inactive-users');
  await runQuery(page);
  await expect(results(page).getByText(/^1–\d+ of \d+/)).toBeVisible();
  await expectNothingLoading(page);
  await checkPage(page, 'query-viewer');

  // Pages outside the role, opened directly.
  await page.goto(`${stack.origin}/audit`);
  await expect(page.getByRole('heading', { name: 'Not allowed' })).toBeVisible();
  await page.goto(`${stack.origin}/admin/users`);
  await expect(page.getByRole('heading', { name: 'Not allowed' })).toBeVisible();
  await checkPage(page, 'forbidden');

  // And the API itself refuses, whatever the UI shows.
  const id = await connectionId(page, 'Sandbox (OAuth)');
  expect(await api(page, 'GET', '/api/logs?scope=all')).toEqual({ status: 403, code: 'FORBIDDEN' });
  expect(await api(page, 'GET', '/api/logs/verify')).toEqual({ status: 403, code: 'FORBIDDEN' });
  expect(await api(page, 'GET', '/api/users')).toEqual({ status: 403, code: 'FORBIDDEN' });
  expect(
    await api(page, 'PUT', '/api/settings/branding', {
      name: 'Pwned',
      primaryColor: '#000000',
      logoDataUrl: null,
    }),
  ).toEqual({ status: 403, code: 'FORBIDDEN' });
  expect(
    await api(page, 'POST', '/api/scim-query', {
      connectionId: id,
      resourceType: 'User',
      filter: 'userName pr',
    }),
  ).toEqual({ status: 403, code: 'FORBIDDEN' });
  // Own history is allowed.
  expect((await api(page, 'GET', '/api/logs?scope=own')).status).toBe(200);

  await expectNoTokenInStorage(page, tokens);
});

test('auditor: audit trail and chain verification, no query running', async ({ page, stack }) => {
  // Some activity to audit: an operator's failed and successful sign-ins.
  await page.goto(`${stack.origin}/login`);
  await page.getByLabel('Username').fill('operator');
  await page.getByLabel('Password').fill('wrong-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toBeVisible();

  await signIn(page, stack.origin, 'auditor');
  // The auditor lands on the audit trail and has no Query page.
  await expect(page).toHaveURL(/\/audit$/);
  const nav = mainNav(page);
  await expect(nav.getByRole('link', { name: 'Audit' })).toBeVisible();
  await expect(nav.getByRole('link', { name: 'Query', exact: true })).toHaveCount(0);
  await expect(nav.getByRole('button', { name: 'Admin', exact: true })).toHaveCount(0);
  await expect(page.getByRole('heading', { name: 'Audit trail', level: 1 })).toBeVisible();
  await expect(page.getByRole('table').getByText('auth.login_failed').first()).toBeVisible();

  await page.getByRole('button', { name: 'Verify chain' }).click();
  await expect(page.getByText(/The audit trail is intact: \d+ events checked/)).toBeVisible();
  await checkPage(page, 'audit');

  const id = await connectionId(page, 'Sandbox (OAuth)');
  expect(
    await api(page, 'POST', '/api/scim-query', { connectionId: id, resourceType: 'User' }),
  ).toEqual({ status: 403, code: 'FORBIDDEN' });
  expect(await api(page, 'GET', '/api/users')).toEqual({ status: 403, code: 'FORBIDDEN' });
  expect((await api(page, 'GET', '/api/logs?scope=all')).status).toBe(200);
  expect((await api(page, 'GET', '/api/logs/verify')).status).toBe(200);

  await page.goto(`${stack.origin}/admin/connections`);
  await expect(page.getByRole('heading', { name: 'Not allowed' })).toBeVisible();
  await expectNoTokenInStorage(page, []);
});
