// A newcomer's first run (issue: the first run must succeed): questions that share their framing
// are not duplicates, an outage reads as one and fails nothing, a stop says its real cause and
// survives a reload, a conversation opens whole, opening something else never stops a run
// silently, and the form does not greet a new template with errors.
import { test, expect } from '@playwright/test';
import { Synfact, parseLines } from '../support/app.js';
import { startMock } from '../support/mock.js';

test('questions that differ only in their topic word are all accepted', async ({ page }) => {
  const mock = await startMock(['--templated-questions']);
  const app = new Synfact(page);
  await app.open();
  await app.setup({ provider: 'custom', baseUrl: mock.base, model: 'small', judgeModel: 'j', examples: 20 });
  await app.generate();
  expect(await app.waitFinished()).toMatch(/^Finished: 20 accepted, \d+ rejected, 0 failed/);
  const { items } = await app.newestRun();
  // Only a true repeat (the same made-up topic word drawn twice) may be taken for one.
  const questions = items.map((i) => i.question);
  for (const i of items.filter((i) => i.reason && i.reason.Duplicate)) {
    expect(i.question).toBe(questions[i.reason.Duplicate.of]);
  }
  const chat = await app.download('Download chat JSONL');
  const asked = parseLines(chat.lines).map((l) => l.messages[0].content);
  expect(asked.every((q) => /^Could you tell me about the \w+ of the animal described in the notes\?$/.test(q))).toBe(true);
  expect(new Set(asked).size).toBe(20);
  mock.stop();
});

test('a provider that goes away pauses the run; back again, Resume finishes it with nothing failed', async ({ page }) => {
  let mock = await startMock(['--latency-ms', '150']);
  const { port } = mock;
  const app = new Synfact(page);
  await app.open();
  await app.setup({ provider: 'custom', baseUrl: mock.base, model: 'm', judgeModel: 'j', examples: 30,
    settings: { 'Concurrency': 4 } });
  await app.generate();
  // While it goes, the status counts calls as well as finished items.
  await expect(app.status()).toContainText(/calls answered, \d+ in flight/);
  await app.waitDone(3);
  const down = Date.now();
  await mock.halt();
  await expect(app.status()).toContainText('has not answered for', { timeout: 60_000 });
  const paused = (await app.status().textContent()).trim();
  console.log(`outage to pause: ${((Date.now() - down) / 1000).toFixed(1)} s — ${paused}`);
  expect(paused).toMatch(/^Paused: the OpenAI-compatible endpoint .* has not answered for \d+ s: .*Nothing is lost: .* 0 failed\).*Press Resume when it is back\.$/);
  await expect(app.button('Resume')).toBeVisible();
  mock = await startMock(['--latency-ms', '150'], { port });
  await app.button('Resume').click();
  expect(await app.waitFinished()).toBe('Finished: 30 accepted, 0 rejected, 0 failed');
  mock.stop();
});

test('a stop says its cause, and says it again after a reload', async ({ page }) => {
  const mock = await startMock(['--bad-replies']);
  const app = new Synfact(page);
  await app.open();
  await app.setup({ provider: 'custom', baseUrl: mock.base, model: 'm', judgeModel: 'j', examples: 6 });
  await app.generate();
  await expect(app.status()).toContainText('every reply was empty', { timeout: 60_000 });
  await expect(app.status()).not.toContainText('template');
  const stopped = (await app.status().textContent()).trim();
  expect(stopped).toMatch(/^Stopped: none of the first \d+ items of model m was accepted/);
  await page.reload();
  await expect(app.status()).toHaveText(stopped);
  mock.stop();
});

test('a chat file with a system message and two exchanges opens whole and exports byte for byte', async ({ page }) => {
  const line = '{"messages": [{"role": "system", "content": "Answer as a birder."}, {"role": "user", "content": "Is it blue?"}, {"role": "assistant", "content": "Yes, bright blue.", "weight": 0}, {"role": "user", "content": "Where does it live?"}, {"role": "assistant", "content": "In the montane forests of Java."}]}';
  const file = `${line}\n{"messages":[{"role":"user","content":"Q2"},{"role":"assistant","content":"A2"}]}\n`;
  const app = new Synfact(page);
  await app.open();
  await app.field('Open a chat JSONL file').setInputFiles({ name: 'birder_chat.jsonl', mimeType: 'application/jsonl', buffer: Buffer.from(file) });
  await expect(app.status()).toHaveText('Finished: 2 accepted, 0 rejected, 0 failed');
  await page.getByRole('list', { name: 'Items' }).getByRole('listitem').first().click();
  const earlier = page.getByRole('list', { name: 'Earlier in the conversation' });
  await expect(earlier).toContainText('System: Answer as a birder.');
  await expect(earlier).toContainText('Assistant: Yes, bright blue.');
  await expect(page.locator('.review-item')).toContainText('Where does it live?');
  const chat = await app.download('Download chat JSONL');
  expect(chat.text).toBe(file);
  // A line the run cannot hold is refused by its number, nothing is cut.
  await app.field('Open a chat JSONL file').setInputFiles({ name: 'tools.jsonl', mimeType: 'application/jsonl', buffer: Buffer.from('{"messages":[{"role":"user","content":"Q"},{"role":"tool","content":"42"},{"role":"assistant","content":"A"}]}\n') });
  await expect(page.getByRole('alert').filter({ hasText: 'tools.jsonl was not opened' })).toContainText('line 1: message 2 has no role, or a role other than system, user or assistant');
});

