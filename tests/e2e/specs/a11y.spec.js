// Accessibility (issue: ship): axe-core finds no violations on the first screen, after a run with
// the review open, and a keyboard alone can set up, start a run, review and download.
import { test, expect } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { Synfact } from '../support/app.js';
import { startMock } from '../support/mock.js';

async function violations(page) {
  const r = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  return r.violations.map((v) => `${v.id}: ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
}

test('no axe violations on the first screen or with a run under review', async ({ page }) => {
  const mock = await startMock(['--p-judge-no', '0.3', '--seed', '31']);
  const app = new Synfact(page);
  await app.open();
  expect(await violations(page)).toEqual([]);
  await app.setup({ provider: 'custom', baseUrl: mock.base, model: 'm', judgeModel: 'j', examples: 6, settings: { 'Stop when': 'attempts' } });
  await app.generate();
  await app.waitFinished();
  await page.getByRole('list', { name: 'Items' }).getByRole('listitem').first().click();
  for (const s of ['Tokens and cost', 'Quality report', 'Yield grid', 'Push to the Hugging Face Hub']) await app.openDetails(s);
  expect(await violations(page)).toEqual([]);
  mock.stop();
});

test('the keyboard alone sets up a run, starts it, reviews an item and downloads', async ({ page }) => {
  const mock = await startMock(['--seed', '32']);
  const app = new Synfact(page);
  await app.open();
  /** Tabs until the focused element has this accessible label (a field) or text (a button). */
  async function tabTo(name, limit = 200) {
    for (let i = 0; i < limit; i++) {
      await page.keyboard.press('Tab');
      const here = await page.evaluate(() => {
        const e = document.activeElement;
        if (!e) return '';
        const label = e.id && document.querySelector(`label[for="${e.id}"]`);
        return (label ? label.textContent : e.getAttribute('aria-label') || e.textContent || '').trim();
      });
      if (here === name) return;
    }
    throw new Error(`Tab never reached ${name}`);
  }
  // The first Tab reaches the skip link, which takes the keyboard past the template's lists.
  await page.keyboard.press('Tab');
  await expect(page.getByRole('link', { name: 'Skip to provider and models' })).toBeFocused();
  await page.keyboard.press('Enter');
  await tabTo('Provider', 3);
  await page.keyboard.press('End');
  await tabTo('Base URL');
  await page.keyboard.press('Control+a');
  await page.keyboard.type(mock.base);
  await tabTo('Model');
  await page.keyboard.press('Control+a');
  await page.keyboard.type('m');
  await tabTo('Judge model');
  await page.keyboard.press('Control+a');
  await page.keyboard.type('j');
  await tabTo('Examples');
  await page.keyboard.press('Control+a');
  await page.keyboard.type('3');
  await page.keyboard.press('Enter');
  await app.waitFinished();
  await tabTo('Show items');
  // Into the list, open the first item with Enter, reject it with R.
  const first = page.getByRole('list', { name: 'Items' }).getByRole('listitem').first();
  for (let i = 0; i < 40 && !(await first.evaluate((e) => e === document.activeElement)); i++) await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  await page.keyboard.press('r');
  await expect(page.getByRole('heading', { name: /^Item 1 — / })).toContainText('you rejected');
  await tabTo('Download chat JSONL');
  const [d] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('Enter')]);
  expect(d.suggestedFilename()).toBe('blue_honeyeater_chat.jsonl');
  mock.stop();
});
