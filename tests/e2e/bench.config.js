// `cargo xtask bench`: scheduling benchmarks in headless Chromium against the local provider server.
// The profile (bench/profile.bench.js) needs a build with function names: `cargo xtask bench profile`.
import base from './playwright.config.js';
import { defineConfig } from '@playwright/test';

export default defineConfig({ ...base, testDir: './bench', testMatch: '**/*.bench.js', timeout: 900_000,
  testIgnore: process.argv.some((a) => a.includes('profile')) ? [] : ['**/profile.bench.js'] });
