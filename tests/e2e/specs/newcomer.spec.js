// A newcomer's first ten minutes (issue: newcomer friction): typing numbers, fixing a wrong
// address and resuming, a server that is not an API, prompts too long for a small model, an
// empty key, the layout at desktop and phone widths, live saved runs and honest counts.
import { test, expect } from '@playwright/test';
import { Synfact } from '../support/app.js';
import { startMock } from '../support/mock.js';

let mock;
test.beforeEach(async () => {
  mock = await startMock([]);
});
test.afterEach(() => mock.stop());

/** Clears a field and types `text` into it key by key, as a person does. */
async function typeKeys(app, label, text) {
  const f = app.field(label);
  await f.click();
  await f.press('Control+a');
  await f.press('Delete');
  await f.pressSequentially(text);
}

test('numbers stay as typed and bad ones are refused next to their field', async ({ page }) => {
  const app = new Synfact(page);
  await app.open();
  await app.setup({ provider: 'custom', baseUrl: mock.base, model: 'm', judgeModel: 'j', examples: 3 });
  await app.openDetails('Sampling settings');
  await app.openDetails('Run settings');
  for (const [label, text] of [['Temperature', '0.7'], ['Top p', '0.9'], ['Timeout (seconds)', '1.5']]) {
    await typeKeys(app, label, text);
    await expect(app.field(label)).toHaveValue(text);
  }
  for (const [text, message] of [
    ['-5', 'Examples must be between 1 and 100,000.'],
    ['1e9', 'Examples must be a whole number in digits, e.g. 12 (got "1e9").'],
    ['2.5', 'Examples must be a whole number in digits, e.g. 12 (got "2.5").'],
  ]) {
    await typeKeys(app, 'Examples', text);
    await expect(app.field('Examples')).toHaveValue(text);
    await app.field('Examples').blur();
    await expect(page.locator('#examples-error')).toContainText(message);
    await expect(app.field('Examples')).toHaveAttribute('aria-invalid', 'true');
    await app.generate();
    await expect(page.getByRole('alert').filter({ hasText: 'Cannot start yet' })).toContainText(message);
  }
  await typeKeys(app, 'Top p', '90');
  await app.field('Top p').blur();
  await expect(page.locator('#top-p-0-error')).toContainText('Top p must be between 0 and 1.');
  expect((await mock.stats()).requests).toBe(0);
  await expect(app.status()).toHaveText(/^No run yet/);
});

