/**
 * Journey 1: an operator signs in, connects the sandbox by OAuth through the sandbox's own
 * sign-in and consent pages, builds a nested filter with the visual builder, runs it, pages,
 * fetches all, charts and exports CSV. Every SCIM call the sandbox saw ran under the
 * operator's own subject.
 */
import { readFileSync } from 'node:fs';
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

const DEPARTMENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department';
const OPERATOR_ID = '00000000-0000-4000-8000-00000000ad02';

/** A rule or group of the visual builder by its position (react-querybuilder's path). */
const at = (page: Page, path: number[]) => page.locator(`[data-path="${JSON.stringify(path)}"]`);

async function setRule(
  page: Page,
  path: number[],
  field: string,
  operator: string,
  value?: string,
): Promise<void> {
  const rule = at(page, path);
  await rule.getByRole('combobox', { name: /^(Attribute|Sub-attribute of)/ }).selectOption(field);
  await rule.getByRole('combobox', { name: 'Operator' }).selectOption(operator);
  if (value === undefined) return;
  const editor = rule
    .getByRole('combobox', { name: /value$/i })
    .or(rule.getByRole('textbox', { name: /value$/i }));
  if ((await editor.evaluate((e) => e.tagName)) === 'SELECT') await editor.selectOption(value);
  else await editor.fill(value);
}

test('operator: OAuth connect, nested visual filter, paging, fetch all, chart, CSV', async ({
  page,
  stack,
}) => {
  const tokens = captureTokens(page);
  const started = Date.now();

  await page.goto(`${stack.origin}/`);
  await expect(page.getByRole('heading', { name: /Sign in to/ })).toBeVisible();
  await checkPage(page, 'login');

  await signIn(page, stack.origin, 'operator');
  await connectOAuth(page, 'operator');
  await openQuery(page);

  // active eq true AND (department eq "Sales" OR NOT (title co "Manager"))
  //   AND emails[type eq "work" and value co "@example.com"]
  const root = at(page, []);
  await root.getByRole('button', { name: '+ Condition' }).first().click();
  await setRule(page, [0], 'active', 'eq', 'true');

  await root.getByRole('button', { name: '+ Group' }).first().click();
  const orGroup = at(page, [1]);
  await orGroup.getByRole('combobox', { name: 'Combinator' }).first().selectOption('or');
  await setRule(page, [1, 0], DEPARTMENT, 'eq', 'Sales');
  await orGroup.getByRole('button', { name: '+ Group' }).first().click();
  await at(page, [1, 1]).getByRole('checkbox', { name: 'Not' }).first().check();
  await setRule(page, [1, 1, 0], 'title', 'co', 'Manager');

  await root
    .getByRole('combobox', { name: 'Add a value filter on a multi-valued attribute' })
    .first()
    .selectOption('emails');
  const emails = at(page, [2]);
  await expect(emails.getByText('emails[ … ]')).toBeVisible();
  await setRule(page, [2, 0], 'emails.type', 'eq', 'work');
  await setRule(page, [2, 1], 'emails.value', 'co', '@example.com');

  const expectedFilter =
    `active eq true and (${DEPARTMENT} eq "Sales" or not (title co "Manager"))` +
    ` and emails[type eq "work" and value co "@example.com"]`;
  await expect(page.getByTestId('builder-filter-text')).toHaveText(expectedFilter);

  await runQuery(page);
  const summary = results(page).getByText(/^\d+–\d+ of \d+/);
  await expect(summary).toHaveText(/^1–50 of \d+/);
  const total = Number(/of (\d+)/.exec((await summary.textContent())!)![1]);
  expect(total).toBeGreaterThan(100);
  expect(total).toBeLessThan(300);
  const table = results(page).getByRole('table');
  await expect(table.getByRole('row')).not.toHaveCount(1);
  await checkPage(page, 'query');

  // Paging: next, then back.
  const firstUser = await table.getByRole('row').nth(1).getByRole('cell').first().textContent();
  await results(page).getByRole('button', { name: 'Next ›' }).click();
  await expect(summary).toHaveText(new RegExp(`^51–100 of ${total}`));
  await expect(table.getByRole('row').nth(1).getByRole('cell').first()).not.toHaveText(firstUser!);
  await results(page).getByRole('button', { name: '‹ Previous' }).click();
  await expect(summary).toHaveText(new RegExp(`^1–50 of ${total}`));
  await expect(table.getByRole('row').nth(1).getByRole('cell').first()).toHaveText(firstUser!);

  // Fetch all pages.
  await results(page)
    .getByRole('button', { name: /Fetch all pages/ })
    .click();
  await expect(results(page).getByText(`All ${total} rows loaded in`)).toBeVisible();
  await expect(results(page).getByText(`${total} of ${total}`)).toBeVisible();
  await expectNothingLoading(page);

  // Chart of the fetched rows (grouped by "active": every row is active).
  // The view switch is a Bootstrap button group: the radio is visually hidden, its label is the button.
  await results(page).getByText('Chart', { exact: true }).click();
  await expect(results(page).getByRole('radio', { name: 'Chart' })).toBeChecked();
  const chart = results(page).getByRole('img', { name: /^Rows by active/ });
  await expect(chart).toHaveAccessibleName(new RegExp(`true ${total}`));
  await checkPage(page, 'query-chart');
  await results(page).getByText('Table', { exact: true }).click();
  await expect(results(page).getByRole('radio', { name: 'Table' })).toBeChecked();

  // CSV export of everything fetched.
  const downloadPromise = page.waitForEvent('download');
  await results(page).getByRole('button', { name: 'CSV' }).click();
  const download = await downloadPromise;
  expect(download.suggestedFilename()).toMatch(/\.csv$/);
  const csv = readFileSync((await download.path())!, 'utf8').replace(/^\uFEFF/, '');
  const lines = csv.trimEnd().split(/\r?\n/);
  expect(lines[0]).toMatch(/^userName,/);
  expect(lines[0]).toContain('active');
  expect(lines).toHaveLength(total + 1);
  const activeCol = lines[0]!.split(',').indexOf('active');
  expect(lines.slice(1).every((l) => l.split(',')[activeCol] === 'true' || l.includes('"'))).toBe(
    true,
  );
  expect(csv).toContain('@example.com');

  // Every SCIM call the sandbox served came with the operator's own token.
  const calls = await stack.requests(started);
  const searches = calls.filter((c) => c.path === '/scim/v2/Users/.search');
  expect(searches.length).toBeGreaterThanOrEqual(4); // run, next, previous, fetch all
  expect(searches.every((c) => c.method === 'POST' && c.status === 200)).toBe(true);
  for (const call of calls) {
    expect(call, `${call.method} ${call.path}`).toMatchObject({
      subject: OPERATOR_ID,
      username: 'operator',
      tokenKind: 'jwt',
    });
  }

  // The other pages the operator uses.
  await mainNav(page).getByRole('link', { name: 'Tokens' }).click();
  await expect(page.getByRole('heading', { name: 'Sandbox (OAuth)' })).toBeVisible();
  await checkPage(page, 'tokens');
  await mainNav(page).getByRole('link', { name: 'History' }).click();
  await expect(page.getByRole('heading', { name: 'History', level: 1 })).toBeVisible();
  await expect(page.getByText(/Users\/\.search|\/Users/).first()).toBeVisible();
  await checkPage(page, 'history');

  expect(tokens.length).toBeGreaterThan(0);
  await expectNoTokenInStorage(page, tokens);
});
