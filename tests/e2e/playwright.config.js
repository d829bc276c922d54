// End-to-end tests: the release build (dist/) in Debian's headless Chromium, against the local
// provider server. `cargo xtask test` builds both and sets SYNFACT_DIST, MOCK_PROVIDER_BIN and CHROMIUM.
import { defineConfig } from '@playwright/test';
import { chromiumArgs } from './support/browser.js';

export default defineConfig({
  testDir: './specs',
  timeout: 240_000,
  expect: { timeout: 20_000 },
  workers: 1,
  reporter: [['list']],
  globalSetup: './support/global-setup.js',
  use: {
    acceptDownloads: true,
    ignoreHTTPSErrors: true,
    launchOptions: { executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: chromiumArgs },
  },
});
