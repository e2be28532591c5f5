import { expect, type Page, test } from '@playwright/test';
import { randomBytes } from 'node:crypto';
import {
  DAY,
  deliverAll,
  type SeededDeployment,
  type Terminal,
} from './lib/githubDeployments';

/** The Deploys tab of storefront, over 30 days of production deploys. */
async function openProductionDeploys(page: Page) {
  await page.goto('/catalog/default/component/storefront/deploys');
  await page.getByLabel('Environment').selectOption('production');
}

// Needs app-config.yaml's webhook secret and its approved binding of
// component:default/storefront to acme/storefront; production environments
// are the default ones (production, prod*).
test('signed GitHub deployment webhooks show on the Deploys tab of the entity and in the deploys overview', async ({
  page,
  request,
}) => {
  test.setTimeout(180_000);
  // A random base, so that a rerun against the same backend adds new
  // deployments instead of coalescing with the previous run's.
  const base = 100_000_000 + Math.floor(Math.random() * 800_000_000);
  const terminals: Terminal[] = [
    'success',
    'success',
    'failure',
    'success',
    'error',
    'success',
  ];
  const now = Date.now();
  const seeded: SeededDeployment[] = terminals.map((terminal, index) => ({
    id: base + index,
    sha: randomBytes(20).toString('hex'),
    // Over the last five days, the newest half a day ago.
    createdAt: new Date(now - 5 * DAY + index * 0.9 * DAY),
    terminal,
  }));
  const shortSha = (deploy: SeededDeployment) => deploy.sha.slice(0, 7);
  const failed = seeded.find(d => d.terminal === 'failure')!;
  const errored = seeded.find(d => d.terminal === 'error')!;

  await page.goto('/');
  await page.getByRole('button', { name: 'Enter' }).click();
  await page.getByRole('link', { name: 'storefront', exact: true }).click();
  await page
    .getByRole('main')
    .getByRole('link', { name: 'Deploys', exact: true })
    .click();
  await expect(page).toHaveURL(
    /\/catalog\/default\/component\/storefront\/deploys$/,
  );
  await expect(page.getByLabel('Range')).toHaveValue('30');

  // The project sync may not have tracked the entity yet: deliver again
  // (each a new delivery; the deployment and status ids make them the same
  // events) until every seeded deploy has its terminal outcome.
  const rowOf = (deploy: SeededDeployment) =>
    page.getByRole('row').filter({ hasText: shortSha(deploy) });
  await expect(async () => {
    await deliverAll(request, seeded);
    await openProductionDeploys(page);
    for (const deploy of seeded) {
      await expect(
        rowOf(deploy).getByText(
          deploy.terminal === 'success' ? 'succeeded' : 'failed',
          { exact: true },
        ),
      ).toBeVisible({ timeout: 10_000 });
    }
  }).toPass({ timeout: 120_000, intervals: [2_000, 5_000] });

  // The headline figures count at least the seeded deploys.
  const figure = (name: string) =>
    page.getByRole('group', { name, exact: true });
  const figureNumber = async (name: string) =>
    Number((await figure(name).innerText()).trim().split(/\s+/).pop());
  expect(await figureNumber('Deploys')).toBeGreaterThanOrEqual(seeded.length);
  expect(await figureNumber('Failed')).toBeGreaterThanOrEqual(2);
  await expect(figure('Success rate')).toContainText(/\d+\.\d%/);

  // Deploys per day: stacked bars, with the outcomes in the legend.
  const perDay = page
    .locator('.MuiCard-root')
    .filter({ hasText: 'Deploys per day' });
  expect(
    await perDay.locator('.recharts-bar-rectangle').count(),
  ).toBeGreaterThan(0);
  const legend = perDay.locator('.recharts-legend-wrapper');
  await expect(legend).toContainText('Succeeded');
  await expect(legend).toContainText('Failed');

  // A GitHub `failure` is a build failure; an `error` is unknown.
  const failures = page
    .locator('.MuiCard-root')
    .filter({ hasText: 'Failures by class' });
  await expect(failures.locator('.recharts-wrapper')).toContainText('build');
  await expect(failures.locator('.recharts-wrapper')).toContainText('unknown');
  await expect(
    failures.locator('.recharts-bar-rectangle').first(),
  ).toBeVisible();

  // The recent deploys name each failure's class and GitHub's state.
  await expect(rowOf(failed)).toContainText('build');
  await expect(rowOf(failed)).toContainText('failure');
  await expect(rowOf(errored)).toContainText('unknown');
  await expect(rowOf(errored)).toContainText('error');
  await expect(rowOf(failed)).toContainText(`production · ${shortSha(failed)}`);
  await page.screenshot({
    path: 'e2e-test-results/opshub-deploys.png',
    fullPage: true,
  });

  // The org overview reads the daily stats, which the backend recomputes
  // after each recorded deploy.
  const overviewRow = page.getByRole('row').filter({
    has: page.getByRole('link', {
      name: 'component:default/storefront',
      exact: true,
    }),
  });
  await expect(async () => {
    await page.goto('/opshub');
    await expect(page.getByText('Deploys by entity')).toBeVisible();
    await expect(overviewRow).toBeVisible({ timeout: 5_000 });
    const cells = await overviewRow.getByRole('cell').allInnerTexts();
    expect(Number(cells[1])).toBeGreaterThanOrEqual(seeded.length);
  }).toPass({ timeout: 60_000, intervals: [2_000, 5_000] });
  await overviewRow
    .getByRole('link', { name: 'component:default/storefront' })
    .click();
  await expect(page).toHaveURL(
    /\/catalog\/default\/component\/storefront\/deploys$/,
  );
});
