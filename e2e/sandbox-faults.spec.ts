/**
 * Journey 4: the provider misbehaves (sandbox fault injection): 429 with Retry-After, 500,
 * a body that is not JSON, and a response the browser refuses (CORS). Each gives a visible,
 * correct message and leaves nothing loading.
 */
import { expect, test } from './support/fixtures.ts';
import {
  captureTokens,
  checkPage,
  connectOAuth,
  expectNoTokenInStorage,
  expectNothingLoading,
  openQuery,
  results,
  runQuery,
  signIn,
} from './support/journey.ts';

// The injected 500 and the refused CORS preflight are logged by Chromium itself.
test.use({
  expectedConsoleErrors:
    /^Failed to load resource: the server responded with a status of 500|has been blocked by CORS policy|^Failed to load resource: net::ERR_FAILED$/,
});

test('429, 500, malformed JSON and CORS refusals are explained and nothing stays loading', async ({
  page,
  stack,
}) => {
  const tokens = captureTokens(page);
  await signIn(page, stack.origin, 'operator');
  await connectOAuth(page, 'operator');
  await openQuery(page);
  const summary = results(page).getByText(/^1–50 of 300/);
  const alert = results(page).getByRole('alert');

  // 429 with Retry-After: the wait is shown, then the query succeeds.
  await stack.fault({ kind: '429', count: 1, retryAfter: 3, paths: '/Users' });
  await runQuery(page);
  const waiting = results(page)
    .getByRole('status')
    .filter({ hasText: /rate limiting/ });
  await expect(waiting).toContainText(/Retrying in \d s/);
  await expect(summary).toBeVisible({ timeout: 15_000 });
  await expect(waiting).toHaveCount(0);
  await expect(alert).toHaveCount(0);
  await expectNothingLoading(page);
  const served = (await stack.requests()).filter((r) => r.path === '/scim/v2/Users');
  expect(served.map((r) => r.status)).toEqual([429, 200]);
  // The retry waited for Retry-After.
  expect(Date.parse(served[1]!.at) - Date.parse(served[0]!.at)).toBeGreaterThanOrEqual(2900);

  // 500: the provider's failure, not a spinner.
  await stack.fault({ kind: '500', count: 5, paths: '/Users' });
  await runQuery(page);
  await expect(alert).toContainText('The provider answered 500');
  await expectNothingLoading(page);
  await checkPage(page, 'query-error');
  await stack.clearFaults();

  // 200 with a truncated body.
  await stack.fault({ kind: 'malformed', count: 5, paths: '/Users' });
  await runQuery(page);
  await expect(alert).toContainText('The provider answered with something that is not JSON');
  await expectNothingLoading(page);
  await stack.clearFaults();

  // The browser refuses the answer (no Access-Control-Allow-Origin).
  await stack.fault({ kind: 'cors', count: 5, paths: '/Users' });
  await runQuery(page);
  await expect(alert).toContainText('No answer from the SCIM provider');
  await expect(alert).toContainText(/CORS/);
  await expect(alert).toContainText(/relay mode/);
  await expectNothingLoading(page);
  await stack.clearFaults();

  // And it works again once the provider behaves.
  await runQuery(page);
  await expect(summary).toBeVisible();
  await expect(alert).toHaveCount(0);
  await expectNoTokenInStorage(page, tokens);
});
