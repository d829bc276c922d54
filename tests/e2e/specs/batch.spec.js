// Runs sent through the provider's batch service (OpenAI's Batch API on the local server): the
// same JSONL as the same run live, a tab closed while a round is at the provider and a fresh page
// finishing it, expired and failed batches, Cancel, and a provider whose batch routes refuse a
// browser (the run goes on live without asking anything twice).
import { test, expect } from '@playwright/test';
import { Synfact, parseLines, FINISHED } from '../support/app.js';
import { startMock } from '../support/mock.js';

const AT_PROVIDER = /^Running as a batch: round (\d+) of (\d+): ([\d,]+) of ([\d,]+) done at the provider/;

async function setupBatch(app, mock, examples, send = 'batch') {
  await app.setup({ provider: 'custom', baseUrl: mock.base, model: 'gpt-4o-mini', judgeModel: 'gpt-4o-mini', examples,
    settings: { 'Stop when': 'attempts' } });
  await app.field('Send calls').selectOption(send);
}

/** The rounds the status line showed, read while the run goes (round number → lines). */
async function watchRounds(app, until) {
  const rounds = new Map();
  const end = Date.now() + until;
  while (Date.now() < end) {
    const text = (await app.status().textContent()).trim();
    if (FINISHED.test(text)) break;
    const m = text.match(AT_PROVIDER);
    if (m) rounds.set(Number(m[1]), Number(m[4].replace(/,/g, '')));
    await app.page.waitForTimeout(100);
  }
  return rounds;
}

