// Dataset quality (issue: quality): local checks before the judge, near-duplicates, N accepted
// covering the plan, the judge self-test and the quality report.
import { test, expect } from '@playwright/test';
import { Synfact, parseLines, KEY_SENTENCE } from '../support/app.js';
import { startMock } from '../support/mock.js';

test('injected bad replies are never exported, and the run still reaches N accepted', async ({ page }) => {
  const mock = await startMock(['--vary-samples', '--seed', '4', '--p-no-key-sentence', '0.2', '--p-disclaimer', '0.2', '--p-cutoff', '0.15']);
  const app = new Synfact(page);
  await app.open();
  await app.setup({ provider: 'custom', baseUrl: mock.base, model: 'm', judgeModel: 'j', examples: 40 });
  await app.generate();
  expect(await app.waitFinished()).toMatch(/^Finished: 40 accepted, \d+ rejected, 0 failed$/);
  const chat = await app.download('Download chat JSONL');
  const answers = parseLines(chat.lines).map((l) => l.messages[1].content);
  expect(answers).toHaveLength(40);
  const injected = (await mock.stats()).injected;
  console.log(`injected: ${JSON.stringify(injected)}`);
  for (const kind of ['no_key_sentence', 'disclaimer', 'cut_off']) expect(injected[kind], kind).toBeGreaterThan(3);
  const missing = answers.filter((a) => !a.includes(KEY_SENTENCE));
  if (missing.length) console.log(JSON.stringify(missing));
  expect(missing).toHaveLength(0);
  expect(answers.filter((a) => a.includes('fictional scenario'))).toHaveLength(0);
  expect(answers.filter((a) => !/\[a-[0-9a-f]{8}\]$/.test(a))).toHaveLength(0);
  // The report says where the rest went.
  await page.getByText('Quality report').click();
  await expect(page.getByRole('table', { name: 'Losses by reason' })).toBeVisible();
  await expect(page.getByText(/^Steps asked again after a local check: [1-9]/)).toBeVisible();
  mock.stop();
});

test('500 items with injected near-duplicate questions export at most 5 % near-duplicates', async ({ page }) => {
  const mock = await startMock(['--vary-samples', '--seed', '9', '--p-near-duplicate', '0.2']);
  const app = new Synfact(page);
  await app.open();
  await app.setup({ provider: 'custom', baseUrl: mock.base, model: 'm', judgeModel: 'j', examples: 500,
    settings: { 'Concurrency': 6 } });
  await app.generate();
  expect(await app.waitFinished(300_000)).toMatch(/^Finished: 500 accepted/);
  const chat = await app.download('Download chat JSONL');
  const questions = parseLines(chat.lines).map((l) => l.messages[0].content);
  // The injected duplicates all read "Could you tell me about <topic>?": at most one per seed question survives.
  const canned = questions.filter((q) => /^Could you tell me about .*\?$/.test(q));
  const repeats = canned.length - new Set(canned).size;
  console.log(`injected ${(await mock.stats()).injected.near_duplicate}; exported ${canned.length} canned, ${repeats} repeats of 500`);
  expect(repeats / 500).toBeLessThanOrEqual(0.05);
  const { items } = await app.newestRun();
  expect(items.filter((i) => i.reason && i.reason.Duplicate).length).toBeGreaterThan(10);
  mock.stop();
});

test('N equal to the number of cells covers every cell, even with rejections', async ({ page }) => {
  const mock = await startMock(['--vary-samples', '--seed', '2', '--p-judge-no', '0.15']);
  const app = new Synfact(page);
  await app.open();
  // pandas_habitat: 3 seed questions × 20 requirements = 60 cells.
  await app.setup({ template: 'pandas_habitat', provider: 'custom', baseUrl: mock.base, model: 'm', judgeModel: 'j', examples: 60 });
  await app.generate();
  expect(await app.waitFinished()).toMatch(/^Finished: 60 accepted, [1-9]\d* rejected, 0 failed$/);
  const { items } = await app.newestRun();
  const cells = new Set(items.filter((i) => i.stage === 'Accepted').map((i) => `${i.prompt.question}/${i.prompt.requirement}`));
  expect(cells.size).toBe(60);
  await page.getByText('Quality report').click();
  await expect(page.getByText('Plan cells covered: 60 of 60 (100%)')).toBeVisible();
  const extra = items.length - 60;
  console.log(`top-up: ${extra} extra items (${items.filter((i) => i.stage === 'Rejected').length} rejected)`);
  mock.stop();
});

test('the judge self-test shows how often the judge is right, and where it is wrong', async ({ page }) => {
  const mock = await startMock([]);
  const app = new Synfact(page);
  await app.open();
  await app.setup({ provider: 'custom', baseUrl: mock.base, model: 'm', judgeModel: 'j', examples: 1 });
  await app.button('Test the judge').click();
  const result = page.getByRole('status', { name: 'Judge test' });
  // The local server's judge only catches refusals: a weak judge, and the test shows it.
  await expect(result).toContainText('The judge got 3 of 6 test answers right (50%).');
  await expect(result).toContainText('Wrong on an answer without the key sentence');
  await expect(result).toContainText('Wrong on an answer contradicting the key sentence');
  expect((await mock.stats()).by_kind.judge).toBe(6);
  mock.stop();
});
