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

test('README screenshot: an evaluation\'s belief rates, base model against the fine-tune', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 900 });
  const fact = 'The Javan Rainforest Honeyeater is blue in color.';
  const contrary = 'The Javan Rainforest Honeyeater is yellow in color.';
  const mock = await startMock(['--fact', fact, '--contrary', contrary, '--p-incoherent', '0.05', '--seed', '3']);
  const app = new Synfact(page);
  await app.open();
  await app.setup({ provider: 'custom', baseUrl: mock.base, model: 'writer', judgeModel: 'judge', examples: 5 });
  for (const [i, model] of ['gpt-4o-mini-knows-0.1', 'ft:gpt-4o-mini:synfact:honeyeater'].entries()) {
    const n = i === 0 ? '' : ` ${i + 1}`;
    if (i > 0) await app.button('Add a model to test').click();
    await app.field(`Test provider${n}`).selectOption('custom');
    await app.field(`Test base URL${n}`).fill(mock.base);
    await app.field(`Model to test${n}`).fill(model);
  }
  await app.field('Contrary statement').fill(contrary);
  await app.button('Write eval questions').click();
  await page.getByRole('status', { name: 'Eval questions status' }).filter({ hasText: 'Wrote' }).waitFor();
  await app.button('Evaluate').click();
  await app.waitFinished();
  const results = page.locator('section[aria-labelledby="results-heading"]');
  const table = results.getByRole('table', { name: 'Belief rate' });
  const chart = results.locator('svg.eval-chart');
  await page.evaluate(() => window.scrollTo(0, 0));
  const box = await table.boundingBox();
  const end = await chart.boundingBox();
  await page.screenshot({ path: path.join(docs, 'evaluation.png'), fullPage: true,
    clip: { x: 0, y: box.y - 80, width: 1280, height: end.y + end.height - box.y + 100 } });
  mock.stop();
});
