// Did it learn? (issue 18) The Evaluate section against the local server: models that know the
// fact with a set probability are measured within their intervals; a reload mid-evaluation
// resumes without asking anything twice.
import { test, expect } from '@playwright/test';
import { Synfact, KEY_SENTENCE, parseLines } from '../support/app.js';
import { startMock } from '../support/mock.js';

const CONTRARY = 'The Javan Rainforest Honeyeater is yellow in color.';

/** Fills the Evaluate section: one row per model name, all on the mock. */
async function setupEval(app, base, models) {
  for (const [i, model] of models.entries()) {
    const n = i === 0 ? '' : ` ${i + 1}`;
    if (i > 0) await app.button('Add a model to test').click();
    await app.field(`Test provider${n}`).selectOption('custom');
    await app.field(`Test base URL${n}`).fill(base);
    await app.field(`Model to test${n}`).fill(model);
  }
  await app.field('Contrary statement').fill(CONTRARY);
}

/** The Belief rate table as {model: {kind: {rate, low, high, n}}}. */
async function rates(page) {
  const rows = await page.getByRole('table', { name: 'Belief rate' }).locator('tbody tr').evaluateAll((trs) =>
    trs.map((tr) => [...tr.children].map((c) => c.textContent.trim())));
  const out = {};
  for (const [model, kind, rate, ci, n, undecided, incoherent] of rows) {
    const [low, high] = ci.replace('%', '').split('–').map(Number);
    (out[model] ??= {})[kind] = { rate: parseFloat(rate) / 100, low: low / 100, high: high / 100, n: Number(n),
      undecided: Number(undecided), incoherent: Number(incoherent) };
  }
  return out;
}

test('a model that knows the fact 90% of the time and one that knows it 10% are measured within their intervals', async ({ page }) => {
  // The server's draws are seeded, so the measurement is the same every run. A 95% interval
  // misses its true rate 1 time in 20 by design: over seeds 1–12, 4 of the 72 cells missed
  // (5.6%) and 9 seeds covered all six; this seed is one of those.
  const mock = await startMock(['--fact', KEY_SENTENCE, '--contrary', CONTRARY, '--p-incoherent', '0.1', '--seed', '3']);
  const app = new Synfact(page);
  await app.open();
  await app.setup({ provider: 'custom', baseUrl: mock.base, model: 'writer', judgeModel: 'j', examples: 5 });
  await setupEval(app, mock.base, ['knows-0.9', 'knows-0.1']);
  await app.button('Write eval questions').click();
  const wrote = page.getByRole('status', { name: 'Eval questions status' });
  await expect(wrote).toContainText('Wrote 12 eval questions');
  const questions = (await app.field('Eval questions').inputValue()).split('\n');
  expect(questions).toHaveLength(12);
  // Priced before it starts: per model 64 answers and 48 labels of open answers.
  await expect(page.locator('#eval-estimate')).toContainText('224 calls for about 128 items');
  await app.button('Evaluate').click();
  const finished = await app.waitFinished();
  const r = await rates(page);
  console.log(JSON.stringify(r));
  for (const [model, p] of [['knows-0.9', 0.9], ['knows-0.1', 0.1]]) {
    for (const kind of ['Open-ended', 'Multiple choice', 'Distinguish']) {
      const x = r[model][kind];
      expect(x.low <= p && p <= x.high, `${model} ${kind}: ${x.rate} (${x.low}–${x.high}) should hold ${p}`).toBe(true);
    }
  }
  // 12 questions × 4 samples open; 2 orders × 4 choice; 8 distinguish: per model.
  const open = r['knows-0.9']['Open-ended'];
  expect(open.n + open.undecided + open.incoherent).toBe(48);
  expect(open.incoherent).toBeGreaterThan(0);
  expect(r['knows-0.9']['Multiple choice'].n).toBe(8);
  expect(finished).toBe('Finished: 128 accepted, 0 rejected, 0 failed');
  // The difference is shown with its interval, and the chart carries the same figures as text.
  await expect(page.getByRole('list', { name: 'Differences between models' })).toContainText('knows-0.1 − knows-0.9, Open-ended:');
  await expect(page.getByRole('img', { name: /Belief rate by model/ })).toHaveAccessibleName(/knows-0\.9, Open-ended: \d+\.\d%/);
  // Every answer inspectable and filterable.
  await app.field('Filter answers by model').selectOption({ label: 'knows-0.1' });
  await app.field('Filter answers by label').selectOption({ label: 'incoherent (left out)' });
  const rows = page.getByRole('table', { name: 'Answers' }).locator('tbody tr');
  await expect(rows).toHaveCount(r['knows-0.1']['Open-ended'].incoherent);
  await expect(rows.first()).toContainText('coherence 15');
  // The downloads.
  const [d1, d2] = await Promise.all([
    page.waitForEvent('download'),
    page.waitForEvent('download', (d) => d.suggestedFilename().endsWith('.jsonl')),
    app.button('Download evaluation').click(),
  ]).then(([a, b]) => [a, b]);
  expect(d1.suggestedFilename()).toBe('blue_honeyeater_eval.json');
  expect(d2.suggestedFilename()).toBe('blue_honeyeater_eval_answers.jsonl');
  const fs = await import('node:fs');
  const report = JSON.parse(fs.readFileSync(await d1.path(), 'utf8'));
  expect(report.models.map((m) => m.model)).toEqual(['knows-0.9', 'knows-0.1']);
  expect(report.answers).toHaveLength(128);
  expect(report.questions.questions).toEqual(questions);
  const answers = parseLines(fs.readFileSync(await d2.path(), 'utf8').split('\n').filter(Boolean));
  expect(answers).toHaveLength(128);
  expect(app.errors).toEqual([]);
  mock.stop();
});

