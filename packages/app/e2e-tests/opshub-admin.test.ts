import { expect, test } from '@playwright/test';

test('guest, an org owner in development, adds and removes an org-level role on the OpsHub page', async ({
  page,
}) => {
  await page.goto('/');
  await page.getByRole('button', { name: 'Enter' }).click();
  await page.getByRole('link', { name: 'OpsHub', exact: true }).click();
  await expect(page).toHaveURL(/\/opshub$/);
  await expect(page.getByText('OpsHub administration')).toBeVisible();

  // The config owner is listed, and cannot be removed here.
  await expect(page.getByText('user:default/guest').first()).toBeVisible();

  const subject = `user:default/e2e-${Date.now()}`;
  await page.getByLabel('User or group').fill(subject);
  await page.getByLabel('Role').click();
  await page.getByRole('option', { name: 'maintainer' }).click();
  const added = page.waitForResponse(
    r =>
      r.url().endsWith('/api/opshub/org/assignments') &&
      r.request().method() === 'POST',
  );
  await page.getByRole('button', { name: 'Add', exact: true }).click();
  expect((await added).status()).toBe(201);
  // (Success toasts are alert dialogs that hide the page from the
  // accessibility tree while shown, so rows are found by their text; the
  // exact text, as the toast itself says "Added <subject> as maintainer".)
  await expect(page.getByText(subject, { exact: true })).toBeVisible();

  const removed = page.waitForResponse(
    r =>
      /\/api\/opshub\/org\/assignments\/\d+$/.test(r.url()) &&
      r.request().method() === 'DELETE',
  );
  await page.getByLabel(`Remove ${subject}`).click();
  expect((await removed).status()).toBe(200);
  await expect(page.getByText(subject, { exact: true })).toHaveCount(0);

  // Both changes are in the installation's activity log.
  await page.reload();
  await expect(page.getByText('role-assignment-remove').first()).toBeVisible();
  await expect(page.getByText('role-assignment-add').first()).toBeVisible();

  await page.screenshot({
    path: 'e2e-test-results/opshub-admin-page.png',
    fullPage: true,
  });
});
