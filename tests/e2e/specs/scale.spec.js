// Scale (issue: ship): 2,000 items at zero latency with the budgets of the 10,000-item benchmark:
// no main-thread task over 100 ms while the run goes, export under a second, smooth review list.
import { test, expect } from '@playwright/test';
import { Synfact } from '../support/app.js';
import { startMock } from '../support/mock.js';
import { measureScale } from '../support/scale.js';

// A timing budget on a shared 2-core machine: a run that trips it once is measured again.
test.describe.configure({ retries: 2 });

test('2,000 items keep the page responsive, export fast and the review list smooth', async ({ page }) => {
  const mock = await startMock(['--seed', '42', '--vary-samples']);
  const m = await measureScale(new Synfact(page), page, mock, 2_000, 600_000);
  console.log(`scale 2,000 items: ${JSON.stringify(m)}`);
  // N attempts: a near-duplicate question or two may be rejected.
  expect(m.lines).toBeGreaterThanOrEqual(1_990);
  expect(m.longestTaskDuringRunMs).toBeLessThanOrEqual(100);
  expect(m.exportMs).toBeLessThan(1_000);
  expect(m.longestTaskDuringExportMs).toBeLessThanOrEqual(100);
  expect(m.longestTaskWhileScrollingMs).toBeLessThanOrEqual(100);
  mock.stop();
});
