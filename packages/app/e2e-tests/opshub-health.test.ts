import { expect, test } from '@playwright/test';
import {
  addFastCheck,
  deleteCheck,
  openStorefrontOpsHub,
  startHealthTarget,
} from './lib/healthChecks';

// Needs app-config.yaml's opshub.health block: 127.0.0.1/32 allowed, and a
// minimum interval of 1 s.
test('a check on a loopback target goes down and back to ok on the card without a reload', async ({
  page,
}) => {
  test.setTimeout(180_000);
  const target = await startHealthTarget(200);
  try {
    await openStorefrontOpsHub(page);

    const name = `e2e-${Date.now()}`;
    const id = await addFastCheck(
      page,
      name,
      `http://127.0.0.1:${target.port}/healthz`,
    );

    // From here on the page must not load again: only signals move the card.
    await page.evaluate(() => {
      (window as { opshubNoReload?: boolean }).opshubNoReload = true;
    });
    const checkState = (state: string) =>
      page.getByLabel(`${name} state: ${state}`, { exact: true });
    const entityState = (state: string) =>
      page.getByLabel(`Health: ${state}`, { exact: true });

    await expect(checkState('ok')).toBeVisible({ timeout: 45_000 });
    await expect(entityState('ok')).toBeVisible();
    expect(target.probes).toBeGreaterThan(0);

    target.status = 500;
    await expect(checkState('down')).toBeVisible({ timeout: 45_000 });
    await expect(entityState('down')).toBeVisible();
    await expect(page.getByText(/^down since /)).toBeVisible();

    await page.screenshot({
      path: 'e2e-test-results/opshub-health-card.png',
      fullPage: true,
    });

    target.status = 200;
    await expect(checkState('ok')).toBeVisible({ timeout: 45_000 });
    await expect(entityState('ok')).toBeVisible();
    expect(
      await page.evaluate(
        () => (window as { opshubNoReload?: boolean }).opshubNoReload,
      ),
    ).toBe(true);

    // The overview carries the same card.
    await page
      .getByRole('main')
      .getByRole('link', { name: 'Overview', exact: true })
      .click();
    await expect(page).toHaveURL(/\/catalog\/default\/component\/storefront$/);
    await expect(checkState('ok')).toBeVisible();

    // Leave the demo entity as it was.
    await deleteCheck(page, name, id);
  } finally {
    await target.close();
  }
});
