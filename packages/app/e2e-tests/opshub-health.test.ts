import { expect, test } from '@playwright/test';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A health endpoint on 127.0.0.1 that answers `status` (200 or 500, as the
 * test says) and counts the probes it got.
 */
async function startTarget() {
  const target = { status: 200, probes: 0, port: 0, close: async () => {} };
  const server = createServer((req, res) => {
    if (req.url === '/healthz') target.probes += 1;
    const status = req.url === '/healthz' ? target.status : 404;
    res.writeHead(status, { 'Content-Type': 'text/plain' });
    res.end(status === 200 ? 'ok' : 'failing');
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  target.port = (server.address() as AddressInfo).port;
  target.close = () =>
    new Promise<void>(resolve => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return target;
}

// Needs app-config.yaml's opshub.health block: 127.0.0.1/32 allowed, and a
// minimum interval of 1 s.
test('a check on a loopback target goes down and back to ok on the card without a reload', async ({
  page,
}) => {
  test.setTimeout(180_000);
  const target = await startTarget();
  try {
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

    const name = `e2e-${Date.now()}`;
    await page.getByRole('button', { name: 'Add check' }).click();
    const dialog = page.getByRole('dialog');
    const fill = (label: string, value: string) =>
      dialog.getByLabel(label, { exact: true }).fill(value);
    await fill('Name', name);
    await fill('URL', `http://127.0.0.1:${target.port}/healthz`);
    await fill('Timeout (ms)', '900');
    await fill('Interval (ms)', '1000');
    await fill('Failure threshold', '1');
    await fill('Recovery threshold', '1');
    const created = page.waitForResponse(
      r => /\/health\/checks$/.test(r.url()) && r.request().method() === 'POST',
    );
    await dialog.getByRole('button', { name: 'Save' }).click();
    const createdResponse = await created;
    expect(createdResponse.status(), await createdResponse.text()).toBe(201);
    const { id } = await createdResponse.json();
    await expect(dialog).toHaveCount(0);

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
    await page.getByLabel(`Delete ${name}`, { exact: true }).click();
    const deleted = page.waitForResponse(
      r =>
        r.url().endsWith(`/health/checks/${id}`) &&
        r.request().method() === 'DELETE',
    );
    await page
      .getByRole('dialog')
      .getByRole('button', { name: 'Delete', exact: true })
      .click();
    expect((await deleted).status()).toBe(204);
    await expect(page.getByTestId(`health-check-${name}`)).toHaveCount(0);
  } finally {
    await target.close();
  }
});