test('a 200-item run sent as batches, with a tenth of its lines failing, gives the JSONL of the same run live', async ({ browser }) => {
  test.setTimeout(240_000);
  const live = await startMock([]);
  const liveCtx = await browser.newContext();
  const a = new Synfact(await liveCtx.newPage());
  await a.open();
  await setupBatch(a, live, 200, 'live');
  await a.generate();
  await a.waitFinished(120_000);
  const liveChat = await a.download('Download chat JSONL');
  await liveCtx.close();
  live.stop();

  const mock = await startMock(['--p-500', '0.1', '--batch-step-ms', '200']);
  const ctx = await browser.newContext();
  const app = new Synfact(await ctx.newPage());
  await app.open();
  await setupBatch(app, mock, 200);
  await expect(app.page.getByText(/at batch prices \(half the list price/)).toBeVisible();
  await app.generate();
  const rounds = await watchRounds(app, 200_000);
  const status = await app.waitFinished(30_000);
  const stats = await mock.stats();
  console.log(`batch: rounds ${JSON.stringify([...rounds])}; ${stats.batches_created} batches, ${stats.batch_lines} lines run, ${stats.faults.server_error ?? 0} failed with 500; ${status}`);
  const chat = await app.download('Download chat JSONL');
  expect(parseLines(chat.lines).length).toBe(200);
  expect(chat.text).toBe(liveChat.text);
  // Four rounds, then rounds of the failed lines' retries.
  expect(stats.batches_created).toBeGreaterThan(4);
  expect(rounds.get(1)).toBe(200);
  // Live calls: none; every call went through a batch.
  expect(stats.by_route.chat_completions).toBe(stats.batch_lines);
  // Tokens and cost counts the batch price.
  const { items } = await app.newestRun();
  expect(items[0].usage[0].batch_input_tokens).toBe(items[0].usage[0].input_tokens);
  await ctx.close();
  mock.stop();
});

test('the tab closed while a round is at the provider: a fresh page follows the same batch and finishes', async ({ browser }) => {
  test.setTimeout(120_000);
  // The provider's clock stands still until the test moves it.
  const mock = await startMock(['--batch-step-ms', '600000']);
  const ctx = await browser.newContext();
  let page = await ctx.newPage();
  let app = new Synfact(page);
  await app.open();
  await setupBatch(app, mock, 20);
  await app.generate();
  await expect(app.status()).toHaveText(/^Running as a batch: round 1 of 4: 0 of 20 done at the provider\. You can close this tab/, { timeout: 20_000 });
  await expect.poll(async () => (await app.newestRun()).run?.batch?.jobs?.[0]?.batch_id ?? null, { timeout: 10_000 }).toMatch(/^batch/);
  await page.evaluate(() => document.getElementById('send-as').scrollIntoView({ block: 'center' }));
  await page.screenshot({ path: 'test-results/batch-waiting.png' });
  await page.close();

  // Opened again with the form complete (this server needs no key), the page follows the round
  // by itself; with the provider's clock still, it waits on it.
  page = await ctx.newPage();
  app = new Synfact(page);
  await app.open();
  await expect(app.status()).toHaveText(/^Running as a batch: round 1 of 4: 0 of 20 done at the provider/, { timeout: 10_000 });
  await mock.control({ batch_step_ms: 150 });
  await app.waitFinished(60_000);
  const stats = await mock.stats();
  // The first round was followed, not submitted again: four batches, 80 lines, each run once.
  expect(stats.batches_created).toBe(4);
  expect(stats.batch_lines).toBe(80);
  expect(parseLines((await app.download('Download chat JSONL')).lines).length).toBe(20);
  await ctx.close();
  mock.stop();
});

test('an expired batch keeps what finished and a failed one says why; both go on when resumed', async ({ page }) => {
  test.setTimeout(120_000);
  const mock = await startMock(['--batch-step-ms', '150', '--batch-expire-share', '0.25']);
  const app = new Synfact(page);
  await app.open();
  await setupBatch(app, mock, 20);
  await mock.control({ batch_fail: 'Model parameter is required.' });
  await app.generate();
  await expect(app.status()).toHaveText(/^Paused: the provider's validation failed the batch: line 1: Model parameter is required\. .*Nothing is lost: 0 of 20 items done/, { timeout: 20_000 });
  // Resumed, the lines the provider leaves unrun (a quarter of each batch) go in later rounds.
  await app.button('Resume').click();
  await app.waitFinished(90_000);
  const stats = await mock.stats();
  expect(stats.batches_created).toBeGreaterThan(5);
  // Lines run: 80 calls, each once (an expired line was never run).
  expect(stats.batch_lines).toBe(80);
  expect(parseLines((await app.download('Download chat JSONL')).lines).length).toBe(20);
  mock.stop();
});

test('Cancel cancels the batch at the provider; Resume submits the round again', async ({ page }) => {
  test.setTimeout(90_000);
  // The routes answer the first two calls with a 429: tried again, not a failure.
  const mock = await startMock(['--batch-step-ms', '600000', '--batch-429', '2']);
  const app = new Synfact(page);
  await app.open();
  await setupBatch(app, mock, 10);
  await app.generate();
  await expect(app.status()).toHaveText(AT_PROVIDER, { timeout: 20_000 });
  await expect.poll(async () => (await app.newestRun()).run?.batch?.jobs?.[0]?.batch_id ?? null, { timeout: 10_000 }).toMatch(/^batch/);
  await app.button('Cancel').click();
  await expect(app.status()).toHaveText(/^Cancelled: 0 of 10 items done/);
  await expect.poll(async () => (await mock.stats()).batches_cancelled, { timeout: 10_000 }).toBe(1);
  expect((await app.newestRun()).run.batch).toBeUndefined();
  await mock.control({ batch_step_ms: 150 });
  await app.button('Resume').click();
  await app.waitFinished(60_000);
  const stats = await mock.stats();
  expect(stats.batches_created).toBe(5);
  expect(stats.batch_429).toBe(2);
  mock.stop();
});

test('batch routes that refuse a browser pause the run, which goes on live without asking anything twice', async ({ page }) => {
  test.setTimeout(90_000);
  const mock = await startMock(['--no-cors', '/v1/files,/v1/batches']);
  const app = new Synfact(page);
  await app.open();
  await setupBatch(app, mock, 12);
  await app.generate();
  await expect(app.status()).toHaveText(/^Paused: the provider's batch routes \(\/files, \/batches\) did not answer this browser .*choose Send calls: Live and press Resume/, { timeout: 20_000 });
  expect((await mock.stats()).requests).toBe(0);
  await app.field('Send calls').selectOption('live');
  await app.button('Resume').click();
  await app.waitFinished(60_000);
  const stats = await mock.stats();
  expect(stats.requests).toBe(48);
  expect(stats.batches_created).toBe(0);
  mock.stop();
});

test('a run with an Anthropic model cannot be sent as a batch from the page, and says so at the field', async ({ page }) => {
  const mock = await startMock([]);
  const app = new Synfact(page);
  await app.open();
  await app.setup({ provider: 'anthropic', baseUrl: mock.base, apiKey: 'sk-ant-test', model: 'claude-sonnet-4', judgeModel: 'claude-sonnet-4', examples: 5 });
  await app.field('Send calls').selectOption('batch');
  await app.generate();
  await expect(page.getByText(/Send calls: Anthropic's Message Batches do not answer a browser/).first()).toBeVisible();
  expect((await mock.stats()).requests).toBe(0);
  mock.stop();
});

test('a round file the provider refuses pauses the run with the provider\'s words; live finishes it', async ({ page }) => {
  test.setTimeout(60_000);
  const mock = await startMock(['--batch-max-bytes', '2000']);
  const app = new Synfact(page);
  await app.open();
  await setupBatch(app, mock, 6);
  await app.generate();
  await expect(app.status()).toHaveText(/^Paused: the provider refused the round's file \(HTTP 400\): File is too large: \d+ bytes\. A batch input file may be at most 2000 bytes\. Lower Examples, or choose Send calls: Live, and press Resume\. Nothing is lost/, { timeout: 20_000 });
  await app.field('Send calls').selectOption('live');
  await app.button('Resume').click();
  await app.waitFinished(30_000);
  expect((await mock.stats()).requests).toBe(24);
  mock.stop();
});
