import { expect, type Page, test } from '@playwright/test';
import {
  addFastCheck,
  deleteCheck,
  openStorefrontOpsHub,
  startHealthTarget,
} from './lib/healthChecks';

/** `YYYY-MM-DDTHH:mm` in the browser's time zone, `offsetMinutes` from now. */
const browserLocalTime = (page: Page, offsetMinutes: number) =>
  page.evaluate(minutes => {
    const at = new Date(Date.now() + minutes * 60_000);
    const pad = (n: number) => String(n).padStart(2, '0');
    return `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(
      at.getDate(),
    )}T${pad(at.getHours())}:${pad(at.getMinutes())}`;
  }, offsetMinutes);

const openStorefrontOpsHubTab = async (page: Page) => {
  await page.goto('/catalog/default/component/storefront/opshub');
  await expect(page.getByRole('button', { name: 'Add check' })).toBeVisible();
};

// Needs app-config.yaml's opshub.health block (127.0.0.1/32 allowed, a
// minimum interval of 1 s) and the notifications backend. The demo
// storefront is owned by `guests`, whose member is the guest signed in here.
test('a down check notifies its owners, its recovery replaces the alert, and a maintenance window shows on the card', async ({
  page,
}) => {
  test.setTimeout(150_000);
  const target = await startHealthTarget(500);
  try {
    await openStorefrontOpsHub(page);

    const name = `e2e-alert-${Date.now()}`;
    const id = await addFastCheck(
      page,
      name,
      `http://127.0.0.1:${target.port}/healthz`,
    );

    const checkState = (state: string) =>
      page.getByLabel(`${name} state: ${state}`, { exact: true });
    await expect(checkState('down')).toBeVisible({ timeout: 45_000 });

    // 1. The owners get the alert as a Backstage notification.
    const downTitle = `Check "${name}" of storefront is down`;
    const recoveredTitle = `Check "${name}" of storefront recovered`;
    await page
      .getByRole('navigation')
      .getByRole('link', { name: /^Notifications/ })
      .click();
    await expect(page).toHaveURL(/\/notifications$/);
    await expect(
      page
        .getByRole('navigation')
        .getByRole('grid', { name: 'Unread notifications' }),
    ).toBeVisible();
    await page.getByRole('textbox', { name: 'Search' }).fill(name);
    const rowsOfCheck = page.getByRole('row').filter({ hasText: name });
    await expect(
      rowsOfCheck.getByRole('link', { name: downTitle, exact: true }),
    ).toBeVisible({ timeout: 45_000 });
    await expect(rowsOfCheck).toHaveCount(1);

    // Its recovery replaces it (same scope): still one notification.
    target.status = 200;
    await expect(
      rowsOfCheck.getByRole('link', { name: recoveredTitle, exact: true }),
    ).toBeVisible({ timeout: 45_000 });
    await expect(rowsOfCheck).toHaveCount(1);
    await expect(
      rowsOfCheck.getByRole('link', { name: downTitle, exact: true }),
    ).toHaveCount(0);
    await page.screenshot({
      path: 'e2e-test-results/opshub-health-notifications.png',
      fullPage: true,
    });

    // 3. Having had one, the guest can mute OpsHub's health notifications.
    await page.goto('/settings/notifications');
    const origin = page.getByRole('row').filter({ hasText: 'OpsHub' });
    await origin.getByRole('button', { name: 'expand row' }).click();
    await expect(
      page.getByRole('cell', { name: 'OpsHub health checks', exact: true }),
    ).toBeVisible();

    // 2. A one-off maintenance window covering now, added and deleted.
    await openStorefrontOpsHubTab(page);
    await expect(checkState('ok')).toBeVisible({ timeout: 45_000 });
    await page.getByLabel(`Maintenance of ${name}`, { exact: true }).click();
    const maintenance = page.getByRole('dialog', {
      name: `Maintenance of ${name}`,
    });
    await expect(
      maintenance.getByText('No maintenance windows.'),
    ).toBeVisible();
    const startsAt = await browserLocalTime(page, -5);
    const endsAt = await browserLocalTime(page, 60);
    await maintenance.getByLabel('Starts at', { exact: true }).fill(startsAt);
    await maintenance.getByLabel('Ends at', { exact: true }).fill(endsAt);
    await maintenance.getByLabel('Reason', { exact: true }).fill('e2e deploy');
    await maintenance.getByRole('button', { name: 'Add window' }).click();
    const described = `${startsAt.replace('T', ' ')} – ${endsAt.replace(
      'T',
      ' ',
    )}`;
    const deleteWindow = maintenance.getByRole('button', {
      name: `Delete the window ${described}`,
      exact: true,
    });
    await expect(deleteWindow).toBeVisible();
    await maintenance.getByRole('button', { name: 'Close' }).click();
    await expect(maintenance).toHaveCount(0);
    await expect(checkState('maintenance')).toBeVisible({ timeout: 15_000 });

    await page
      .getByRole('button', { name: '1 maintenance window', exact: true })
      .click();
    await deleteWindow.click();
    const windowDeleted = page.waitForResponse(
      r =>
        /\/health\/checks\/[^/]+\/maintenance\/[^/]+$/.test(r.url()) &&
        r.request().method() === 'DELETE',
    );
    await page
      .getByRole('dialog', { name: `Delete the window ${described}?` })
      .getByRole('button', { name: 'Delete', exact: true })
      .click();
    expect((await windowDeleted).status()).toBe(204);
    await expect(
      maintenance.getByText('No maintenance windows.'),
    ).toBeVisible();
    await maintenance.getByRole('button', { name: 'Close' }).click();
    await expect(checkState('ok')).toBeVisible({ timeout: 15_000 });
    await expect(checkState('maintenance')).toHaveCount(0);

    // Leave the demo entity as it was.
    await deleteCheck(page, name, id);
  } finally {
    await target.close();
  }
});
