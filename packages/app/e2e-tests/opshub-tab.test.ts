import { expect, type Page, test } from '@playwright/test';

/** Signs in as guest and opens a Component's OpsHub tab from the catalog. */
async function openOpsHubTab(page: Page, component: string) {
  await page.goto('/');
  await page.getByRole('button', { name: 'Enter' }).click();
  await page.getByRole('link', { name: component, exact: true }).click();
  // The entity page's tab, not the sidebar's link to the /opshub page.
  await page
    .getByRole('main')
    .getByRole('link', { name: 'OpsHub', exact: true })
    .click();
  await expect(page).toHaveURL(
    new RegExp(`/catalog/default/component/${component}/opshub$`),
  );
}

test('the OpsHub tab shows what the backend knows of a Component', async ({
  page,
}) => {
  const summaryResponse = page.waitForResponse(response =>
    /\/api\/opshub\/entities\/component\/default\/storefront\/summary$/i.test(
      response.url(),
    ),
  );
  await openOpsHubTab(page, 'storefront');
  const response = await summaryResponse;
  expect(response.status()).toBe(200);
  const summary = await response.json();
  expect(summary.annotations.projectSlug).toBe('acme/storefront');

  // The repository link is rendered from the backend's parsed annotations.
  const repository = page.getByRole('link', { name: 'acme/storefront' });
  await expect(repository).toBeVisible();
  await expect(repository).toHaveAttribute(
    'href',
    'https://github.com/acme/storefront',
  );
  await expect(page.getByText('#storefront-deploys')).toBeVisible();

  await page.screenshot({
    path: 'e2e-test-results/opshub-entity-tab.png',
    fullPage: true,
  });
});

test('the OpsHub tab says which annotations a Component lacks', async ({
  page,
}) => {
  await openOpsHubTab(page, 'inventory-service');

  await expect(page.getByText('Missing Annotation')).toBeVisible();
  await expect(
    page.getByText('github.com/project-slug', { exact: false }).first(),
  ).toBeVisible();
});