test('opening a file while a run goes pauses it with a note, and it resumes from Saved runs', async ({ page }) => {
  const mock = await startMock(['--latency-ms', '400']);
  const app = new Synfact(page);
  await app.open();
  await app.setup({ provider: 'custom', baseUrl: mock.base, model: 'm', judgeModel: 'j', examples: 12,
    settings: { 'Concurrency': 2 } });
  await app.generate();
  await expect(app.status()).toHaveText(/^Running/);
  await app.field('Open a chat JSONL file').setInputFiles({ name: 'other_chat.jsonl', mimeType: 'application/jsonl', buffer: Buffer.from('{"messages":[{"role":"user","content":"Q"},{"role":"assistant","content":"A"}]}\n') });
  await expect(page.locator('#run-note')).toContainText('The run of blue_honeyeater that was going is paused');
  const table = page.getByRole('table', { name: 'Saved runs' });
  const row = table.getByRole('row').filter({ hasText: 'blue_honeyeater' });
  await expect(row).toContainText('Paused');
  // Nothing more is sent: at 400 ms a call and 2 in flight, a going run sends one every ~200 ms;
  // 1.5 s without one means it has stopped.
  await mock.quiet(1_500);
  await row.getByRole('button', { name: /^Open run/ }).click();
  await expect(app.button('Resume')).toBeVisible();
  await app.button('Resume').click();
  expect(await app.waitFinished()).toBe('Finished: 12 accepted, 0 rejected, 0 failed');
  mock.stop();
});

test('a new template opens without errors; Generate then names what is missing', async ({ page }) => {
  const app = new Synfact(page);
  await app.open();
  await app.button('New template').click();
  await expect(app.field('Fact name')).toHaveValue(/^new_fact/);
  await expect(page.locator('.template .field-error')).toHaveCount(0);
  await expect(page.getByRole('alert').filter({ hasText: 'is empty' })).toHaveCount(0);
  // Visiting a field and leaving it empty says so there.
  await app.field('Fact sheet').focus();
  await app.field('Key sentence').focus();
  await expect(page.locator('#tpl-fact-sheet-error')).toContainText('is empty');
  await expect(page.locator('#tpl-key-sentence-error')).toHaveCount(0);
  await app.generate();
  await expect(page.locator('#tpl-key-sentence-error')).toContainText('is empty');
});

test('a list of 10,000 seed questions is shown a page at a time', async ({ page }) => {
  const app = new Synfact(page);
  await app.open();
  const template = JSON.parse(await app.field('Template JSON').inputValue());
  template.questions = Array.from({ length: 10_000 }, (_, i) => `Question number ${i + 1} about the bird?`);
  template.questions[5_431] = '';
  await app.field('Template JSON').fill(JSON.stringify(template));
  const list = page.locator('fieldset.list-editor', { hasText: 'Seed question (10000)' });
  await expect(list.locator('li.list-row')).toHaveCount(100);
  await expect(list).toContainText('1–100 of 10000');
  await expect(list).toContainText('1 problem on other pages.');
  await list.getByRole('button', { name: 'Show seed question 5432' }).click();
  await expect(list).toContainText('5401–5500 of 10000');
  await expect(app.field('Seed question 5432')).toHaveAttribute('aria-invalid', 'true');
  await list.getByRole('button', { name: 'Next 100 seed questions' }).click();
  await expect(app.field('Seed question 5501')).toHaveValue('Question number 5501 about the bird?');
  await expect(list.locator('li.list-row')).toHaveCount(100);
});

test('the progress table fits a 390 px phone', async ({ page }) => {
  const mock = await startMock([]);
  await page.setViewportSize({ width: 390, height: 844 });
  const app = new Synfact(page);
  await app.open();
  await app.setup({ provider: 'custom', baseUrl: mock.base, model: 'm', judgeModel: 'j', examples: 3 });
  await app.generate();
  await app.waitFinished();
  const table = page.getByRole('table', { name: 'Progress by stage' });
  const failed = table.getByRole('columnheader', { name: 'Failed' });
  const box = await failed.boundingBox();
  expect(box.x + box.width).toBeLessThanOrEqual(390);
  const wrap = await table.evaluate((t) => [t.parentElement.scrollWidth, t.parentElement.clientWidth]);
  expect(wrap[0]).toBeLessThanOrEqual(wrap[1]);
  mock.stop();
});
