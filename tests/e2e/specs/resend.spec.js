// Re-send slow calls at the end (issue: the tail): a run with the setting on sends a second copy
// of its slowest calls once nothing else is left to start, keeps one reply per step, and says so.
import { test, expect } from '@playwright/test';
import { Synfact, parseLines } from '../support/app.js';
import { startMock } from '../support/mock.js';

test('with re-sending on, slow calls at the end go out twice, each item keeps one reply per step', async ({ page }) => {
  // Lognormal latency with a long tail (median 150 ms, sigma 1.2).
  const mock = await startMock(['--seed', '4', '--latency-median-ms', '150', '--latency-sigma', '1.2']);
  const app = new Synfact(page);
  await app.open();
  await app.setup({ provider: 'custom', baseUrl: mock.base, model: 'm', judgeModel: 'j', examples: 60,
    settings: { 'Stop when': 'attempts', Concurrency: 6, 'Re-send slow calls at the end': 'on' } });
  await app.generate();
  const status = await app.waitFinished(120_000);
  const stats = await mock.stats();
  const { items } = await app.newestRun();
  // One logged reply per step an item reached: the copies' replies were not kept twice.
  const logged = items.reduce((n, i) => n + i.calls.length, 0);
  for (const item of items) {
    const steps = item.calls.map((c) => c.step);
    expect(new Set(steps).size, `item ${item.id}: ${steps}`).toBe(steps.length);
  }
  const copies = stats.requests - logged;
  console.log(`60 items: ${stats.requests} requests, ${logged} replies kept, ${copies} copies; ${status}`);
  expect(copies).toBeGreaterThan(0);
  expect(copies).toBeLessThanOrEqual(Math.floor(0.03 * logged));
  const accepted = Number(status.match(/(\d+) accepted/)[1]);
  const chat = await app.download('Download chat JSONL');
  expect(parseLines(chat.lines).length).toBe(accepted);
  mock.stop();
});
