// `cargo xtask bench`: scheduling benchmarks in headless Chromium against the local provider server.
import base from './playwright.config.js';
import { defineConfig } from '@playwright/test';

export default defineConfig({ ...base, testDir: './bench', testMatch: '**/*.bench.js', timeout: 900_000 });
