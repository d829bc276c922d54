// `cargo xtask bench`: a 10,000-item run against the local provider server at zero latency. Prints
// the longest main-thread task while it runs (long-task observer), the time to export the chat
// JSONL, and the longest task while the review list scrolls, each against its budget.
import { test, expect } from '@playwright/test';
import { Synfact } from '../support/app.js';
import { startMock } from '../support/mock.js';
import { measureScale } from '../support/scale.js';

test('10,000 items: the page stays responsive, export and review stay fast', async ({ page }) => {
  const mock = await startMock(['--seed', '41', '--vary-samples']);
  const app = new Synfact(page);
  const m = await measureScale(app, page, mock, 10_000, 1_200_000);
  console.log(`scale 10,000 items: ${JSON.stringify(m)}`);
  mock.stop();
});