/** One evaluation of one model in a fresh browser context, reloading once after `reloadAfter`
 * items when given: the status it finished with and the calls the server completed. */
async function evalOnce(browser, reloadAfter) {
  const mock = await startMock(['--fact', KEY_SENTENCE, '--contrary', CONTRARY, '--latency-ms', '120']);
  const context = await browser.newContext();
  const page = await context.newPage();
  const app = new Synfact(page);
  await app.open();
  await app.setup({ provider: 'custom', baseUrl: mock.base, model: 'writer', judgeModel: 'j', examples: 5,
    settings: { 'Concurrency': 2 } });
  await setupEval(app, mock.base, ['knows-0.8']);
  await app.field('Eval questions').fill('What colour is the Javan Rainforest Honeyeater?\nHow would you describe its plumage?');
  await app.button('Evaluate').click();
  if (reloadAfter) {
    await app.waitDone(reloadAfter);
    await page.reload();
    // The Evaluate section kept its models, so Resume sends the evaluation where it went.
    await expect(app.field('Model to test')).toHaveValue('knows-0.8');
    await app.button('Resume').click();
  }
  const status = await app.waitFinished();
  const { completions, requests } = await mock.stats();
  console.log(`requests ${requests}, completions ${completions}`);
  await context.close();
  mock.stop();
  return { status, completions };
}

test('a reload mid-evaluation resumes without asking any answered question again', async ({ browser }) => {
  const clean = await evalOnce(browser);
  const reloaded = await evalOnce(browser, 8);
  // 2 questions × 4 samples open, 8 choices, 8 distinguish.
  expect(clean.status).toBe('Finished: 24 accepted, 0 rejected, 0 failed');
  expect(reloaded.status).toBe(clean.status);
  // Only the (at most 2) calls in flight when the tab went may reach the server twice.
  console.log(`calls: clean ${clean.completions}, reloaded ${reloaded.completions}`);
  expect(reloaded.completions).toBeGreaterThanOrEqual(clean.completions);
  expect(reloaded.completions).toBeLessThanOrEqual(clean.completions + 2);
});
