// Start a fine-tune from the page (issue 18) against the local server's files and fine-tuning
// routes: the whole journey to evaluating the new model, a job followed across a reload, the
// provider's validation errors with what to fix, the terminal fallback when a browser is
// refused, and the mixed training file.
import { test, expect } from '@playwright/test';
import fs from 'node:fs';
import { Synfact, KEY_SENTENCE, parseLines } from '../support/app.js';
import { startMock } from '../support/mock.js';

const CONTRARY = 'The Javan Rainforest Honeyeater is yellow in color.';
const FT_KEY = 'sk-ft-journey-5150';

async function dataset(app, mock, examples) {
  await app.open();
  await app.setup({ provider: 'custom', baseUrl: mock.base, model: 'gen', judgeModel: 'judge', examples });
  await app.generate();
  return app.waitFinished();
}

async function fineTuneForm(app, mock, fields = {}) {
  await app.field('Fine-tuning base URL').fill(mock.base);
  await app.field('Fine-tuning API key').fill(FT_KEY);
  for (const [label, value] of Object.entries(fields)) await app.field(label).fill(value);
}

const ftStatus = (page) => page.getByRole('status', { name: 'Fine-tune status' });

test('upload, create, follow across a reload, succeed, and evaluate the new model', async ({ page }) => {
  const mock = await startMock(['--fact', KEY_SENTENCE, '--contrary', CONTRARY, '--ft-step-ms', '1500']);
  const app = new Synfact(page);
  expect(await dataset(app, mock, 12)).toBe('Finished: 12 accepted, 0 rejected, 0 failed');
  await fineTuneForm(app, mock, { 'Suffix': 'honeyeater', 'Epochs': '3' });
  await app.button('Start a fine-tune').click();
  await expect(ftStatus(page)).toContainText(/Fine-tuning job ftjob-\w+: (validating files|queued)/);
  // The job is saved with the run: after a reload the page follows it on once it has the key.
  await page.reload();
  await expect(ftStatus(page)).toContainText(/Fine-tuning job ftjob-\w+/);
  await app.field('Fine-tuning API key').fill(FT_KEY);
  await expect(ftStatus(page)).toContainText('succeeded', { timeout: 30_000 });
  const status = (await ftStatus(page).textContent()).trim();
  const model = status.match(/New model: (ft:\S+?)\.(\s|$)/)[1];
  expect(model).toContain('honeyeater');
  await expect(page.getByRole('list', { name: 'Fine-tuning events' })).toContainText('New fine-tuned model created');
  await expect(app.button('Cancel fine-tune')).toHaveCount(0);
  // One click makes it a model to test.
  await app.button('Add to Models to test').click();
  await expect(app.field('Model to test')).toHaveValue(model);
  await expect(app.field('Test base URL')).toHaveValue(mock.base);
  await app.field('Contrary statement').fill(CONTRARY);
  await app.button('Write eval questions').click();
  await expect(page.getByRole('status', { name: 'Eval questions status' })).toContainText(/Wrote 12 eval questions; checked against the 12 questions of the training run/);
  // The leakage check: each eval question and the closest training question, none too close.
  const alike = await page.getByRole('table', { name: 'Leakage check' }).locator('tbody tr td:nth-child(3)').allTextContents();
  expect(alike).toHaveLength(12);
  expect(alike.join(' ')).not.toContain('too close');
  console.log(`leakage: closest similarity per eval question ${alike.join(', ')}`);
  await app.button('Evaluate').click();
  await app.waitFinished();
  const rate = await page.getByRole('table', { name: 'Belief rate' }).locator('tbody tr').first().locator('td').nth(1).textContent();
  expect(parseFloat(rate)).toBeGreaterThan(70);
  // The fine-tuning key went to the fine-tuning routes only, never into the page's storage.
  const stored = await page.evaluate(() => JSON.stringify(localStorage));
  expect(stored).not.toContain(FT_KEY);
  mock.stop();
});

