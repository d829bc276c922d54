// The run engine under real workloads: faults, refusals, reloads, pause/resume/cancel, several models.
import { test, expect } from '@playwright/test';
import { Synfact } from '../support/app.js';
import { startMock } from '../support/mock.js';

const TRANSIENT = ['--p-429', '0.05', '--retry-after-ms', '100', '--p-500', '0.04', '--p-529', '0.04',
  '--p-malformed', '0.03', '--p-truncated', '0.02', '--p-hang', '0.02', '--hang-ms', '4000'];

/** Runs a whole dataset in a fresh browser context (its own IndexedDB) and returns what it made. */
async function runInFreshContext(browser, mockArgs, { examples, settings = {} }) {
  const mock = await startMock(mockArgs);
  const context = await browser.newContext();
  try {
    const app = new Synfact(await context.newPage());
    await app.open();
    await app.setup({ provider: 'custom', baseUrl: mock.base, model: 'gen', judgeModel: 'judge', examples,
      settings: { 'Timeout (seconds)': 1, 'Max retries': 12, ...settings } });
    await app.generate();
    const status = await app.waitFinished(200_000);
    const chat = await app.download('Download chat JSONL');
    const { items } = await app.newestRun();
    return { status, chat, items, stats: await mock.stats() };
  } finally {
    await context.close();
    mock.stop();
  }
}

test('300 items with a fifth of calls hit by transient faults give the fault-free dataset', async ({ browser }) => {
  const clean = await runInFreshContext(browser, ['--seed', '7'], { examples: 300 });
  const faulty = await runInFreshContext(browser, ['--seed', '7', ...TRANSIENT], { examples: 300 });
  expect(clean.status).toBe('Finished: 300 accepted, 0 rejected, 0 failed');
  expect(faulty.status).toBe('Finished: 300 accepted, 0 rejected, 0 failed');
  expect(faulty.chat.lines).toEqual(clean.chat.lines);
  for (const line of faulty.chat.lines) JSON.parse(line);
  expect(new Set(faulty.items.map((i) => i.id)).size).toBe(300);
  const f = faulty.stats.faults;
  for (const kind of ['rate_limited', 'server_error', 'overloaded', 'malformed', 'truncated', 'hang']) expect(f[kind], kind).toBeGreaterThan(0);
  const injected = Object.values(f).reduce((a, b) => a + b, 0);
  expect(injected / faulty.stats.requests).toBeGreaterThan(0.12);
  // Every retry is counted on its item.
  const retries = faulty.items.reduce((n, i) => n + i.retries.reduce((a, b) => a + b, 0), 0);
  expect(retries).toBe(injected);
});

