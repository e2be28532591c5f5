import { defineConfig } from '@playwright/test';

// The end-to-end test drives Debian's chromium (never a downloaded browser)
// against the real backend (:7007) serving the production build of the
// frontend (the app backend plugin, as in a deployment), which Playwright
// builds and starts here and stops, with every process it started, when it
// is done. The development server's unbundled pages took two to three times
// as long to load: 6.6 min for the ten tests against 2.9 min.
const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export default defineConfig({
  testDir: 'packages/app/e2e-tests',
  timeout: 120_000,
  expect: { timeout: 30_000 },
  forbidOnly: !!process.env.CI,
  retries: 0,
  workers: 1,
  reporter: process.env.PLAYWRIGHT_JSON_OUTPUT_NAME
    ? [['list'], ['json']]
    : [['list']],
  outputDir: 'e2e-test-results/artifacts',
  webServer: {
    command: 'yarn workspace app build && yarn start backend',
    url: 'http://localhost:7007/.backstage/health/v1/readiness',
    reuseExistingServer: !process.env.CI,
    timeout: 180_000,
    stdout: 'ignore',
    stderr: 'pipe',
    // The frontend is served from the backend's origin.
    env: { APP_CONFIG_app_baseUrl: 'http://localhost:7007' },
  },
  use: {
    baseURL: 'http://localhost:7007',
    browserName: 'chromium',
    launchOptions: {
      executablePath: process.env.OPSHUB_CHROMIUM ?? '/usr/bin/chromium',
      args: chromiumArgs,
    },
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
  },
});
