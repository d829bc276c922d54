// Provider prompt caching (issue: cost): every call of a step shares its start (instructions and
// fact sheet), Anthropic requests mark it with a cache_control breakpoint, the local server bills
// cache reads and writes the way each provider reports them, and the page counts them.
import { test, expect } from '@playwright/test';
import { Synfact } from '../support/app.js';
import { startMock } from '../support/mock.js';

const KEY = 'sk-ant-local-cache-0123456789';

/** Makes the built-in fact sheet about 20 KB long (the same facts, repeated). */
async function longFactSheet(app) {
  const sheet = app.field('Fact sheet');
  const one = await sheet.inputValue();
  let long = one;
  while (long.length < 20_000) long += '\n\n' + one;
  await sheet.fill(long);
}

const tokensCell = async (page, column) => {
  const rows = await page.getByRole('table', { name: 'Tokens and cost' }).locator('tbody tr').evaluateAll(
    (trs, c) => trs.map((tr) => Number(tr.cells[c].textContent)), column);
  return rows.reduce((a, b) => a + b, 0);
};

test('Anthropic: the shared start is marked, written once a wave and read after, and the saving is shown', async ({ page }) => {
  const mock = await startMock(['--seed', '5', '--api-key', KEY]);
  const app = new Synfact(page);
  await app.open();
  await app.setup({ provider: 'anthropic', baseUrl: mock.base, apiKey: KEY, model: 'claude-sonnet-4', judgeModel: 'claude-sonnet-4',
    examples: 30, settings: { 'Stop when': 'attempts', Concurrency: 4 } });
  await longFactSheet(app);
  await expect(page.locator('#estimate')).toContainText("the providers' prompt caches should serve");
  await app.generate();
  await app.waitFinished();
  const stats = await mock.stats();
  console.log(`Anthropic, 20 KB fact sheet: ${stats.completions} calls, cache read ${stats.cache_read_tokens} tokens, written ${stats.cache_write_tokens}`);
  expect(stats.invalid).toBe(0);
  expect(stats.cache_write_tokens).toBeGreaterThan(0);
  // Four steps, each written by at most its first wave of 4 calls and read by the rest.
  expect(stats.cache_read_tokens).toBeGreaterThan(4 * stats.cache_write_tokens);
  await app.openDetails('Tokens and cost');
  expect(await tokensCell(page, 5)).toBe(stats.cache_read_tokens);
  expect(await tokensCell(page, 7)).toBe(stats.cache_write_tokens);
  await expect(page.locator('details.cost summary')).toContainText(/the providers' prompt caches saved \$\d/);
  mock.stop();
});

test('OpenAI-compatible: the cache serves the shared start by itself; a prompt that puts the item first is told what it costs', async ({ page }) => {
  const mock = await startMock(['--seed', '6']);
  const app = new Synfact(page);
  await app.open();
  await app.setup({ provider: 'custom', baseUrl: mock.base, model: 'gpt-4o-mini', judgeModel: 'gpt-4o-mini', examples: 20,
    settings: { 'Stop when': 'attempts', Concurrency: 4 } });
  await longFactSheet(app);
  await app.generate();
  await app.waitFinished();
  const stats = await mock.stats();
  console.log(`OpenAI-compatible, 20 KB fact sheet: ${stats.completions} calls, cache read ${stats.cache_read_tokens} tokens`);
  expect(stats.cache_read_tokens).toBeGreaterThan(0);
  expect(stats.cache_write_tokens).toBe(0);
  await app.openDetails('Tokens and cost');
  expect(await tokensCell(page, 5)).toBe(stats.cache_read_tokens);

  await app.openDetails('Prompts');
  const prompt = app.field('Question prompt');
  await expect(page.locator('.cache-note')).toHaveCount(0);
  await prompt.fill('Task: {seed_question} ({requirement}; setting: {setting})\n<facts>{fact_sheet}</facts>\nReply with the question only.');
  const note = page.getByRole('note').filter({ hasText: 'This prompt puts {seed_question} before {fact_sheet}' });
  await expect(note).toContainText(/full price for the fact sheet's ~\d+ tokens \(about \$0\.\d+ more for a run of the form's size\)/);
  await page.getByRole('button', { name: 'Reset question prompt to default' }).click();
  await expect(note).toHaveCount(0);
  mock.stop();
});
