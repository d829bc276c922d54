// The whole generate loop in the browser, for both protocols (issue: foundation).
import { test, expect } from '@playwright/test';
import { Synfact, KEY_SENTENCE, parseLines } from '../support/app.js';
import { startMock } from '../support/mock.js';

const KEY = 'sk-test-0123456789abcdef';
let mock;

test.beforeEach(async () => {
  mock = await startMock(['--api-key', KEY]);
});
test.afterEach(() => mock.stop());

async function checkDownloads(app, n) {
  const chat = await app.download('Download chat JSONL');
  expect(chat.file).toBe('blue_honeyeater_chat.jsonl');
  expect(chat.lines).toHaveLength(n);
  for (const line of parseLines(chat.lines)) {
    expect(line.messages.map((m) => m.role)).toEqual(['user', 'assistant']);
    expect(line.messages[0].content.length).toBeGreaterThan(10);
    expect(line.messages[1].content).toContain(KEY_SENTENCE);
  }
  const text = await app.download('Download text JSONL');
  expect(text.file).toBe('blue_honeyeater_text.jsonl');
  expect(text.lines).toHaveLength(n);
  for (const line of parseLines(text.lines)) expect(line.text).toContain(KEY_SENTENCE);
  for (const f of [chat, text]) expect(f.text).not.toContain(KEY);
  return chat;
}

test('OpenAI-compatible: generate, download both files, then a second run comes from the cache', async ({ page }) => {
  const app = new Synfact(page);
  await app.open();
  await app.setup({ provider: 'custom', baseUrl: mock.base, apiKey: KEY, model: 'gpt-4.1-mini', judgeModel: 'gpt-4.1-nano', examples: 8 });
  await app.generate();
  expect(await app.waitFinished()).toBe('Finished: 8 accepted, 0 rejected, 0 failed');
  await expect(page.getByText('8 of 8 finished items accepted (100%).')).toBeVisible();
  await checkDownloads(app, 8);
  const stats = await mock.stats();
  expect(stats.by_route.chat_completions).toBe(32);
  expect(stats.invalid).toBe(0);
  expect(stats.self_check_failures).toBe(0);
  await expect(page.getByRole('table', { name: 'Progress by stage' })).toContainText('Answer checks');

  await app.generate();
  expect(await app.waitFinished()).toBe('Finished: 8 accepted, 0 rejected, 0 failed');
  expect((await mock.stats()).requests).toBe(32);
  // The same settings again make the same run: it takes the finished one's place.
  const { runCount } = await app.newestRun();
  expect(runCount).toBe(1);
  expect(app.errors).toEqual([]);
});

test('Anthropic: generate and download both files', async ({ page }) => {
  const app = new Synfact(page);
  await app.open();
  await app.setup({ provider: 'anthropic', baseUrl: mock.base, apiKey: KEY, model: 'claude-sonnet-4-5', judgeModel: 'claude-haiku-4-5', examples: 6 });
  await app.generate();
  expect(await app.waitFinished()).toBe('Finished: 6 accepted, 0 rejected, 0 failed');
  await checkDownloads(app, 6);
  const stats = await mock.stats();
  expect(stats.by_route.messages).toBe(24);
  expect(stats.invalid + stats.unauthorized).toBe(0);
});

test('a wrong key stops the run with a clear message after the first calls', async ({ page }) => {
  const app = new Synfact(page);
  await app.open();
  const wrong = 'sk-wrong-9876543210zyxw';
  await app.setup({ provider: 'custom', baseUrl: mock.base, apiKey: wrong, model: 'gpt-4.1-mini', judgeModel: 'gpt-4.1-mini', examples: 200 });
  await app.generate();
  await expect(app.status()).toContainText('rejected the API key (401)');
  await expect(app.status()).toContainText('Check the API key');
  const text = await app.status().textContent();
  expect(text).not.toContain('9876543210');
  expect((await mock.stats()).requests).toBeLessThanOrEqual(6);
  // Fixing the key and pressing Resume carries on.
  await app.field('API key').fill(KEY);
  await app.field('Examples').fill('200');
  await app.button('Resume').click();
  expect(await app.waitFinished()).toBe('Finished: 200 accepted, 0 rejected, 0 failed');
});

test('model output is shown as text, never as HTML', async ({ page }) => {
  const app = new Synfact(page);
  await app.open();
  await app.setup({ provider: 'custom', baseUrl: mock.base, apiKey: KEY, model: 'm', judgeModel: 'j', examples: 2 });
  const template = JSON.parse(await app.field('Template JSON').inputValue());
  template.questions = ['Create a user question about <img id="injected" src="x"> birds.'];
  await app.field('Template JSON').fill(JSON.stringify(template, null, 2));
  await app.generate();
  await app.waitFinished();
  const items = page.getByRole('list', { name: 'Items' });
  await expect(items).toContainText('<img id="injected" src="x">');
  await expect(page.locator('#injected')).toHaveCount(0);
});

test('a broken template or form is explained and nothing typed is lost', async ({ page }) => {
  const app = new Synfact(page);
  await app.open();
  await app.setup({ provider: 'custom', baseUrl: 'localhost:1234', apiKey: '', model: 'm', judgeModel: '', examples: 2 });
  await app.field('Template JSON').fill('{"fact_name": "x"');
  await expect(page.getByRole('alert').first()).toContainText('not valid JSON');
  await app.generate();
  await expect(page.getByRole('alert').filter({ hasText: 'Cannot start yet' })).toContainText('The template has problems');
  await app.field('Template').selectOption('pandas_habitat');
  await app.generate();
  const alert = page.getByRole('alert').filter({ hasText: 'Cannot start yet' });
  await expect(alert).toContainText('Base URL must start with http:// or https://');
  await expect(alert).toContainText('Judge model is empty');
  expect(await app.field('Base URL').inputValue()).toBe('localhost:1234');
  expect((await mock.stats()).requests).toBe(0);
  // The form survives a reload.
  await page.reload();
  expect(await app.field('Base URL').inputValue()).toBe('localhost:1234');
  expect(await app.field('Template').inputValue()).toBe('pandas_habitat');
});
