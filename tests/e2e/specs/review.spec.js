// Review, cost and export (issue: review): filters, keyboard triage, edits in the export,
// decisions kept over a reload, the budget pause, the manifest and the chat-format check.
import { test, expect } from '@playwright/test';
import crypto from 'node:crypto';
import { Synfact, parseLines } from '../support/app.js';
import { startMock } from '../support/mock.js';

const KEY = 'sk-review-secret-0123456789';

async function finishedRun(page, mockArgs, examples) {
  const mock = await startMock(mockArgs);
  const app = new Synfact(page);
  await app.open();
  await app.setup({ provider: 'custom', baseUrl: mock.base, apiKey: KEY, model: 'gpt-4o-mini', judgeModel: 'gpt-4o-mini', examples,
    settings: { 'Stop when': 'attempts' } });
  await app.generate();
  const status = await app.waitFinished();
  return { mock, app, status };
}

test('filter, triage by keyboard, edit, and the export and a reload keep the decisions', async ({ page }) => {
  const { mock, app, status } = await finishedRun(page, ['--p-judge-no', '0.4', '--seed', '3'], 12);
  const [, accepted, rejected] = status.match(/(\d+) accepted, (\d+) rejected/).map(Number);
  expect(rejected).toBeGreaterThanOrEqual(2);
  const list = page.getByRole('list', { name: 'Items' });
  await app.field('Show items').selectOption({ label: 'Rejected' });
  await expect(list.getByRole('listitem')).toHaveCount(rejected);
  for (const row of await list.getByRole('listitem').all()) await expect(row).toContainText('rejected');
  // Open the first with Enter, write an answer with E (a question rejected by the judge has none),
  // accept it with A, go to the next with J.
  await list.getByRole('listitem').first().focus();
  await page.keyboard.press('Enter');
  const heading = page.getByRole('heading', { name: /^Item \d+ — / });
  await expect(heading).toContainText('rejected');
  await expect(page.getByText(/Keys: J next/)).toBeVisible();
  await page.keyboard.press('e');
  await app.field('Answer').fill('An answer a reviewer wrote. The Javan Rainforest Honeyeater is blue in color.');
  await app.button('Save').click();
  await expect(heading).toContainText('edited');
  await page.keyboard.press('a');
  await expect(heading).toContainText('you accepted · edited');
  const first = await heading.textContent();
  await page.keyboard.press('j');
  await expect(heading).not.toHaveText(first);
  await expect(heading).toContainText('rejected');
  // And reject one the judge accepted, by button.
  await app.field('Show items').selectOption({ label: 'Accepted' });
  await list.getByRole('listitem').first().click();
  await app.button('Reject').click();
  await expect(heading).toContainText('you rejected');
  const chat = await app.download('Download chat JSONL');
  const lines = parseLines(chat.lines);
  expect(lines).toHaveLength(accepted + 1 - 1);
  expect(lines.map((l) => l.messages[1].content)).toContain('An answer a reviewer wrote. The Javan Rainforest Honeyeater is blue in color.');
  // A reload keeps every decision.
  await page.reload();
  await expect(app.button('Generate')).toBeVisible();
  await app.field('Show items').selectOption({ label: 'Edited' });
  await expect(list.getByRole('listitem')).toHaveCount(1);
  await expect(list.getByRole('listitem')).toContainText('you accepted · edited');
  const again = await app.download('Download chat JSONL');
  expect(again.text).toBe(chat.text);
  mock.stop();
});

test('bulk reject of a filtered set, and the yield grid filters the list', async ({ page }) => {
  const { mock, app } = await finishedRun(page, ['--seed', '5'], 8);
  await app.openDetails('Yield grid');
  const cells = page.getByRole('group', { name: 'Yield grid' }).getByRole('button', { name: /[1-9]\d* accepted/ });
  const cell = cells.first();
  const label = await cell.getAttribute('aria-label');
  const n = Number(label.match(/(\d+) accepted/)[1]);
  await cell.click();
  const list = page.getByRole('list', { name: 'Items' });
  await expect(list.getByRole('listitem')).toHaveCount(n);
  await app.button(`Reject all ${n} shown`).click();
  await expect(list.getByRole('listitem').first()).toContainText('you rejected');
  const chat = await app.download('Download chat JSONL');
  expect(chat.lines).toHaveLength(8 - n);
  mock.stop();
});

