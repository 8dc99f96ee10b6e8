/**
 * Journey 5: a raw filter with a syntax error shows where the error is and sends nothing;
 * hostile values typed into the visual builder stay literal values in the generated filter
 * and in the request the provider receives.
 */
import type { Request } from '@playwright/test';
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

test('syntax errors are located and nothing is sent; hostile builder values stay literal', async ({
  page,
  stack,
}) => {
  const tokens = captureTokens(page);
  const generated: string[] = [];
  page.on('request', (req: Request) => {
    if (new URL(req.url()).pathname === '/api/scim-query') generated.push(req.postData() ?? '');
  });
  await signIn(page, stack.origin, 'operator');
  await connectOAuth(page, 'operator');
  await openQuery(page);
  const before = (await stack.requests()).length;

  // Raw filter with an unknown operator at character 10.
  await page.getByRole('tab', { name: 'Filter text' }).click();
  const editor = page.getByRole('textbox', { name: 'SCIM filter' });
  await editor.click();
  await page.keyboard.type('userName xx "alice"');
  await expect(editor).toHaveText('userName xx "alice"');
  const error = page.locator('#raw-filter-help').getByRole('alert');
  await expect(error).toBeVisible();
  await expect(error).toContainText('position 9');
  const caret = error.getByTestId('filter-error-caret');
  await expect(caret).toHaveText('userName xx "alice"\n         ^');
  await checkPage(page, 'query-filter-error');

  // Neither Run nor Ctrl+Enter sends anything.
  const run = page.getByRole('button', { name: /^Run/ });
  if (await run.isEnabled()) await run.click();
  await editor.press('Control+Enter');
  await expect(error).toBeVisible();
  expect(generated).toEqual([]);
  expect((await stack.requests()).length).toBe(before);

  // Hostile value in the visual builder, sent as GET so the filter is visible in the URL.
  await page.getByRole('tab', { name: 'Builder' }).click();
  await page.getByRole('button', { name: '+ Condition' }).first().click();
  const rule = page.locator('[data-path="[0]"]');
  await rule.getByRole('combobox', { name: 'Attribute' }).selectOption('userName');
  await rule.getByRole('combobox', { name: 'Operator' }).selectOption('eq');
  const hostile = '" or userName pr or userName eq "';
  await rule.getByRole('textbox', { name: /value$/i }).fill(hostile);
  const expected = 'userName eq "\\" or userName pr or userName eq \\""';
  await expect(page.getByTestId('builder-filter-text')).toHaveText(expected);
  await page.getByLabel('Method').selectOption('GET');

  const since = Date.now();
  await runQuery(page);
  await expect(results(page).getByText('No resources match.')).toBeVisible();
  await expectNothingLoading(page);
  expect(generated).toHaveLength(1);
  expect(JSON.parse(generated[0]!)).toMatchObject({
    where: { rules: [{ field: 'userName', operator: 'eq', value: hostile }] },
  });
  const served = (await stack.requests(since)).filter((r) => r.path === '/scim/v2/Users');
  expect(served).toHaveLength(1);
  expect(served[0]).toMatchObject({ method: 'GET', status: 200, username: 'operator' });
  expect(new URLSearchParams(served[0]!.query).get('filter')).toBe(expected);

  await expectNoTokenInStorage(page, tokens);
});
