// Hardening (issue: ship): each key goes only to its own provider and nowhere else; hostile model
// output stays text.
import { test, expect } from '@playwright/test';
import { Synfact } from '../support/app.js';
import { startMock } from '../support/mock.js';

const MODEL_KEY = 'sk-model-key-LEAKCHECK-1111';
const JUDGE_KEY = 'sk-judge-key-LEAKCHECK-2222';

test('each key reaches only its own provider, and no store, file, link, page or log holds one', async ({ page }) => {
  const modelSide = await startMock(['--seed', '11']);
  const judgeSide = await startMock(['--seed', '12']);
  const wrong = await startMock(['--api-key', 'the-right-key']);
  const app = new Synfact(page);
  const logs = [];
  page.on('console', (m) => logs.push(m.text()));
  await app.open();
  await app.setup({ provider: 'custom', baseUrl: modelSide.base, apiKey: MODEL_KEY, model: 'm', judgeModel: 'j', examples: 3 });
  await app.field('Judge provider').selectOption('custom');
  await app.field('Judge base URL').fill(judgeSide.base);
  await app.field('Judge API key').fill(JUDGE_KEY);
  await app.generate();
  await app.waitFinished();
  expect((await modelSide.stats()).keys_seen).toEqual([MODEL_KEY]);
  expect((await judgeSide.stats()).keys_seen).toEqual([JUDGE_KEY]);
  const files = [await app.download('Download chat JSONL'), await app.download('Download text JSONL'), await app.download('Download manifest')];
  await app.button('Copy share link').click();
  const link = await app.field('Share link').inputValue();
  // A wrong key: the provider's error is shown, without the key.
  await app.field('Base URL').fill(wrong.base);
  await app.field('Examples').fill('4');
  await app.generate();
  await expect(app.status()).toContainText(/key/i, { timeout: 30_000 });
  const stored = await page.evaluate(async () => {
    const out = [JSON.stringify(localStorage), JSON.stringify(sessionStorage), document.cookie, location.href, document.documentElement.outerHTML];
    const db = await new Promise((res, rej) => { const r = indexedDB.open('synfact'); r.onsuccess = () => res(r.result); r.onerror = () => rej(r.error); });
    for (const name of db.objectStoreNames) {
      out.push(JSON.stringify(await new Promise((res) => { const q = db.transaction(name).objectStore(name).getAll(); q.onsuccess = () => res(q.result); })));
      out.push(JSON.stringify(await new Promise((res) => { const q = db.transaction(name).objectStore(name).getAllKeys(); q.onsuccess = () => res(q.result); })));
    }
    db.close();
    return out.join('\n');
  });
  // The form's password fields hold the keys as typed (that is where the user put them); nothing else may.
  const html = stored.replaceAll(`value="${MODEL_KEY}"`, '').replaceAll(`value="${JUDGE_KEY}"`, '');
  for (const key of [MODEL_KEY, JUDGE_KEY]) {
    expect(html).not.toContain(key);
    expect(link).not.toContain(key);
    expect(logs.join('\n')).not.toContain(key);
    for (const f of files) expect(f.text, f.file).not.toContain(key);
  }
  for (const m of [modelSide, judgeSide, wrong]) m.stop();
});

test('hostile model output is shown as text and never runs', async ({ page }) => {
  const mock = await startMock(['--hostile', '--seed', '13']);
  const app = new Synfact(page);
  await app.open();
  await app.setup({ provider: 'custom', baseUrl: mock.base, model: 'm', judgeModel: 'j', examples: 3 });
  await app.generate();
  await app.waitFinished();
  const list = page.getByRole('list', { name: 'Items' });
  await expect(list).toContainText('<script>window.__pwned');
  await list.getByRole('listitem').first().click();
  await expect(page.getByRole('heading', { name: /^Item 1 — / })).toBeVisible();
  await expect(page.locator('.review-item')).toContainText('<img src=x onerror=');
  // No element was made from the reply, so no handler of its can ever run.
  expect(await page.locator('main img, main script, main a[href^="javascript:"]').count()).toBe(0);
  expect(await page.evaluate(() => window.__pwned)).toBeUndefined();
  mock.stop();
});

test('1 MB hostile answers stay text, the page stays usable, and the export keeps them exactly', async ({ page }) => {
  const mock = await startMock(['--hostile', '--answer-kb', '1024', '--seed', '14']);
  const app = new Synfact(page);
  await app.open();
  await app.setup({ provider: 'custom', baseUrl: mock.base, model: 'm', judgeModel: 'j', examples: 2,
    settings: { 'Stop when': 'attempts' } });
  await app.openDetails('Sampling settings');
  await app.field('Max tokens').fill('1000000');
  await app.generate();
  expect(await app.waitFinished()).toBe('Finished: 2 accepted, 0 rejected, 0 failed');
  const chat = await app.download('Download chat JSONL');
  const hostile = '<script>window.__pwned=\'script\'</script><img src=x onerror="window.__pwned=\'img\'"> <a href="javascript:window.__pwned=\'link\'">link</a> \u202Ereversed\u202C bell\u0007 nul-free \u001B[31m';
  for (const line of chat.lines) {
    const answer = JSON.parse(line).messages[1].content;
    expect(answer.length).toBeGreaterThan(1_000_000);
    expect(answer).toContain(hostile);
  }
  await page.getByRole('list', { name: 'Items' }).getByRole('listitem').first().click();
  await expect(page.getByRole('heading', { name: /^Item 1 — / })).toBeVisible();
  expect(await page.evaluate(() => window.__pwned)).toBeUndefined();
  await expect(app.button('Generate')).toBeEnabled();
  mock.stop();
});