test('the budget pauses the run; a higher budget and Resume finish it', async ({ page }) => {
  const mock = await startMock(['--seed', '6']);
  const app = new Synfact(page);
  await app.open();
  await app.setup({ provider: 'custom', baseUrl: mock.base, apiKey: KEY, model: 'gpt-4o-mini', judgeModel: 'gpt-4o-mini', examples: 20,
    settings: { 'Concurrency': 2 } });
  await expect(page.locator('#estimate')).toContainText(/Estimate \(from the prompt sizes\): 80 calls .* about \$0\.\d+/);
  await app.field('Budget (USD)').fill('0.001');
  await expect(page.locator('#estimate')).toContainText('The budget ($0.0010) is below this: the run will pause before it ends.');
  await app.generate();
  await expect(app.status()).toHaveText(/^Paused: the cost so far \(\$0\.001\d\) reached the budget \(\$0\.0010\)/, { timeout: 60_000 });
  // Nothing more is sent once the calls in flight at the pause have landed (1 s without one:
  // a going run at concurrency 2 sends one every few ms against this server).
  expect(await mock.quiet(1_000)).toBeLessThan(80);
  await app.field('Budget (USD)').fill('5');
  await app.button('Resume').click();
  expect(await app.waitFinished()).toBe('Finished: 20 accepted, 0 rejected, 0 failed');
  await expect(page.locator('details.cost summary')).toContainText(/Tokens and cost: \d+ in, \d+ out, \$0\.\d+/);
  mock.stop();
});

test('the manifest records the set-up and hashes each file, and holds no key', async ({ page }) => {
  const { mock, app } = await finishedRun(page, ['--seed', '7'], 4);
  const chat = await app.download('Download chat JSONL');
  const { file, text } = await app.download('Download manifest');
  expect(file).toBe('blue_honeyeater_manifest.json');
  expect(text).not.toContain(KEY);
  const m = JSON.parse(text);
  expect(m.app.name).toBe('synfact');
  expect(m.template.fact_name).toBe('blue_honeyeater');
  expect(m.generators[0].settings.model).toBe('gpt-4o-mini');
  expect(m.settings.plan_seed).toEqual(expect.any(Number));
  expect(m.counts.exported).toBe(4);
  expect(m.tokens.input).toBeGreaterThan(0);
  expect(m.cost_usd.complete).toBe(true);
  expect(m.quality.cells_covered).toBeGreaterThan(0);
  const sha = crypto.createHash('sha256').update(chat.text).digest('hex');
  expect(m.files.find((f) => f.name === 'blue_honeyeater_chat.jsonl').sha256).toBe(sha);
  // A train/validation split: two files per format, disjoint, together the whole set.
  await app.field('Split into train and validation files').check();
  await app.field('Validation share (%)').fill('25');
  const train = await app.download('Download chat JSONL');
  expect(train.file).toMatch(/_chat_(train|validation)\.jsonl$/);
  mock.stop();
});

test('a chat JSONL file from elsewhere opens for review; a malformed one is named and changes nothing', async ({ page }) => {
  const app = new Synfact(page);
  await app.open();
  const chat = (q, a) => JSON.stringify({ messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: q }, { role: 'assistant', content: a }] });
  await app.field('Open a chat JSONL file').setInputFiles({ name: 'broken.jsonl', mimeType: 'application/jsonl', buffer: Buffer.from('{"text": "plain"}\nnot json\n') });
  await expect(page.getByRole('alert').filter({ hasText: 'broken.jsonl' })).toContainText('broken.jsonl was not opened: no line is a chat example (line 1: it has no "messages" list)');
  await expect(page.getByRole('list', { name: 'Items' })).toHaveCount(0);
  const file = [chat('Q one?', 'A one.'), '{"messages": [{"role": "user", "content": "no answer"}]}', chat('Q two?', 'A <b>two</b>.'), chat('Q three?', 'A three.')].join('\n');
  await app.field('Open a chat JSONL file').setInputFiles({ name: 'elsewhere_chat.jsonl', mimeType: 'application/jsonl', buffer: Buffer.from(file) });
  await expect(page.getByRole('status').filter({ hasText: 'Opened elsewhere_chat.jsonl' })).toContainText('3 examples read, 1 line skipped (first, line 2: it has no user message followed by an assistant message)');
  const list = page.getByRole('list', { name: 'Items' });
  await expect(list.getByRole('listitem')).toHaveCount(3);
  await expect(list).toContainText('A <b>two</b>.');
  await list.getByRole('listitem').filter({ hasText: 'Q three?' }).click();
  await app.button('Reject').click();
  const out = await app.download('Download chat JSONL');
  expect(out.file).toBe('elsewhere_chat.jsonl');
  // Every message of a line is kept (the system message too), byte for byte.
  expect(out.lines).toEqual([chat('Q one?', 'A one.'), chat('Q two?', 'A <b>two</b>.')]);
  expect(parseLines(out.lines).map((l) => l.messages[0].content)).toEqual(['Be brief.', 'Be brief.']);
});

