/// <reference lib="dom" />
/**
 * Journey 7: an admin chooses dark mode and sets the organisation's branding (name and
 * primary colour); both survive reloads, and the branding reaches the sign-in page and
 * other users. Also visits the admin pages (axe + screenshots).
 */
import { expect, test } from './support/fixtures.ts';
import { checkPage, expectNoTokenInStorage, mainNav, signIn } from './support/journey.ts';

test('dark mode and branding persist across reloads', async ({ page, stack, newBrowser }) => {
  await signIn(page, stack.origin, 'admin');
  const html = page.locator('html');
  await expect(html).toHaveAttribute('data-bs-theme', 'light');

  // Dark mode, saved for this user.
  await page.getByRole('button', { name: /Colour mode/ }).click();
  await page.getByRole('button', { name: 'Dark' }).click();
  await expect(html).toHaveAttribute('data-bs-theme', 'dark');
  await page.reload();
  await expect(mainNav(page)).toBeVisible();
  await expect(html).toHaveAttribute('data-bs-theme', 'dark');
  // The saved choice wins over the system's light scheme.
  await page.emulateMedia({ colorScheme: 'light' });
  await expect(html).toHaveAttribute('data-bs-theme', 'dark');

  // Branding.
  await mainNav(page).getByRole('button', { name: 'Admin', exact: true }).click();
  await mainNav(page).getByRole('link', { name: 'Branding' }).click();
  await expect(page.getByRole('heading', { name: 'Branding', level: 1 })).toBeVisible();
  await page.getByLabel('Organisation name').fill('Acme Identity');
  await page.getByLabel('Primary colour', { exact: true }).fill('#7b2cbf');
  await page.getByRole('button', { name: 'Save branding' }).click();
  await expect(page.getByText('Branding saved.')).toBeVisible();

  await page.reload();
  await expect(mainNav(page)).toBeVisible();
  await expect(mainNav(page).getByRole('link', { name: 'Acme Identity' })).toBeVisible();
  await expect(html).toHaveAttribute('data-bs-theme', 'dark');
  const primary = () =>
    page.evaluate(() =>
      getComputedStyle(document.documentElement).getPropertyValue('--bs-primary').trim(),
    );
  await expect.poll(primary).toBe('#7b2cbf');
  await expect(page).toHaveTitle(/Acme Identity/);

  // Switch back to following the system, then to light: the choice sticks across reloads too.
  await page.getByRole('button', { name: /Colour mode/ }).click();
  await page.getByRole('button', { name: 'Light' }).click();
  await page.reload();
  await expect(mainNav(page)).toBeVisible();
  await expect(html).toHaveAttribute('data-bs-theme', 'light');
  await page.getByRole('button', { name: /Colour mode/ }).click();
  await page.getByRole('button', { name: 'Follow system' }).click();
  await expect(page.getByRole('button', { name: /Colour mode: Follow system/ })).toBeVisible();

  // The admin pages, axe-checked in light and dark (screenshots show the new branding).
  await mainNav(page).getByRole('button', { name: 'Admin', exact: true }).click();
  await mainNav(page).getByRole('link', { name: 'Connections' }).click();
  await expect(page.getByRole('heading', { name: 'Connections', level: 1 })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Edit Sandbox (OAuth)' })).toBeVisible();
  await checkPage(page, 'admin-connections');
  await mainNav(page).getByRole('button', { name: 'Admin', exact: true }).click();
  await mainNav(page).getByRole('link', { name: 'Users and roles' }).click();
  await expect(page.getByRole('heading', { name: 'Users and roles', level: 1 })).toBeVisible();
  await expect(page.getByText('operator').first()).toBeVisible();
  await checkPage(page, 'admin-users');
  await mainNav(page).getByRole('button', { name: 'Admin', exact: true }).click();
  await mainNav(page).getByRole('link', { name: 'Branding' }).click();
  await expect(page.getByLabel('Organisation name')).toHaveValue('Acme Identity');
  await checkPage(page, 'admin-branding');

  // Another person, in another browser, sees the branding before and after signing in.
  const other = (await newBrowser()).page;
  await other.goto(`${stack.origin}/login`);
  await expect(other.getByRole('heading', { name: 'Sign in to Acme Identity' })).toBeVisible();
  await expect(other).toHaveTitle(/Acme Identity/);
  await signIn(other, stack.origin, 'operator');
  await expect(mainNav(other).getByRole('link', { name: 'Acme Identity' })).toBeVisible();
  // The admin's dark-mode choice is theirs alone.
  await expect(other.locator('html')).toHaveAttribute('data-bs-theme', 'light');

  await expectNoTokenInStorage(page, []);
  await expectNoTokenInStorage(other, []);
});
