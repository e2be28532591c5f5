import { expect, type Page } from '@playwright/test';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A health endpoint on 127.0.0.1 that answers `status` (200 or 500, as the
 * test says; changeable) and counts the probes it got.
 */
export async function startHealthTarget(status: number) {
  const target = { status, probes: 0, port: 0, close: async () => {} };
  const server = createServer((req, res) => {
    if (req.url === '/healthz') target.probes += 1;
    const answer = req.url === '/healthz' ? target.status : 404;
    res.writeHead(answer, { 'Content-Type': 'text/plain' });
    res.end(answer === 200 ? 'ok' : 'failing');
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

/** Signs in as the guest and opens storefront's OpsHub tab from its page. */
export async function openStorefrontOpsHub(page: Page) {
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
}

/**
 * Adds a check of `url` through the card's dialog, probed every second and
 * deciding on one probe; returns its id.
 */
export async function addFastCheck(page: Page, name: string, url: string) {
  await page.getByRole('button', { name: 'Add check' }).click();
  const dialog = page.getByRole('dialog');
  const fill = (label: string, value: string) =>
    dialog.getByLabel(label, { exact: true }).fill(value);
  await fill('Name', name);
  await fill('URL', url);
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
  await expect(dialog).toHaveCount(0);
  return (await createdResponse.json()).id as string;
}

/** Deletes the check from the card, after its confirmation. */
export async function deleteCheck(page: Page, name: string, id: string) {
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
}
