/**
 * Journey 3: short-lived access tokens (sandbox TTL of a few seconds). After the token
 * expires mid-session the next query refreshes it and succeeds; after the grant is revoked
 * at the provider and the token expires, the user is told to reconnect.
 */
import type { Request } from '@playwright/test';
import { expect, test } from './support/fixtures.ts';
import {
  captureTokens,
  connectOAuth,
  expectNoTokenInStorage,
  expectNothingLoading,
  mainNav,
  openQuery,
  results,
  runQuery,
  signIn,
} from './support/journey.ts';

const TTL = 8;
test.use({ stackOptions: { accessTokenTtl: TTL } });

test('an expired token is refreshed on the next query; a revoked grant asks to reconnect', async ({
  page,
  stack,
}) => {
  const tokens = captureTokens(page);
  const used: string[] = [];
  page.on('request', (req: Request) => {
    if (req.url().startsWith(`${stack.sandbox.url}/scim/v2/Users`) && req.method() !== 'OPTIONS')
      used.push(req.headers()['authorization'] ?? '');
  });

  await signIn(page, stack.origin, 'operator');
  await connectOAuth(page, 'operator');
  await openQuery(page);
  await runQuery(page);
  await expect(results(page).getByText(/^1–50 of 300/)).toBeVisible();
  expect(used).toHaveLength(1);

  // The journey is about time: let the access token expire.
  await page.waitForTimeout((TTL + 1) * 1000);
  const since = Date.now();
  await runQuery(page);
  await expect(results(page).getByText(/^1–50 of 300/)).toBeVisible();
  await expectNothingLoading(page);
  expect(used.length).toBeGreaterThanOrEqual(2);
  // A new token was used, and the provider accepted it.
  expect(used.at(-1)).not.toBe(used[0]);
  const after = (await stack.requests(since)).filter((r) => r.path === '/scim/v2/Users');
  expect(after.at(-1)).toMatchObject({ status: 200, username: 'operator' });
  // The token vault recorded the refresh.
  const status = await page.evaluate(async () => {
    const conns = (await (await fetch('/api/connections')).json()) as {
      connections: { id: string; name: string }[];
    };
    const id = conns.connections.find((c) => c.name === 'Sandbox (OAuth)')!.id;
    return (await (await fetch(`/api/token/status?connectionId=${id}`)).json()) as {
      state: string;
      lastRefreshAt: string | null;
    };
  });
  expect(status.lastRefreshAt).not.toBeNull();
  expect(Date.parse(status.lastRefreshAt!)).toBeGreaterThanOrEqual(since - 1000);

  // Revoke the operator's grant at the provider, then let the current token expire.
  await stack.revoke('operator');
  await page.waitForTimeout((TTL + 1) * 1000);
  await runQuery(page);
  const alert = results(page).getByRole('alert');
  await expect(alert).toContainText(/reconnect/i);
  await expectNothingLoading(page);
  await alert.getByRole('link', { name: /Tokens/ }).click();
  await expect(page.getByRole('heading', { name: 'Your SCIM tokens' })).toBeVisible();
  // Following the link (no reload) shows the server's view of the credential: revoked.
  const card = page.getByRole('region', { name: 'Sandbox (OAuth)' });
  await expect(card.getByTestId('token-state')).toHaveText(/Revoked/);
  await expect(card.getByText('Reconnect needed.')).toBeVisible();
  await expect(card.getByRole('link', { name: 'Connect with OAuth' })).toBeVisible();

  // Reconnecting brings the query back.
  await connectOAuth(page, 'operator');
  await openQuery(page);
  await runQuery(page);
  await expect(results(page).getByText(/^1–50 of 300/)).toBeVisible();
  await expect(mainNav(page)).toBeVisible();

  await expectNoTokenInStorage(page, tokens);
});
