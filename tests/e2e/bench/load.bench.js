// `cargo xtask bench`: the first load's transfer (raw, gzip, brotli per file) and the time until
// the app is interactive (Generate can be pressed), in headless Chromium on localhost, median of 9
// fresh loads (no cache, no service worker).
import { test } from '@playwright/test';
import { firstLoad } from '../support/size.js';

test('first load: size and time to interactive', async ({ browser }) => {
  const size = firstLoad(process.env.SYNFACT_DIST);
  for (const r of size.rows) console.log(`${r.name}: ${r.raw} B raw, ${r.gzip} B gzip, ${r.brotli} B brotli`);
  console.log(`first load: ${size.raw} B raw, ${size.gzip} B gzip, ${size.brotli} B brotli (target 250000 gzip)`);
  const times = [];
  for (let i = 0; i < 9; i++) {
    const context = await browser.newContext({ serviceWorkers: 'block' });
    const page = await context.newPage();
    await page.goto(process.env.APP_URL);
    await page.getByRole('button', { name: 'Generate', exact: true }).waitFor();
    times.push(await page.evaluate(() => performance.now()));
    await context.close();
  }
  times.sort((a, b) => a - b);
  console.log(`time to interactive: median ${times[4].toFixed(0)} ms (of ${times.map((t) => t.toFixed(0)).join(', ')}; target 300 ms)`);
});
