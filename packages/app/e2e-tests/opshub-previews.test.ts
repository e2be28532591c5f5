import { type APIRequestContext, expect, test } from '@playwright/test';
import { createHmac, randomUUID } from 'node:crypto';

// The backend of app-config.yaml (local development): its webhook secret,
// and the demo Component whose previews come from the mock provider.
const WEBHOOK = 'http://localhost:7007/api/opshub/webhooks/github';
const SECRET =
  process.env.OPSHUB_GITHUB_WEBHOOK_SECRET ?? 'opshub-dev-webhook-secret';

/** A pull_request delivery for acme/storefront, signed as GitHub signs it. */
function pullRequestDelivery(
  action: 'opened' | 'closed',
  pr: { number: number; sha: string; updatedAt: string },
) {
  const repo = { full_name: 'acme/storefront' };
  const body = JSON.stringify({
    action,
    number: pr.number,
    pull_request: {
      number: pr.number,
      title: 'End-to-end preview',
      updated_at: pr.updatedAt,
      draft: false,
      merged: action === 'closed',
      user: { login: 'octocat' },
      labels: [],
      head: { sha: pr.sha, ref: `e2e-${pr.number}`, repo },
      base: { ref: 'main', repo },
    },
    repository: repo,
  });
  const signature = createHmac('sha256', SECRET).update(body).digest('hex');
  return {
    data: body,
    headers: {
      'content-type': 'application/json',
      'x-github-event': 'pull_request',
      'x-github-delivery': randomUUID(),
      'x-hub-signature-256': `sha256=${signature}`,
    },
  };
}

async function deliver(
  request: APIRequestContext,
  delivery: ReturnType<typeof pullRequestDelivery>,
) {
  const response = await request.post(WEBHOOK, delivery);
  expect(response.status()).toBe(202);
}

test('a pull request webhook makes its preview appear ready in the open tab, and closing it takes it down', async ({
  page,
  request,
}) => {
  await page.goto('/');
  await page.getByRole('button', { name: 'Enter' }).click();
  await page.getByRole('link', { name: 'storefront', exact: true }).click();
  await page
    .getByRole('main')
    .getByRole('link', { name: 'Previews', exact: true })
    .click();
  await expect(page).toHaveURL(
    /\/catalog\/default\/component\/storefront\/previews$/,
  );

  const number = 1000 + Math.floor(Math.random() * 9000);
  const sha = randomUUID().replace(/-/g, '').padEnd(40, '0');
  const row = page.getByText(`#${number} End-to-end preview`);
  // The project sync may not have tracked the entity yet: deliver again
  // (each a new delivery) until the preview shows, as GitHub's next event would.
  await expect(async () => {
    await deliver(
      request,
      pullRequestDelivery('opened', {
        number,
        sha,
        updatedAt: new Date().toISOString(),
      }),
    );
    await expect(row).toBeVisible({ timeout: 5_000 });
  }).toPass({ timeout: 60_000 });

  // No reload from here on: the backend's signals update the open tab.
  const link = page.getByRole('link', {
    name: `storefront-pr-${number}.preview.opshub.test`,
  });
  await expect(link).toBeVisible({ timeout: 30_000 });

  await deliver(
    request,
    pullRequestDelivery('closed', {
      number,
      sha,
      updatedAt: new Date(Date.now() + 1000).toISOString(),
    }),
  );
  await expect(link).toBeHidden({ timeout: 30_000 });
  await expect(page.getByText('destroyed').first()).toBeVisible();

  await page.screenshot({
    path: 'e2e-test-results/opshub-previews-tab.png',
    fullPage: true,
  });
});