test('the estimate before a run is close to what the run counts', async ({ page }) => {
  const mock = await startMock(['--seed', '9']);
  const app = new Synfact(page);
  await app.open();
  await app.setup({ provider: 'custom', baseUrl: mock.base, model: 'gpt-4o-mini', judgeModel: 'gpt-4o-mini', examples: 40,
    settings: { 'Stop when': 'attempts' } });
  const estimate = await page.locator('#estimate').textContent();
  const [, calls, input, output] = estimate.match(/(\d+) calls .*?, (\d+) input and (\d+) output tokens/).map(Number);
  await app.generate();
  await app.waitFinished();
  const summary = await page.locator('details.cost summary').textContent();
  const [, inCounted, outCounted] = summary.match(/Tokens and cost: (\d+) in, (\d+) out/).map(Number);
  const sent = (await mock.stats()).completions;
  console.log(`estimate: ${calls} calls, ${input} in, ${output} out; counted: ${sent} calls, ${inCounted} in, ${outCounted} out; ` +
    `input error ${(((input - inCounted) / inCounted) * 100).toFixed(1)}%, output error ${(((output - outCounted) / outCounted) * 100).toFixed(1)}%`);
  expect(sent).toBe(calls);
  expect(Math.abs(input - inCounted) / inCounted).toBeLessThan(0.3);
  // A second estimate, from this run's averages, is closer still.
  await expect(page.locator('#estimate')).toContainText('from the shown run');
  const again = (await page.locator('#estimate').textContent()).match(/, (\d+) input and (\d+) output tokens/).map(Number);
  expect(Math.abs(again[1] - inCounted) / inCounted).toBeLessThan(0.05);
  mock.stop();
});

test('the prices shown are the prices used: clearing one of them says so, retyping it counts both', async ({ page }) => {
  const mock = await startMock(['--seed', '8']);
  const app = new Synfact(page);
  await app.open();
  await app.setup({ provider: 'custom', baseUrl: mock.base, apiKey: KEY, model: 'gpt-4o', judgeModel: 'gpt-4o-mini', examples: 4 });
  await app.generate();
  await app.waitFinished();
  const costOf = async (model) => {
    const rows = page.getByRole('table', { name: 'Tokens and cost' }).getByRole('row').filter({ hasText: model });
    const cells = await rows.evaluateAll((trs, m) => trs.filter((tr) => tr.cells[0].textContent === m)
      .map((tr) => [...tr.cells].map((c) => c.textContent)), model);
    return cells;
  };
  const input = page.getByLabel('Input price of gpt-4o', { exact: true });
  const output = page.getByLabel('Output price of gpt-4o', { exact: true });
  await expect(output).toHaveValue('10');
  await input.fill('');
  await input.press('Tab');
  await expect(page.getByRole('alert').filter({ hasText: 'Give both' })).toContainText('Give both the input and the output price of gpt-4o');
  expect((await costOf('gpt-4o')).length).toBeGreaterThan(0);
  for (const row of await costOf('gpt-4o')) expect(row[6]).toBe('unknown');
  await input.fill('3');
  await input.press('Tab');
  await expect(page.getByRole('alert').filter({ hasText: 'Give both' })).toHaveCount(0);
  await expect.poll(async () => (await costOf('gpt-4o')).every((r) => r[6] !== 'unknown')).toBe(true);
  for (const [, , inTok, outTok, , , shown] of await costOf('gpt-4o')) {
    const want = (Number(inTok) * 3 + Number(outTok) * 10) / 1e6;
    expect(Math.abs(Number(shown.replace('$', '')) - want)).toBeLessThan(want < 0.01 ? 0.00006 : 0.006);
  }
  // A value that is not a price: named, and the model's cost is unknown rather than an old price.
  await output.fill('abc');
  await output.press('Tab');
  await expect(page.getByRole('alert').filter({ hasText: 'is not a price' })).toContainText('"abc" is not a price');
  for (const row of await costOf('gpt-4o')) expect(row[6]).toBe('unknown');
  mock.stop();
});

