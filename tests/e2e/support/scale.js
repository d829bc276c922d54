// Runs `n` items and measures responsiveness: long tasks (over 50 ms, the browser's own
// threshold) during the run, the export's time, and long tasks while the review list scrolls.
export async function measureScale(app, page, mock, n, timeout) {
  await app.open();
  await page.evaluate(() => {
    window.__long = [];
    new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__long.push(e.duration); }).observe({ type: 'longtask' });
  });
  await app.setup({ provider: 'custom', baseUrl: mock.base, model: 'm', judgeModel: 'j', examples: n,
    settings: { 'Stop when': 'attempts' } });
  const started = Date.now();
  await app.generate();
  await app.waitFinished(timeout);
  const runMs = Date.now() - started;
  const duringRun = await page.evaluate(() => window.__long.splice(0));
  const t0 = Date.now();
  const chat = await app.download('Download chat JSONL');
  const exportMs = Date.now() - t0;
  // The export's own tasks are not the list's: measured apart.
  const duringExport = await page.evaluate(() => window.__long.splice(0));
  const list = page.locator('.review-list');
  for (let i = 0; i < 40; i++) {
    await list.evaluate((e, k) => { e.scrollTop = (e.scrollHeight * k) / 40; }, i);
    await page.waitForTimeout(16);
  }
  const duringScroll = await page.evaluate(() => window.__long.splice(0));
  return {
    items: n,
    lines: chat.lines.length,
    runMs,
    longestTaskDuringRunMs: Math.round(Math.max(0, ...duringRun)),
    longTasksDuringRun: duringRun.length,
    exportMs,
    longestTaskDuringExportMs: Math.round(Math.max(0, ...duringExport)),
    longestTaskWhileScrollingMs: Math.round(Math.max(0, ...duringScroll)),
  };
}
