// Shipping (issue: ship): the built site under a sub-path, hashed asset names, no development
// script, offline after one visit, and the release-size budget.
import { test, expect } from '@playwright/test';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { shareLink, Synfact } from '../support/app.js';
import { firstLoad } from '../support/size.js';
import { startMock } from '../support/mock.js';

const dist = process.env.SYNFACT_DIST;
const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm', '.css': 'text/css', '.webmanifest': 'application/manifest+json', '.svg': 'image/svg+xml' };

/** A plain static file server for dist/ under /synfact/, that can be stopped. */
async function staticServer() {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    if (!url.pathname.startsWith('/synfact/')) { res.writeHead(404).end(); return; }
    let file = path.join(dist, decodeURIComponent(url.pathname.slice('/synfact'.length)));
    if (file.endsWith('/')) file = path.join(file, 'index.html');
    fs.readFile(file, (err, data) => {
      if (err) { res.writeHead(404).end(); return; }
      res.writeHead(200, { 'content-type': TYPES[path.extname(file)] || 'application/octet-stream' });
      res.end(data);
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${server.address().port}/synfact/`, stop: () => new Promise((r) => { server.closeAllConnections(); server.close(r); }) };
}

test('the built site names its assets by build, carries no development script, and loads them all', async ({ page }) => {
  const index = fs.readFileSync(path.join(dist, 'index.html'), 'utf8');
  expect(index).not.toMatch(/<script>|autoreload|__trunk/);
  expect(index).toMatch(/src="\.\/boot-[0-9a-f]{12}\.js"/);
  expect(index).toContain('rel="manifest"');
  for (const fixed of ['synfact.js', 'synfact_bg.wasm', 'boot.js', 'main.css']) expect(fs.existsSync(path.join(dist, fixed)), fixed).toBe(false);
  const app = new Synfact(page);
  const failed = [];
  page.on('response', (r) => r.status() >= 400 && failed.push(r.url()));
  await app.open();
  expect(failed).toEqual([]);
  expect(app.errors).toEqual([]);
});

test('once visited, the site opens without network', async ({ page }) => {
  const site = await staticServer();
  await page.goto(site.url);
  await expect(page.getByRole('button', { name: 'Generate', exact: true })).toBeVisible();
  await page.evaluate(() => navigator.serviceWorker.ready);
  await expect.poll(() => page.evaluate(() => Boolean(navigator.serviceWorker.controller))).toBe(true);
  await site.stop();
  await page.reload();
  await expect(page.getByRole('button', { name: 'Generate', exact: true })).toBeVisible();
  await expect(page.getByLabel('Template JSON', { exact: true })).toHaveValue(/blue_honeyeater/);
});

test('the first load stays within the release-size budget', async () => {
  const budget = JSON.parse(fs.readFileSync(path.resolve('size-budget.json'), 'utf8'));
  const size = firstLoad(dist);
  for (const r of size.rows) console.log(`${r.name}: ${r.raw} B raw, ${r.gzip} B gzip, ${r.brotli} B brotli`);
  console.log(`first load: ${size.raw} B raw, ${size.gzip} B gzip, ${size.brotli} B brotli (budget ${budget.gzip_max} gzip, target 250000)`);
  for (const r of size.chunks) console.log(`  chunk ${r.name}: ${r.raw} B raw, ${r.gzip} B gzip, ${r.brotli} B brotli`);
  console.log(`whole app, every chunk loaded: ${size.whole.gzip} B gzip, ${size.whole.brotli} B brotli (budget ${budget.whole_gzip_max} gzip)`);
  expect(size.chunks.length, 'the release build is split').toBeGreaterThan(0);
  expect(size.gzip).toBeLessThanOrEqual(budget.gzip_max);
  expect(size.brotli).toBeLessThanOrEqual(budget.brotli_max);
  expect(size.whole.gzip).toBeLessThanOrEqual(budget.whole_gzip_max);
});

/** Makes a chunk's requests fail as an offline network does, until the returned function is called. */
async function blockChunk(page, name) {
  let blocked = true;
  await page.route(new RegExp(`/split_${name}-[0-9a-f]+\\.wasm$`), (route) => (blocked ? route.abort('internetdisconnected') : route.continue()));
  return () => { blocked = false; };
}

test('a part of the page whose chunk cannot be fetched says so, with a reload that brings it back', async ({ browser }) => {
  // No service worker: every fetch goes through the page's routes.
  const context = await browser.newContext({ serviceWorkers: 'block' });
  const page = await context.newPage();
  const unblock = await blockChunk(page, 'results');
  const app = new Synfact(page);
  await app.open();
  const open = () => app.field('Open a chat JSONL file').setInputFiles({ name: 'two.jsonl', mimeType: 'application/jsonl', buffer: Buffer.from(
    ['{"messages":[{"role":"user","content":"Q1?"},{"role":"assistant","content":"A1."}]}',
      '{"messages":[{"role":"user","content":"Q2?"},{"role":"assistant","content":"A2."}]}'].join('\n') + '\n') });
  await open();
  const alert = page.getByRole('alert').filter({ hasText: 'could not be loaded' });
  await expect(alert).toContainText('The results of the run (review, downloads, tokens and cost) could not be loaded');
  await expect(alert).toContainText('reload the page');
  // The rest of the page still works.
  await expect(app.button('Generate')).toBeEnabled();
  unblock();
  await alert.getByRole('button', { name: 'Reload the page' }).click();
  await expect(app.button('Generate')).toBeVisible();
  await open();
  await expect(page.getByRole('heading', { name: 'Results', exact: true })).toBeVisible();
  await expect(page.getByRole('alert').filter({ hasText: 'could not be loaded' })).toHaveCount(0);
  await context.close();
});

test('Generate says when the part that runs a run cannot be fetched, keeps the form, and runs once it can', async ({ browser }) => {
  const mock = await startMock([]);
  const context = await browser.newContext({ serviceWorkers: 'block' });
  const page = await context.newPage();
  const unblock = await blockChunk(page, 'later');
  const app = new Synfact(page);
  await app.open();
  await app.setup({ provider: 'custom', baseUrl: mock.base, model: 'm', judgeModel: 'j', examples: 3 });
  await app.generate();
  await expect(app.status()).toContainText('Could not start: The part of synfact that runs a run could not be loaded');
  await expect(app.status()).toContainText('reload the page');
  // Every part in the chunk failed too: the page says so once with the button, then a line each.
  await expect(page.getByRole('button', { name: 'Reload the page' })).toHaveCount(1);
  await expect(page.getByText('could not be loaded either: reload the page to get it.').first()).toBeVisible();
  await expect(page.getByText('failed to load split module')).toHaveCount(0);
  await expect(app.field('Examples')).toHaveValue('3');
  await expect(app.field('Base URL')).toHaveValue(mock.base);
  expect((await mock.stats()).requests).toBe(0);
  // The network is back: the same button goes on without a reload.
  unblock();
  await app.generate();
  await expect(app.status()).toHaveText('Finished: 3 accepted, 0 rejected, 0 failed', { timeout: 30000 });
  await context.close();
  await mock.stop();
});

test("the template section's buttons say when their part cannot be fetched, change nothing, and work once it can", async ({ browser }) => {
  const context = await browser.newContext({ serviceWorkers: 'block' });
  const page = await context.newPage();
  const unblock = await blockChunk(page, 'later');
  const app = new Synfact(page);
  await app.open();
  const before = await app.field('Template JSON').inputValue();
  await app.button('New template').click();
  const alert = page.getByRole('alert').filter({ hasText: 'changes, saves, imports and exports templates' });
  await expect(alert).toContainText('The part of synfact that changes, saves, imports and exports templates could not be loaded');
  await expect(alert).toContainText('press the button again once the network is back, or reload the page');
  // A reload keeps an API key only when keys are remembered: the message does not promise more.
  await expect(alert).toContainText('API keys only when "Remember API keys in this browser" is on');
  // The run bar does not promise a run the missing part would start.
  await expect(app.status()).toHaveText('Your saved runs could not be opened: part of synfact could not be loaded (see the message below).');
  expect(await app.field('Template JSON').inputValue()).toBe(before);
  await app.field('Import template file').setInputFiles({ name: 'x.json', mimeType: 'application/json', buffer: Buffer.from('{}') });
  await expect(alert).toBeVisible();
  expect(await app.field('Template JSON').inputValue()).toBe(before);
  // The network is back: the same button works without a reload, and the message goes.
  unblock();
  await app.button('New template').click();
  await expect(app.field('Fact name')).toHaveValue('new_fact');
  await expect(alert).toHaveCount(0);
  await context.close();
});

test('a share link whose chunk cannot be fetched stays in the address, and a reload opens it', async ({ browser }) => {
  const link = await shareLink(browser, 'pandas_habitat');
  const context = await browser.newContext({ serviceWorkers: 'block' });
  const page = await context.newPage();
  const unblock = await blockChunk(page, 'later');
  const app = new Synfact(page);
  await page.goto(link);
  await expect(app.button('Generate')).toBeVisible();
  const alert = page.getByRole('alert').filter({ hasText: 'opens share links' });
  await expect(alert).toContainText('The part of synfact that opens share links could not be loaded');
  expect(page.url()).toContain('#t=');
  await expect(app.field('Template')).not.toHaveValue('shared');
  unblock();
  await page.reload();
  await expect(page.getByText('Opened the shared template pandas_habitat.')).toBeVisible();
  await expect(app.field('Template')).toHaveValue('shared');
  expect(page.url()).not.toContain('#t=');
  await context.close();
});
