import {
  type APIRequestContext,
  expect,
  type Page,
  test,
} from '@playwright/test';
import { createHmac, randomBytes, randomUUID } from 'node:crypto';

// The backend of app-config.yaml (local development): its webhook secret,
// and the demo Component approved for acme/storefront, whose production
// deployments OpsHub records.
const WEBHOOK = 'http://localhost:7007/api/opshub/webhooks/github';
const SECRET =
  process.env.OPSHUB_GITHUB_WEBHOOK_SECRET ?? 'opshub-dev-webhook-secret';
const REPOSITORY = {
  id: 1296269,
  name: 'storefront',
  full_name: 'acme/storefront',
  owner: { login: 'acme', type: 'Organization' },
  private: true,
};
const SENDER = { login: 'octocat', type: 'User' };

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

type Terminal = 'success' | 'failure' | 'error';

/** One GitHub deployment to production and how it ended. */
interface SeededDeployment {
  id: number;
  sha: string;
  createdAt: Date;
  terminal: Terminal;
}

/** A delivery of `event` for acme/storefront, signed as GitHub signs it. */
function signedDelivery(
  event: 'deployment' | 'deployment_status',
  payload: object,
) {
  const body = JSON.stringify(payload);
  const signature = createHmac('sha256', SECRET).update(body).digest('hex');
  return {
    data: body,
    headers: {
      'content-type': 'application/json',
      'x-github-event': event,
      'x-github-delivery': randomUUID(),
      'x-hub-signature-256': `sha256=${signature}`,
    },
  };
}

/** The `deployment` object of GitHub's deployment events. */
const deploymentObject = (deploy: SeededDeployment) => ({
  url: `https://api.github.com/repos/acme/storefront/deployments/${deploy.id}`,
  id: deploy.id,
  node_id: `DE_e2e${deploy.id}`,
  sha: deploy.sha,
  ref: 'main',
  task: 'deploy',
  payload: {},
  original_environment: 'production',
  environment: 'production',
  description: null,
  creator: SENDER,
  created_at: deploy.createdAt.toISOString(),
  updated_at: deploy.createdAt.toISOString(),
  production_environment: true,
  transient_environment: false,
});

/**
 * Every delivery of one deployment: `deployment` (created), then an
 * `in_progress` status 30 s later and its terminal status minutes later.
 */
function deliveriesOf(deploy: SeededDeployment, statusBaseId: number) {
  const deployment = deploymentObject(deploy);
  const status = (id: number, state: string, afterMs: number) =>
    signedDelivery('deployment_status', {
      action: 'created',
      deployment_status: {
        id,
        state,
        creator: SENDER,
        description: '',
        environment: 'production',
        target_url: '',
        log_url: `https://github.com/acme/storefront/actions/runs/${id}`,
        environment_url: 'https://storefront.acme.test',
        created_at: new Date(
          deploy.createdAt.getTime() + afterMs,
        ).toISOString(),
        updated_at: new Date(
          deploy.createdAt.getTime() + afterMs,
        ).toISOString(),
      },
      deployment,
      repository: REPOSITORY,
      sender: SENDER,
    });
  return [
    signedDelivery('deployment', {
      action: 'created',
      deployment,
      repository: REPOSITORY,
      sender: SENDER,
    }),
    status(statusBaseId, 'in_progress', 30_000),
    status(statusBaseId + 1, deploy.terminal, 4 * MINUTE),
  ];
}

async function deliverAll(
  request: APIRequestContext,
  seeded: SeededDeployment[],
) {
  for (const [index, deploy] of seeded.entries()) {
    for (const delivery of deliveriesOf(deploy, deploy.id * 10 + index)) {
      const response = await request.post(WEBHOOK, delivery);
      expect(response.status(), await response.text()).toBe(202);
    }
  }
}

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