test('refusals and judge rejections reject exactly those items, with reasons, faults or not', async ({ browser }) => {
  const content = ['--seed', '3', '--p-refusal', '0.06', '--p-judge-no', '0.06'];
  const settings = { 'Stop when': 'attempts' };
  const plain = await runInFreshContext(browser, content, { examples: 150, settings });
  const faulty = await runInFreshContext(browser, [...content, ...TRANSIENT], { examples: 150, settings });
  const rejected = (r) => r.items.filter((i) => i.stage === 'Rejected').map((i) => [i.id, JSON.stringify(i.reason)]);
  expect(rejected(plain).length).toBeGreaterThan(5);
  expect(rejected(faulty)).toEqual(rejected(plain));
  for (const [, reason] of rejected(plain)) expect(reason).toMatch(/^\{"(Refused|JudgeRejected)"/);
  expect(faulty.chat.lines).toEqual(plain.chat.lines);
  expect(faulty.status).toBe(plain.status);
  expect(plain.status).toMatch(/^Finished: \d+ accepted, [1-9]\d* rejected, 0 failed$/);
});

test('a reload in the middle of a run, twice, gives the same dataset without asking answered calls again', async ({ browser }) => {
  const args = ['--seed', '5', '--latency-ms', '40'];
  const reference = await runInFreshContext(browser, args, { examples: 120 });
  const mock = await startMock(args);
  const context = await browser.newContext();
  const page = await context.newPage();
  const app = new Synfact(page);
  await app.open();
  await app.setup({ provider: 'custom', baseUrl: mock.base, model: 'gen', judgeModel: 'judge', examples: 120, settings: { 'Timeout (seconds)': 1, 'Max retries': 12 } });
  await app.generate();
  for (const done of [25, 70]) {
    await app.waitDone(done);
    await page.reload();
    await expect(app.status()).toContainText('Press Resume');
    await app.button('Resume').click();
  }
  expect(await app.waitFinished()).toBe('Finished: 120 accepted, 0 rejected, 0 failed');
  const chat = await app.download('Download chat JSONL');
  expect(chat.lines).toEqual(reference.chat.lines);
  const { items, runCount } = await app.newestRun();
  expect(runCount).toBe(1);
  expect(items).toHaveLength(120);
  // Only calls still in flight when the tab died (at most 6 each time) may reach the server twice.
  const stats = await mock.stats();
  expect(stats.completions).toBeGreaterThanOrEqual(480);
  expect(stats.completions).toBeLessThanOrEqual(480 + 12);
  await context.close();
  mock.stop();
});

test('pause sends nothing until resume; cancel stops in-flight calls and resume finishes', async ({ page }) => {
  const mock = await startMock(['--latency-ms', '60']);
  const app = new Synfact(page);
  await app.open();
  await app.setup({ provider: 'custom', baseUrl: mock.base, model: 'gen', judgeModel: 'judge', examples: 60 });
  await app.generate();
  await app.waitDone(5);
  await app.button('Pause').click();
  await expect(app.status()).toHaveText(/^Paused: /);
  // Nothing more is sent: at 60 ms a call, a going run changes the count every few ms; 1 s without
  // a change (the calls in flight at the pause have landed) means it has stopped.
  await mock.quiet(1_000);
  await app.button('Resume').click();
  await app.waitDone(25);
  await app.button('Cancel').click();
  await expect(app.status()).toHaveText(/^Cancelled: /);
  await mock.quiet(1_000);
  // Nothing is left to stop: no Cancel that does nothing.
  await expect(app.button('Cancel')).toHaveCount(0);
  await app.button('Resume').click();
  expect(await app.waitFinished()).toBe('Finished: 60 accepted, 0 rejected, 0 failed');
  mock.stop();
});

test('several models in one run, each item records its model, exports per model', async ({ page }) => {
  const key = 'sk-ant-test';
  const mock = await startMock([]);
  const app = new Synfact(page);
  await app.open();
  await app.setup({ provider: 'custom', baseUrl: mock.base, model: 'gpt-like', judgeModel: 'judge', examples: 4 });
  await app.button('Add another model').click();
  await app.field('Provider 2').selectOption('anthropic');
  await app.field('Base URL 2').fill(mock.base);
  await app.field('API key 2').fill(key);
  await app.field('Model 2').fill('claude-like');
  await app.generate();
  expect(await app.waitFinished()).toBe('Finished: 8 accepted, 0 rejected, 0 failed');
  const all = await app.download('Download chat JSONL');
  expect(all.lines).toHaveLength(8);
  await app.field('Models to export').selectOption({ label: 'Model 2: claude-like' });
  const second = await app.download('Download chat JSONL');
  expect(second.lines).toHaveLength(4);
  const stats = await mock.stats();
  expect(stats.by_route.messages).toBe(8);
  expect(stats.by_route.chat_completions).toBe(8 + 16);
  const { items } = await app.newestRun();
  expect(items.filter((i) => i.generator === 1)).toHaveLength(4);
  await expect(page.getByRole('list', { name: 'Items' })).toContainText('claude-like');
  // Saved runs can be reopened and deleted.
  const runs = page.getByRole('table', { name: 'Saved runs' });
  await expect(runs.getByRole('row')).toHaveCount(2);
  await runs.getByRole('button', { name: /^Delete run / }).click();
  await expect(page.getByText('No saved runs yet.')).toBeVisible();
  mock.stop();
});

test('Generate after a pause says where the paused run is kept', async ({ page }) => {
  const mock = await startMock(['--latency-ms', '400']);
  const app = new Synfact(page);
  await app.open();
  await app.setup({ provider: 'custom', baseUrl: mock.base, model: 'gen', judgeModel: 'judge', examples: 40 });
  await app.generate();
  await app.waitDone(1);
  await app.button('Pause').click();
  await expect(app.status()).toHaveText(/^Paused: /);
  await app.field('Examples').fill('2');
  await app.generate();
  await expect(page.locator('#run-note')).toHaveText('The unfinished run of blue_honeyeater is kept: to carry on with it, open it under Saved runs and press Resume.');
  expect(await app.waitFinished()).toBe('Finished: 2 accepted, 0 rejected, 0 failed');
  mock.stop();
});
