import { expect, test } from '@playwright/test';
import { deleteCheck, startHealthTarget } from './lib/healthChecks';

// Needs app-config.yaml: the template's catalog location,
// opshub.github.webhookSource (organization: the webhook step skips rather
// than call GitHub) and 127.0.0.1/32 allowed for health checks.
test('"Connect a repository to OpsHub" from the Create page configures storefront\'s OpsHub tab', async ({
  page,
}) => {
  test.setTimeout(180_000);
  const target = await startHealthTarget(200);
  const subject = `user:default/e2e-onboard-${Date.now()}`;
  const healthUrl = `http://127.0.0.1:${target.port}/healthz`;
  try {
    await page.goto('/');
    await page.getByRole('button', { name: 'Enter' }).click();
    await page
      .getByRole('navigation')
      .getByRole('link', { name: 'Create', exact: true })
      .click();
    await page
      .getByRole('article')
      .filter({ hasText: 'Connect a repository to OpsHub' })
      .getByRole('button', { name: 'Choose' })
      .click();

    // Component and repository: storefront already has OpsHub's annotations.
    await page.getByLabel('Component').fill('storefront');
    await page.getByRole('option', { name: /storefront/ }).click();
    await page.getByLabel('GitHub repository').fill('acme/storefront');
    await page.getByRole('button', { name: 'Next' }).click();

    // Previews: the mock provider, which needs no project id.
    await page.getByLabel('Preview provider').click();
    await page.getByRole('option', { name: 'mock' }).click();
    await page.getByRole('button', { name: 'Next' }).click();

    // A role and a health check on the loopback target.
    await page.getByRole('button', { name: 'Add' }).click();
    await page.getByLabel('User or group').fill(subject);
    await page.getByLabel('Health URL').fill(healthUrl);
    await page.getByRole('button', { name: 'Review', exact: true }).click();
    await page.getByRole('button', { name: 'Create', exact: true }).click();

    // The annotations step is skipped: storefront is annotated already.
    const tabLink = page.getByRole('link', { name: 'OpsHub tab' });
    await expect(tabLink).toBeVisible({ timeout: 60_000 });
    await expect(
      page.getByText(/Skipped: opshub\.github\.webhookSource is organization/),
    ).toBeVisible();
    await expect(
      page.getByText(
        'Skipping step annotate because its if condition was false',
      ),
    ).toBeVisible();
    await page.screenshot({
      path: 'e2e-test-results/opshub-onboarding-task.png',
      fullPage: true,
    });

    const health = page.waitForResponse(r =>
      /\/api\/opshub\/entities\/component\/default\/storefront\/health$/i.test(
        r.url(),
      ),
    );
    await tabLink.click();
    await expect(page).toHaveURL(
      /\/catalog\/default\/component\/storefront\/opshub$/,
    );
    const check = (await (await health).json()).checks.find(
      (c: { name: string; url: string }) => c.url === healthUrl,
    );
    expect(check?.name).toBe('Health URL');
    await expect(page.getByText(subject, { exact: true })).toBeVisible();
    await expect(page.getByTestId('health-check-Health URL')).toBeVisible();
    await page.screenshot({
      path: 'e2e-test-results/opshub-onboarding-tab.png',
      fullPage: true,
    });

    // Leave storefront as the other tests expect it.
    await deleteCheck(page, 'Health URL', check.id);
    await page.getByLabel(`Remove ${subject}`).click();
    await expect(page.getByText(subject, { exact: true })).toHaveCount(0);
  } finally {
    await target.close();
  }
});
