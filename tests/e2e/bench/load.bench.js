// `cargo xtask bench` (or `bench load`): the first load's transfer (raw, gzip, brotli per file, and
// the chunks loaded after the first screen) and the time until the app is interactive (Generate
// can be pressed), in headless Chromium, median of 9 fresh loads (no cache, no service worker):
// on localhost, and over a slow connection (1.6 Mbps, 150 ms round trip, gzip as a static host
// serves it). The same site built without code splitting (`target/dist-unsplit`) is measured in
// the same run as the baseline.
import { test } from '@playwright/test';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import zlib from 'node:zlib';
import { firstLoad } from '../support/size.js';

const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm', '.css': 'text/css' };

/** A static server for a built site, gzipping what it sends (as GitHub Pages does). */
async function serve(dist) {
  const server = http.createServer((req, res) => {
    let file = path.join(dist, decodeURIComponent(new URL(req.url, 'http://x').pathname));
    if (file.endsWith('/')) file = path.join(file, 'index.html');
    fs.readFile(file, (err, data) => {
      if (err) { res.writeHead(404).end(); return; }
      res.writeHead(200, { 'content-type': TYPES[path.extname(file)] || 'application/octet-stream', 'content-encoding': 'gzip' });
      res.end(zlib.gzipSync(data, { level: 9 }));
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${server.address().port}/`, stop: () => new Promise((r) => { server.closeAllConnections(); server.close(r); }) };
}

async function timeToInteractive(browser, url, slow) {
  const times = [];
  for (let i = 0; i < 9; i++) {
    const context = await browser.newContext({ serviceWorkers: 'block' });
    const page = await context.newPage();
    if (slow) {
      const cdp = await context.newCDPSession(page);
      await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 150,
        downloadThroughput: (1.6e6 / 8), uploadThroughput: (0.75e6 / 8) });
    }
    await page.goto(url);
    await page.getByRole('button', { name: 'Generate', exact: true }).waitFor({ timeout: 60_000 });
    times.push(await page.evaluate(() => performance.now()));
    await context.close();
  }
  times.sort((a, b) => a - b);
  return times[4];
}

test('first load: size and time to interactive, split against unsplit', async ({ browser }) => {
  const dist = process.env.SYNFACT_DIST;
  const size = firstLoad(dist);
  for (const r of size.rows) console.log(`${r.name}: ${r.raw} B raw, ${r.gzip} B gzip, ${r.brotli} B brotli`);
  console.log(`first screen: ${size.raw} B raw, ${size.gzip} B gzip, ${size.brotli} B brotli (target 250000 gzip)`);
  for (const r of size.chunks) console.log(`  chunk ${r.name}: ${r.gzip} B gzip`);
  console.log(`whole app: ${size.whole.gzip} B gzip, ${size.whole.brotli} B brotli`);
  const sites = [['split', dist]];
  const unsplit = process.env.SYNFACT_DIST_UNSPLIT;
  if (unsplit) {
    const base = firstLoad(unsplit);
    console.log(`unsplit baseline: first load ${base.gzip} B gzip, ${base.brotli} B brotli; split first screen ${(size.gzip / base.gzip).toFixed(2)}x, whole app ${(size.whole.gzip / base.gzip).toFixed(3)}x`);
    sites.push(['unsplit', unsplit]);
  }
  const results = {};
  for (const [name, dir] of sites) {
    const server = await serve(dir);
    results[name] = { local: await timeToInteractive(browser, server.url, false), slow: await timeToInteractive(browser, server.url, true) };
    await server.stop();
    console.log(`${name}: time to interactive, median of 9: ${results[name].local.toFixed(0)} ms on localhost, ${results[name].slow.toFixed(0)} ms at 1.6 Mbps`);
  }
  if (results.unsplit) {
    console.log(`split / unsplit time to interactive: ${(results.split.local / results.unsplit.local).toFixed(2)}x on localhost, ${(results.split.slow / results.unsplit.slow).toFixed(2)}x at 1.6 Mbps`);
  }
});
