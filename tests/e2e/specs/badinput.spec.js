// Nothing lost, nothing leaked (issue: bad inputs): each test reproduces one of the failures
// found by trying malformed inputs, and checks what the user sees and what survives.
import { test, expect } from '@playwright/test';
import { Synfact } from '../support/app.js';
import { startMock } from '../support/mock.js';

let mock;
test.beforeEach(async () => {
  mock = await startMock([]);
});
test.afterEach(() => mock.stop());

const alert = (page) => page.getByRole('alert').filter({ hasText: 'Cannot start yet' });

async function localStorageText(page) {
  return page.evaluate(() => Object.keys(localStorage).map((k) => `${k}=${localStorage.getItem(k)}`).join('\n'));
}

test('a key with an invisible character is named with its position, and nothing hangs', async ({ page }) => {
  const app = new Synfact(page);
  await app.open();
  await app.setup({ provider: 'custom', baseUrl: mock.base, apiKey: 'sk-proj-\u200Babc123', model: 'm', judgeModel: 'j', examples: 3 });
  await app.generate();
  await expect(alert(page)).toContainText('API key contains an invisible character (U+200B) at position 9 — paste it again');
  for (const bad of ['“sk-abc”', 'sk-abc✓']) {
    await app.field('API key').fill(bad);
    await app.generate();
    await expect(alert(page)).toContainText('which no request header can carry');
  }
  expect((await mock.stats()).requests).toBe(0);
  await expect(app.status()).toHaveText(/^No run yet/);
});

test('base URLs that would send a key astray are refused; capitals are fine; no password is stored', async ({ page }) => {
  const app = new Synfact(page);
  await app.open();
  await app.setup({ provider: 'custom', baseUrl: 'http://', model: 'm', judgeModel: 'j', examples: 1 });
  for (const [url, message] of [
    ['http://', 'Base URL has no host'],
    ['https://', 'Base URL has no host'],
    ['https://user:hunter2@example.com/v1', 'must not contain a user name or password'],
    ['file:///etc/passwd', 'must start with http:// or https://'],
    ['javascript:alert(1)', 'must start with http:// or https://'],
  ]) {
    await app.field('Base URL').fill(url);
    await app.generate();
    await expect(alert(page)).toContainText(message);
  }
  // Saved since the last URL was typed (the form is saved whole on every change): the password
  // of the one before is not in it.
  await app.field('Model').fill('m-saved');
  await expect.poll(() => localStorageText(page)).toContain('m-saved');
  expect(await localStorageText(page)).not.toContain('hunter2');
  await app.field('Base URL').fill(mock.base.replace('http://', 'HTTP://'));
  await app.generate();
  expect(await app.waitFinished()).toBe('Finished: 1 accepted, 0 rejected, 0 failed');
});

test('a bad reply is never cached: after the provider recovers the calls are asked again', async ({ page }) => {
  const app = new Synfact(page);
  await app.open();
  await mock.control({ bad_replies: true });
  await app.setup({ provider: 'custom', baseUrl: mock.base, model: 'm', judgeModel: 'j', examples: 3,
    settings: { 'Stop when': 'attempts' } });
  await app.generate();
  expect(await app.waitFinished()).toBe('Finished: 0 accepted, 3 rejected, 0 failed');
  await app.field('Show items').selectOption('rejected');
  await expect(page.getByRole('list', { name: 'Items' })).toContainText('the reply was empty every time it was asked');
  await mock.control({ bad_replies: false });
  const before = (await mock.stats()).requests;
  await app.generate();
  expect(await app.waitFinished()).toBe('Finished: 3 accepted, 0 rejected, 0 failed');
  expect((await mock.stats()).requests - before).toBeGreaterThanOrEqual(3);
});

test('remembering keys is off until ticked, and says who can read them', async ({ page }) => {
  const app = new Synfact(page);
  await app.open();
  await expect(app.field('Remember API keys in this browser')).not.toBeChecked();
  await expect(page.getByText('every page of the same origin can read')).toBeVisible();
  // Each check waits for a save made after the change it is about (the form is saved whole on
  // every change; the model name marks which save it is).
  await app.field('API key').fill('sk-remember-me-not-123');
  await app.field('Model').fill('m-after-key');
  await expect.poll(() => localStorageText(page)).toContain('m-after-key');
  expect(await localStorageText(page)).not.toContain('sk-remember-me-not-123');
  await app.field('Remember API keys in this browser').check();
  await expect.poll(() => localStorageText(page)).toContain('sk-remember-me-not-123');
  await app.field('Remember API keys in this browser').uncheck();
  await app.field('Model').fill('m-after-uncheck');
  await expect.poll(() => localStorageText(page)).toContain('m-after-uncheck');
  expect(await localStorageText(page)).not.toContain('sk-remember-me-not-123');
});