test('resume uses the base URL as corrected in the form', async ({ page }) => {
  const app = new Synfact(page);
  await app.open();
  const wrong = mock.base.replace(/:\d+\//, ':9/');
  await app.setup({ provider: 'custom', baseUrl: wrong, model: 'm', judgeModel: 'j', examples: 4 });
  await app.generate();
  await expect(app.status()).toContainText('could not be reached', { timeout: 30_000 });
  await expect(app.status()).toContainText('press Resume');
  await app.field('Base URL').fill(mock.base);
  await app.button('Resume').click();
  expect(await app.waitFinished()).toBe('Finished: 4 accepted, 0 rejected, 0 failed');
  expect((await mock.stats()).completions).toBe(16);
});

test('a 404 from a base URL without a version suggests /v1', async ({ page }) => {
  const app = new Synfact(page);
  await app.open();
  const root = mock.base.replace(/\/v1$/, '');
  await app.setup({ provider: 'custom', baseUrl: root, model: 'm', judgeModel: 'j', examples: 4 });
  await app.generate();
  await expect(app.status()).toContainText('answered 404', { timeout: 30_000 });
  await expect(app.status()).toContainText(`The Base URL has no version: did you mean ${root}/v1?`);
});

test('after a reload, a run to resume reminds that the key must be typed again', async ({ page }) => {
  const app = new Synfact(page);
  await app.open();
  const wrong = mock.base.replace(/:\d+\//, ':9/');
  await app.setup({ provider: 'custom', baseUrl: wrong, apiKey: 'sk-typed-once', model: 'm', judgeModel: 'j', examples: 4 });
  await app.generate();
  await expect(app.status()).toContainText('press Resume', { timeout: 30_000 });
  await expect(page.locator('#resume-key-hint')).toHaveCount(0);
  await page.reload();
  await expect(app.button('Resume')).toBeVisible();
  await expect(app.field('API key')).toHaveValue('');
  await expect(page.locator('#resume-key-hint')).toHaveText('If this run used an API key, type it again before Resume: keys are not kept unless Remember API keys is on.');
  await app.field('API key').fill('sk-typed-once');
  await expect(page.locator('#resume-key-hint')).toHaveCount(0);
});

for (const [path, shows] of [
  ['/web', 'answers with a web page ("Welcome to the example site") (HTTP 200)'],
  ['/web501', 'answers with a web page ("501 Not Implemented") (HTTP 501)'],
  ['/login-wall', 'was redirected to a web page ("Welcome to the example site"), perhaps a sign-in page'],
]) {
  test(`a server that is not an API (${path}) stops at once with what to fix`, async ({ page }) => {
    const app = new Synfact(page);
    await app.open();
    const base = mock.base.replace(/\/v1$/, path);
    await app.setup({ provider: 'custom', baseUrl: base, model: 'm', judgeModel: 'j', examples: 20 });
    await app.generate();
    await expect(app.status()).toContainText(shows);
    await expect(app.status()).toContainText(`not an OpenAI-compatible API — did you mean ${base}/v1?`);
    const text = await page.locator('body').innerText();
    expect(text).not.toMatch(/<html|<title|<!DOCTYPE|<script/i);
    expect(await page.evaluate(() => window.__pwned)).toBeUndefined();
  });
}

test('prompts too long for a small model fail only their items, and cut-off replies do not stall the run', async ({ page }) => {
  const small = await startMock(['--context-tokens', '1500', '--p-cutoff', '0.3']);
  const app = new Synfact(page);
  await app.open();
  await app.setup({ provider: 'custom', baseUrl: small.base, model: 'm', judgeModel: 'j', examples: 6,
    settings: { 'Stop when': 'attempts' } });
  // One seed question is long enough to overflow the 700-token context; the others fit.
  const template = JSON.parse(await app.field('Template JSON').inputValue());
  template.questions = [template.questions[0], template.questions[1] + ' ' + 'Mention the rainforest canopy. '.repeat(150)];
  template.question_requirements = template.question_requirements.slice(0, 3);
  await app.field('Template JSON').fill(JSON.stringify(template, null, 2));
  await app.generate();
  const status = await app.waitFinished(120_000);
  const failed = Number(status.match(/(\d+) failed/)[1]);
  expect(failed).toBeGreaterThan(0);
  expect(failed).toBeLessThan(6);
  await app.field('Show items').selectOption('failed');
  await expect(page.getByRole('list', { name: 'Items' })).toContainText("the prompt is too long for the model's context");
  small.stop();
});

test('an empty key for a provider that needs one is named before anything is sent', async ({ page }) => {
  const app = new Synfact(page);
  await app.open();
  await app.setup({ provider: 'openai', baseUrl: mock.base, apiKey: '', model: 'gpt-4.1-mini', judgeModel: 'gpt-4.1-mini', examples: 2 });
  await app.generate();
  await expect(page.getByRole('alert').filter({ hasText: 'Cannot start yet' })).toContainText('API key is empty: this provider needs a key.');
  await expect(page.locator('#api-key-0-error')).toContainText('this provider needs a key');
  // The cursor is taken to the field named.
  await expect(app.field('API key')).toBeFocused();
  expect((await mock.stats()).requests).toBe(0);
});

test('the first screen: run controls in view, advanced settings closed, Enter starts a run, focus stays put', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 900 });
  const app = new Synfact(page);
  await app.open();
  const box = await app.button('Generate').boundingBox();
  expect(box.y + box.height).toBeLessThan(900);
  for (const summary of ['Sampling settings', 'Run settings']) {
    const open = await page.locator('details', { has: page.locator('summary', { hasText: summary }) }).first().evaluate((d) => d.open);
    expect(open, summary).toBe(false);
  }
  await app.setup({ provider: 'custom', baseUrl: mock.base, model: 'm', judgeModel: 'j', examples: 40 });
  await app.field('Model').press('Enter');
  await expect(app.status()).toHaveText(/^(Running|Starting|Finished)/);
  await app.button('Generate').focus();
  await app.button('Generate').press('Enter');
  expect(await page.evaluate(() => document.activeElement && document.activeElement.tagName)).toBe('BUTTON');
  await app.waitFinished();
  // The run bar stays in view while the settings scroll.
  await page.mouse.wheel(0, 1500);
  await expect(app.button('Generate')).toBeInViewport();
  await page.screenshot({ path: 'test-results/first-screen.png' });
});

