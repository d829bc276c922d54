// `npx playwright test --config shots.config.js` (with the variables `cargo xtask test` sets): the
// README's screenshots, taken from the release build against the local provider server.
import base from './playwright.config.js';
import { defineConfig } from '@playwright/test';

export default defineConfig({ ...base, testDir: './shots', testMatch: '**/*.shots.js' });