test("the provider's own words are shown, and a proxy's HTML page is named, never shown", async ({ page }) => {
  const errors = await startMock(['--p-error-body', '1.0']);
  const app = new Synfact(page);
  await app.open();
  await app.setup({ provider: 'custom', baseUrl: errors.base, model: 'm', judgeModel: 'j', examples: 2,
    settings: { 'Stop when': 'attempts', 'Max retries': 1 } });
  await app.generate();
  expect(await app.waitFinished()).toBe('Finished: 0 accepted, 0 rejected, 2 failed');
  const items = page.getByRole('list', { name: 'Items' });
  await expect(items).toContainText('the provider reported an error: Upstream provider overloaded');
  errors.stop();
  // A proxy's 502 page, once the endpoint has answered: retried, then named by its title.
  const proxy = await startMock(['--p-proxy-page', '0.5', '--seed', '2']);
  await app.field('Base URL').fill(proxy.base);
  await app.generate();
  await app.waitFinished();
  const text = await page.locator('body').innerText();
  expect(text).not.toMatch(/<html|<title|<center/);
  const { items: saved } = await app.newestRun();
  const logged = saved.flatMap((i) => i.calls).filter((c) => c.error);
  expect(logged.length).toBeGreaterThan(0);
  for (const c of logged) expect(c.error.detail).toBe('502 Bad Gateway');
  proxy.stop();
});

test('a lone surrogate in a reply is replaced and noted, not a failure', async ({ page }) => {
  const odd = await startMock(['--lone-surrogates']);
  const app = new Synfact(page);
  await app.open();
  await app.setup({ provider: 'custom', baseUrl: odd.base, model: 'm', judgeModel: 'j', examples: 3 });
  await app.generate();
  expect(await app.waitFinished()).toBe('Finished: 3 accepted, 0 rejected, 0 failed');
  const chat = await app.download('Download chat JSONL');
  for (const line of chat.lines) expect(JSON.parse(line).messages[1].content).toContain('\uFFFD');
  const { items } = await app.newestRun();
  for (const i of items) expect(i.notes).toContainEqual({ RepairedText: 'WriteAnswer' });
  odd.stop();
});

test('a huge plan is refused with a clear message, and a 12 MB fact sheet survives a reload', async ({ page }) => {
  const app = new Synfact(page);
  await app.open();
  const template = JSON.parse(await app.field('Template JSON').inputValue());
  const huge = { ...template, questions: Array.from({ length: 30000 }, (_, i) => `q${i}`), question_requirements: Array.from({ length: 30000 }, (_, i) => `r${i}`) };
  await app.field('Template JSON').fill(JSON.stringify(huge));
  await expect(page.getByRole('alert').filter({ hasText: 'has 30,000 items' })).toContainText('Seed questions (questions) has 30,000 items; the most is 10,000');
  await app.setup({ template: 'custom', provider: 'custom', baseUrl: mock.base, model: 'm', judgeModel: 'j', examples: 2 }).catch(() => {});
  await app.generate();
  await expect(alert(page)).toContainText('The template has problems');
  expect((await mock.stats()).requests).toBe(0);
  const big = { ...template, given_fact: 'The honeyeater is blue. '.repeat(500_000) };
  const text = JSON.stringify(big);
  await app.field('Template JSON').fill(text);
  await expect(page.getByRole('alert').filter({ hasText: 'characters long' })).toContainText('Fact sheet (given_fact) is 12,000,000 characters long; the most is 1,000,000');
  // The working template is saved to IndexedDB in the background: reload once it is there.
  await expect.poll(() => savedTemplateLength(page), { timeout: 30_000 }).toBeGreaterThanOrEqual(text.length);
  await page.reload();
  await expect(app.field('Template JSON')).toHaveValue(text, { timeout: 30_000 });
});

test('form values out of range and an Extra body that replaces the prompt are refused', async ({ page }) => {
  const app = new Synfact(page);
  await app.open();
  await app.setup({ provider: 'custom', baseUrl: mock.base, model: 'm', judgeModel: 'j', examples: 2,
    settings: { 'Timeout (seconds)': '2147484', 'Concurrency': '1000000', 'Max retries': '4294967295', 'Requests per minute': '0' } });
  await app.openDetails('Sampling settings');
  await app.field('Max tokens').fill('0');
  await app.field('Extra body (JSON)').fill('{"messages": []}');
  await app.generate();
  const a = alert(page);
  await expect(a).toContainText('Timeout (seconds) must be between 1 and 3600 seconds.');
  await expect(a).toContainText('Concurrency must be between 1 and 256.');
  await expect(a).toContainText('Max retries must be between 0 and 20.');
  await expect(a).toContainText('Requests per minute must be between 1 and 100,000.');
  await expect(a).toContainText('Max tokens must be between 1 and 1,000,000.');
  await expect(a).toContainText('Extra body (JSON) may not set "messages"');
  expect((await mock.stats()).requests).toBe(0);
});

