import { expect, test } from '@playwright/test';
import { randomBytes } from 'node:crypto';
import {
  DAY,
  deliverAll,
  type SeededDeployment,
} from './lib/githubDeployments';

const isoDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** Monday 00:00 UTC of the last whole week (Monday to Sunday) before today. */
function lastWholeWeekStart(nowMs: number): number {
  const today = Date.parse(`${isoDate(nowMs)}T00:00:00Z`);
  const sinceMonday = (new Date(today).getUTCDay() + 6) % 7;
  return today - sinceMonday * DAY - 7 * DAY;
}

// Needs app-config.yaml's webhook secret and its approved binding of
// component:default/storefront to acme/storefront, and no GitHub token
// (lead time then says why it has no value).
test('a week of production deploys rates storefront elite for deployment frequency on its Deploys tab', async ({
  page,
  request,
}) => {
  test.setTimeout(180_000);
  const monday = lastWholeWeekStart(Date.now());
  const base = 100_000_000 + Math.floor(Math.random() * 800_000_000);
  // A successful production deploy on each of the week's seven days.
  const seeded: SeededDeployment[] = [0, 1, 2, 3, 4, 5, 6].map(day => ({
    id: base + day,
    sha: randomBytes(20).toString('hex'),
    createdAt: new Date(monday + day * DAY + 10 * 3_600_000),
    terminal: 'success',
  }));

  await page.goto('/');
  await page.getByRole('button', { name: 'Enter' }).click();
  const tile = page.getByRole('group', {
    name: 'Deployment frequency',
    exact: true,
  });
  // The project sync may not have tracked the entity yet: deliver again
  // (the same deployments and statuses) until the week is rated.
  await expect(async () => {
    await deliverAll(request, seeded);
    await page.goto('/catalog/default/component/storefront/deploys');
    await page.getByLabel('Range').selectOption('custom');
    await page.getByLabel('From', { exact: true }).fill(isoDate(monday));
    await page
      .getByLabel('To', { exact: true })
      .fill(isoDate(monday + 6 * DAY));
    await expect(tile).toContainText('elite', { timeout: 10_000 });
  }).toPass({ timeout: 120_000, intervals: [2_000, 5_000] });

  await expect(tile).toContainText('7');
  // Without integrations.github credentials lead time has no value, and
  // says why.
  await expect(
    page.getByRole('group', { name: 'Lead time for changes', exact: true }),
  ).toContainText('GitHub credentials');
  await page.screenshot({
    path: 'e2e-test-results/opshub-dora.png',
    fullPage: true,
  });
});