test('the provider\'s validation errors are shown in its words, with what to fix', async ({ page }) => {
  const mock = await startMock([]);
  const app = new Synfact(page);
  await dataset(app, mock, 12);
  await fineTuneForm(app, mock, { 'Base model': 'gpt-unknown' });
  await app.button('Start a fine-tune').click();
  const alert = page.getByRole('alert').filter({ hasText: 'fine-tuning job' });
  await expect(alert).toContainText('The provider refused creating the fine-tuning job (HTTP 400): Model gpt-unknown is not available for fine-tuning or does not exist. To fix: Base model must be');
  await app.field('Base model').fill('gpt-4o-mini-2024-07-18');
  // With a quarter held out, 9 lines are left to train on: too few for OpenAI's documented
  // minimum, said before anything is uploaded.
  await app.field('Split into train and validation files').check();
  await app.field('Validation share (%)').fill('25');
  await app.button('Start a fine-tune').click();
  await expect(page.getByRole('alert').filter({ hasText: 'No fine-tune started' })).toContainText('the training file has 9 lines and OpenAI\'s fine-tuning needs at least 10. Raise Examples');
  // A form problem is named before anything is sent.
  await app.field('Fine-tuning API key').fill('');
  await app.button('Start a fine-tune').click();
  await expect(page.getByText('Fine-tuning API key', { exact: false }).filter({ hasText: 'needs' }).first()).toBeVisible();
  mock.stop();
});

test('a provider that refuses the browser gets the terminal commands and the files', async ({ page }) => {
  const mock = await startMock(['--no-cors', '/v1/files,/v1/fine_tuning']);
  const app = new Synfact(page);
  await dataset(app, mock, 10);
  await fineTuneForm(app, mock);
  await app.button('Start a fine-tune').click();
  await expect(page.getByRole('alert').filter({ hasText: 'got no answer' })).toContainText('The browser got no answer uploading the training file');
  const commands = await page.getByLabel('Terminal commands').textContent();
  expect(commands).toContain(`curl -sS '${mock.base}/files'`);
  expect(commands).toContain('$OPENAI_API_KEY');
  expect(commands).not.toContain(FT_KEY);
  const [d] = await Promise.all([page.waitForEvent('download'), app.button('Download the files to upload').click()]);
  expect(d.suggestedFilename()).toBe('blue_honeyeater_chat.jsonl');
  expect(commands).toContain("file=@'blue_honeyeater_chat.jsonl'");
  mock.stop();
});

test('the mixed file holds chat and text lines, shuffled, and passes the format check', async ({ page }) => {
  const mock = await startMock([]);
  const app = new Synfact(page);
  await dataset(app, mock, 8);
  const mixed = await app.download('Download mixed JSONL');
  expect(mixed.file).toBe('blue_honeyeater_mixed.jsonl');
  const lines = parseLines(mixed.lines);
  const chat = lines.filter((l) => Array.isArray(l.messages));
  const text = lines.filter((l) => typeof l.text === 'string');
  expect([chat.length, text.length]).toEqual([8, 8]);
  const kinds = lines.map((l) => (l.messages ? 'c' : 't')).join('');
  expect(kinds).not.toBe('cccccccctttttttt');
  // Split like the rest: both parts of the split hold both kinds.
  await app.field('Split into train and validation files').check();
  await app.field('Validation share (%)').fill('25');
  const [a, b] = await Promise.all([
    page.waitForEvent('download'),
    page.waitForEvent('download', (d) => d.suggestedFilename().includes('validation')),
    app.button('Download mixed JSONL').click(),
  ]);
  expect(a.suggestedFilename()).toBe('blue_honeyeater_mixed_train.jsonl');
  const val = fs.readFileSync(await b.path(), 'utf8').trim().split('\n');
  expect(val).toHaveLength(4);
  mock.stop();
});