test('imports report invalid UTF-8 and duplicate keys, and change nothing', async ({ page }) => {
  const app = new Synfact(page);
  await app.open();
  const before = await app.field('Template JSON').inputValue();
  const bytes = Buffer.concat([Buffer.from('{"fact_name": "caf'), Buffer.from([0xe9]), Buffer.from('"}')]);
  await app.field('Import template file').setInputFiles({ name: 'latin1.json', mimeType: 'application/json', buffer: bytes });
  await expect(page.getByRole('alert').filter({ hasText: 'latin1.json' })).toContainText('latin1.json was not imported: it is not UTF-8 text (an invalid byte at position 19)');
  expect(await app.field('Template JSON').inputValue()).toBe(before);
  const template = JSON.parse(before);
  const dup = JSON.stringify(template).replace('{"fact_name":', '{"fact_name":"first","fact_name":');
  await app.field('Import template file').setInputFiles({ name: 'dup.json', mimeType: 'application/json', buffer: Buffer.from(dup) });
  await expect(page.getByRole('alert').filter({ hasText: 'dup.json' })).toContainText('"fact_name" is given twice');
  expect(await app.field('Template JSON').inputValue()).toBe(before);
});

test('two tabs on one run: the second is told the run goes on elsewhere; Generate three times is one run', async ({ context }) => {
  const slow = await startMock(['--latency-ms', '400']);
  const a = new Synfact(await context.newPage());
  await a.open();
  await a.setup({ provider: 'custom', baseUrl: slow.base, model: 'm', judgeModel: 'j', examples: 30 });
  const g = a.button('Generate');
  await Promise.all([g.click(), g.click(), g.click()]);
  await a.waitDone(2);
  const b = new Synfact(await context.newPage());
  await b.open();
  await expect(b.status()).toContainText('going on in another synfact tab');
  await b.button('Resume').click();
  await expect(b.page.getByRole('alert').filter({ hasText: 'Cannot start yet' })).toContainText('going on in another synfact tab');
  expect(await a.waitFinished()).toBe('Finished: 30 accepted, 0 rejected, 0 failed');
  expect((await slow.stats()).completions).toBe(120);
  expect((await a.newestRun()).runCount).toBe(1);
  slow.stop();
});

test('a full disk pauses the run, keeps the results downloadable, and loses nothing', async ({ page }) => {
  const heavy = await startMock(['--answer-kb', '150', '--latency-ms', '100']);
  const app = new Synfact(page);
  // Chromium applies a quota override to storage opened after it: set it before the app opens.
  const cdp = await page.context().newCDPSession(page);
  const origin = new URL(process.env.APP_URL).origin;
  await cdp.send('Storage.overrideQuotaForOrigin', { origin, quotaSize: 1_200_000 });
  await app.open();
  await app.setup({ provider: 'custom', baseUrl: heavy.base, model: 'm', judgeModel: 'j', examples: 12 });
  await app.generate();
  await expect(app.status()).toContainText("the browser's storage for this site is full", { timeout: 60_000 });
  const partial = await app.download('Download chat JSONL');
  expect(partial.lines.length).toBeGreaterThan(0);
  // Space is freed (here: the quota raised, as when the disk is cleaned up), then Resume.
  await cdp.send('Storage.overrideQuotaForOrigin', { origin, quotaSize: 200_000_000 });
  await app.button('Resume').click();
  expect(await app.waitFinished()).toBe('Finished: 12 accepted, 0 rejected, 0 failed');
  const sent = (await heavy.stats()).completions;
  await page.reload();
  await expect(app.status()).toHaveText('Finished: 12 accepted, 0 rejected, 0 failed');
  const chat = await app.download('Download chat JSONL');
  expect(chat.lines).toHaveLength(12);
  expect(sent).toBe(48);
  heavy.stop();
});

test('the storage section shows what is kept; Clear cache and deleting a run free it', async ({ page }) => {
  const app = new Synfact(page);
  await app.open();
  await app.setup({ provider: 'custom', baseUrl: mock.base, model: 'm', judgeModel: 'j', examples: 4 });
  await app.generate();
  await app.waitFinished();
  await page.getByText('Storage', { exact: true }).click();
  await expect(page.getByText(/^Cached replies: 16 \(/)).toBeVisible();
  await expect(page.getByText(/^Saved runs: 1 \(/)).toBeVisible();
  await page.getByRole('table', { name: 'Saved runs' }).getByRole('button', { name: /^Delete run / }).click();
  await expect(page.getByText(/^Cached replies: 0 \(/)).toBeVisible();
  await app.generate();
  await app.waitFinished();
  await expect(page.getByText(/^Cached replies: 16 \(/)).toBeVisible();
  await app.button('Clear cache').click();
  await app.button('Yes, clear the cache').click();
  await expect(page.getByText(/^Cached replies: 0 \(/)).toBeVisible();
  await expect(page.getByText(/^Saved runs: 1 \(/)).toBeVisible();
});

/** The length of the working template's text as saved in IndexedDB (0 when none is). */
function savedTemplateLength(page) {
  return page.evaluate(async () => {
    const db = await new Promise((res, rej) => {
      const r = indexedDB.open('synfact');
      r.onsuccess = () => res(r.result);
      r.onerror = () => rej(r.error);
    });
    const value = await new Promise((res, rej) => {
      const q = db.transaction('state').objectStore('state').get('working-template');
      q.onsuccess = () => res(q.result);
      q.onerror = () => rej(q.error);
    });
    db.close();
    return value ? JSON.parse(value).text.length : 0;
  });
}
