import { expect, test } from '@playwright/test';
import { randomUUID } from 'node:crypto';

// Needs the env-var routes and the development key of app-config.yaml.
test('a variable added on the OpsHub tab shows masked, reveals, and masks itself again', async ({
  page,
}) => {
  test.setTimeout(150_000);
  await page.goto('/');
  await page.getByRole('button', { name: 'Enter' }).click();
  await page.getByRole('link', { name: 'storefront', exact: true }).click();
  await page
    .getByRole('main')
    .getByRole('link', { name: 'OpsHub', exact: true })
    .click();
  await expect(page).toHaveURL(
    /\/catalog\/default\/component\/storefront\/opshub$/,
  );
  await expect(page.getByText('Environment variables')).toBeVisible();

  const name = `E2E_${Date.now()}`;
  const secret = `https://e2e-${randomUUID()}.example.com`;
  await page.getByRole('button', { name: 'Add variable' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('Name').fill(name);
  await dialog.getByLabel('Value').fill(secret);
  await dialog.getByLabel('Comment').fill('end-to-end test');
  const saved = page.waitForResponse(
    r =>
      r.url().includes(`/envvars/production/${name}`) &&
      r.request().method() === 'PUT',
  );
  await dialog.getByRole('button', { name: 'Save' }).click();
  const savedResponse = await saved;
  expect(savedResponse.status()).toBe(201);
  expect(await savedResponse.text()).not.toContain(secret);

  // Masked: the last 4 characters at most, never the value.
  const value = page.getByLabel(`Value of ${name}`);
  await expect(value).toHaveText('••••.com');
  await expect(page.getByText(secret)).toHaveCount(0);

  const revealed = page.waitForResponse(
    r =>
      r.url().includes(`/envvars/production/${name}/reveal`) &&
      r.request().method() === 'POST',
  );
  await page.getByLabel(`Reveal ${name}`).click();
  const revealResponse = await revealed;
  expect(revealResponse.status()).toBe(200);
  expect(revealResponse.headers()['cache-control']).toContain('no-store');
  await expect(value).toHaveText(secret);

  // Masked again after 30 s, with no reload.
  await expect(value).toHaveText('••••.com', { timeout: 40_000 });
  await expect(page.getByText(secret)).toHaveCount(0);

  await page.screenshot({
    path: 'e2e-test-results/opshub-envvars-card.png',
    fullPage: true,
  });

  // Leave the demo entity as it was.
  await page.getByLabel(`Delete ${name}`).click();
  const deleted = page.waitForResponse(
    r =>
      r.url().includes(`/envvars/production/${name}`) &&
      r.request().method() === 'DELETE',
  );
  await page
    .getByRole('dialog')
    .getByRole('button', { name: 'Delete', exact: true })
    .click();
  expect((await deleted).status()).toBe(200);
  await expect(page.getByLabel(`Value of ${name}`)).toHaveCount(0);
});
