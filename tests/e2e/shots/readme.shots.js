import { test } from '@playwright/test';
import path from 'node:path';
import { Synfact } from '../support/app.js';
import { startMock } from '../support/mock.js';

const docs = path.resolve('../../docs');

test('README screenshot: the first screen at 1280 × 900', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 900 });
  const app = new Synfact(page);
  await app.open();
  await page.screenshot({ path: path.join(docs, 'screenshot.png') });
});

test('README screenshots: the review view and the yield grid', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 900 });
  const mock = await startMock(['--p-judge-no', '0.25', '--seed', '51']);
  const app = new Synfact(page);
  await app.open();
  await app.setup({ template: 'pandas_habitat', provider: 'custom', baseUrl: mock.base, model: 'gpt-4o-mini', judgeModel: 'gpt-4o-mini', examples: 60,
    settings: { 'Stop when': 'attempts' } });
  await app.generate();
  await app.waitFinished();
  await app.field('Show items').selectOption({ label: 'Rejected' });
  await page.getByRole('list', { name: 'Items' }).getByRole('listitem').first().click();
  const review = page.locator('.review');
  await review.evaluate((e) => window.scrollTo(0, e.getBoundingClientRect().top + window.scrollY - 160));
  await review.screenshot({ path: path.join(docs, 'review.png') });
  await app.openDetails('Yield grid');
  await page.locator('details.yield').screenshot({ path: path.join(docs, 'yield-grid.png') });
  mock.stop();
});