test('at phone width nothing scrolls sideways', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  const app = new Synfact(page);
  await app.open();
  await app.setup({ provider: 'custom', baseUrl: mock.base, model: 'm', judgeModel: 'j', examples: 3 });
  await app.generate();
  await app.waitFinished();
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(width).toBeLessThanOrEqual(390);
  for (const label of ['Template', 'Template JSON', 'Base URL']) {
    const b = await app.field(label).boundingBox();
    expect(b.x).toBeGreaterThanOrEqual(0);
    expect(b.x + b.width, label).toBeLessThanOrEqual(390);
  }
  await page.screenshot({ path: 'test-results/phone.png', fullPage: true });
});

test('saved runs stay live and true; the same settings again replace the finished run', async ({ page }) => {
  const app = new Synfact(page);
  await app.open();
  await app.setup({ provider: 'custom', baseUrl: mock.base, model: 'm', judgeModel: 'j', examples: 5 });
  await app.generate();
  await app.waitFinished();
  const runs = page.getByRole('table', { name: 'Saved runs' });
  await expect(runs.getByRole('row').nth(1)).toContainText('Finished');
  await expect(runs.getByRole('row').nth(1)).toContainText('5');
  await page.reload();
  await expect(app.status()).toHaveText('Finished: 5 accepted, 0 rejected, 0 failed');
  await app.generate();
  await app.waitFinished();
  await expect(runs.getByRole('row')).toHaveCount(2);
  expect((await app.newestRun()).runCount).toBe(1);
});

test('counts read as a person expects: skipped steps and plurals', async ({ page }) => {
  const judgy = await startMock(['--p-judge-no', '0.3', '--seed', '4']);
  const app = new Synfact(page);
  await app.open();
  await app.setup({ provider: 'custom', baseUrl: judgy.base, model: 'm', judgeModel: 'j', examples: 10,
    settings: { 'Stop when': 'attempts' } });
  await app.generate();
  const status = await app.waitFinished();
  const rejected = Number(status.match(/(\d+) rejected/)[1]);
  expect(rejected).toBeGreaterThan(0);
  const table = page.getByRole('table', { name: 'Progress by stage' });
  const answers = table.getByRole('row', { name: /^Answers/ });
  const { items } = await app.newestRun();
  const skipped = items.filter((i) => i.stage === 'Rejected' && i.ended_at === 'JudgeQuestion').length;
  if (skipped > 0) await expect(answers).toContainText(`${10 - skipped} / ${10 - skipped} (${skipped} skipped)`);
  else await expect(answers).toContainText('10 / 10');
  judgy.stop();
});

test("an empty Base URL shows the shape of any server's address, not one provider's", async ({ page }) => {
  const app = new Synfact(page);
  await app.open();
  await app.field('Provider').selectOption('custom');
  await expect(app.field('Base URL')).toHaveValue('');
  // Custom is for any OpenAI-compatible server: the example is not OpenAI's own address.
  await expect(app.field('Base URL')).toHaveAttribute('placeholder', 'http://your-server:port/v1');
  // A preset fills in its own address.
  await app.field('Provider').selectOption('openrouter');
  await expect(app.field('Base URL')).toHaveValue('https://openrouter.ai/api/v1');
});