test('the keyboard acts on the row it is on: focus opens it, J and K carry the focus, Save and Esc return to Edit', async ({ page }) => {
  const { mock, app } = await finishedRun(page, ['--seed', '5'], 8);
  const list = page.getByRole('list', { name: 'Items' });
  const heading = page.getByRole('heading', { name: /^Item \d+ — / });
  const rows = list.getByRole('listitem');
  await rows.nth(3).focus();
  await expect(heading).toContainText(/^Item 4 — /);
  await expect(page.locator('dl.facts')).toContainText(/Made from\s*Seed question \d+: .+ · Requirement \d+: /);
  await page.keyboard.press('j');
  await expect(heading).toContainText(/^Item 5 — /);
  await expect(rows.filter({ hasText: /^#5 ·/ })).toBeFocused();
  await page.keyboard.press('k');
  await page.keyboard.press('k');
  await expect(heading).toContainText(/^Item 3 — /);
  await expect(rows.filter({ hasText: /^#3 ·/ })).toBeFocused();
  await page.keyboard.press('r');
  await expect(heading).toContainText('you rejected');
  // The row was drawn anew with its new state; the focus is still on it, and J goes on from it.
  await expect(rows.filter({ hasText: /^#3 ·/ })).toBeFocused();
  await page.keyboard.press('j');
  await expect(heading).toContainText(/^Item 4 — /);
  await expect(rows.filter({ hasText: /^#4 ·/ })).toBeFocused();
  await page.keyboard.press('k');
  await expect(heading).toContainText(/^Item 3 — /);
  // Editing: Esc and Save both leave the focus on Edit, not on the page.
  await page.keyboard.press('e');
  await expect(app.field('Answer')).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(app.button('Edit')).toBeFocused();
  await page.keyboard.press('Enter');
  await app.field('Answer').fill('A reviewer\'s answer. The Javan Rainforest Honeyeater is blue in color.');
  // A stray Esc does not throw the text away: it asks first, and the text stays.
  await page.keyboard.press('Escape');
  await expect(page.getByRole('alert').filter({ hasText: 'not saved' })).toHaveText('The edit is not saved: press Esc again to leave it unsaved, or Save.');
  await expect(app.field('Answer')).toHaveValue('A reviewer\'s answer. The Javan Rainforest Honeyeater is blue in color.');
  await app.button('Save').click();
  await expect(heading).toContainText('edited');
  await expect(app.button('Edit')).toBeFocused();
  mock.stop();
});

test('a model never run before gets its price before the first run, so a budget can be set', async ({ page }) => {
  const mock = await startMock(['--seed', '9']);
  const app = new Synfact(page);
  await app.open();
  await app.setup({ provider: 'custom', baseUrl: mock.base, apiKey: KEY, model: 'local-llm', judgeModel: 'local-llm', examples: 4 });
  await expect(page.locator('#estimate')).toContainText('cost unknown (a model has no price)');
  await app.field('Budget (USD)').fill('5');
  await app.generate();
  await expect(page.getByRole('alert').filter({ hasText: 'Cannot start yet' })).toContainText('add its price under Prices of the models without a list price');
  await page.getByLabel('Input price of local-llm', { exact: true }).fill('0.1');
  await page.getByLabel('Output price of local-llm', { exact: true }).fill('0.2');
  await page.getByLabel('Output price of local-llm', { exact: true }).press('Tab');
  await expect(page.locator('#estimate')).toContainText(/about \$0\.\d+\.$/);
  // Still there to be corrected.
  await expect(page.getByLabel('Input price of local-llm', { exact: true })).toHaveValue('0.1');
  await app.generate();
  expect(await app.waitFinished()).toBe('Finished: 4 accepted, 0 rejected, 0 failed');
  await expect(page.locator('details.cost summary')).toContainText(/\$0\.\d+/);
  mock.stop();
});
