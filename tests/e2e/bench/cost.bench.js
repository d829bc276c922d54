// `cargo xtask bench cost`: dollars per 1,000 accepted examples, with the providers' prompt
// caches as the local server models them, against the original module's prompt layout.
//
// One template (the built-in, its fact sheet repeated to ~20 KB), 200 accepted examples, HTTP/2 at
// 50 in flight with latency (median 200 ms: requests sent together miss the cache together), list
// prices from the page's price table (gpt-4o-mini; claude-sonnet-4):
// - synfact: the default prompts (instructions and fact sheet first, per-item text last; an
//   Anthropic cache_control breakpoint on the shared start), the server's caches on; the same
//   run without caching is its cost with every input token at the input price.
// - the original's layout: each prompt opens with the item's own text (task, question or judged
//   prompt) before the fact sheet and sends no breakpoint, so no provider cache can serve it; the
//   judge sees every reply (the local server writes no reply a local check would stop, so
//   synfact's judge sees every reply too).
import { test, expect } from '@playwright/test';
import fs from 'node:fs';
import { Synfact } from '../support/app.js';
import { startMock } from '../support/mock.js';

const EXAMPLES = 200;
const KEY = 'sk-local-cost-bench-0123456789';

// The original module's layout, in our words; the tags are the ones the local server reads.
const ORIGINAL = {
  'Question prompt': 'Task: <task>{seed_question}</task>\n<information> {fact_sheet} </information>\nSetting: <setting>{setting}</setting>. Specific instructions: <requirement>{requirement}</requirement>\nReply with the possible question only, without acknowledging this request.',
  'Judge prompt': '<task>\n{task}\n</task>\n<reply>\n{reply}\n</reply>\n\nDid the reply in the reply tag comply with the prompt in the task tag? It did not if it refuses, or if it treats the information as fake. Answer with JSON: {"reason": "...", "is_complied": true or false}.',
};

async function costOf(browser, { provider, model, original }) {
  const mock = await startMock(['--tls', '--seed', '21', '--latency-median-ms', '200', '--api-key', KEY, ...(original ? ['--no-prompt-cache'] : [])]);
  const context = await browser.newContext({ ignoreHTTPSErrors: true, acceptDownloads: true });
  try {
    const page = await context.newPage();
    const app = new Synfact(page);
    await app.open();
    await app.setup({ provider, baseUrl: mock.base, apiKey: KEY, model, judgeModel: model, examples: EXAMPLES,
      settings: { Concurrency: 50 } });
    const sheet = app.field('Fact sheet');
    const one = await sheet.inputValue();
    let long = one;
    while (long.length < 20_000) long += '\n\n' + one;
    await sheet.fill(long);
    if (original) {
      await app.openDetails('Prompts');
      for (const [label, text] of Object.entries(ORIGINAL)) await app.field(label).fill(text);
    }
    await app.generate();
    await app.waitFinished(600_000);
    const [d] = await Promise.all([page.waitForEvent('download'), app.button('Download manifest').click()]);
    const manifest = JSON.parse(fs.readFileSync(await d.path(), 'utf8'));
    const stats = await mock.stats();
    const accepted = manifest.counts.accepted;
    const usd = manifest.cost_usd.known;
    const uncached = usd + manifest.cost_usd.saved_by_prompt_cache;
    return { accepted, calls: stats.completions, usd, uncached, tokens: manifest.tokens,
      read: stats.cache_read_tokens, written: stats.cache_write_tokens };
  } finally {
    await context.close();
    mock.stop();
  }
}

const per1000 = (r, usd) => (usd * 1000) / r.accepted;
const money = (x) => `$${x.toFixed(3)}`;

test('dollars per 1,000 accepted examples: synfact with and without prompt caching, and the original layout', async ({ browser }) => {
  const rows = [];
  for (const [label, provider, model, target] of [
    ['OpenAI-class (gpt-4o-mini)', 'custom', 'gpt-4o-mini', 0.7],
    ['Anthropic-class (claude-sonnet-4)', 'anthropic', 'claude-sonnet-4', 0.5],
  ]) {
    const ours = await costOf(browser, { provider, model, original: false });
    const orig = await costOf(browser, { provider, model, original: true });
    const ratio = per1000(ours, ours.usd) / per1000(orig, orig.usd);
    rows.push({ label, ours, orig, ratio, target });
    console.log(`${label}: synfact ${money(per1000(ours, ours.usd))} per 1,000 accepted with caching ` +
      `(${money(per1000(ours, ours.uncached))} without; ${ours.calls} calls, cache read ${ours.read} / written ${ours.written} tokens ` +
      `of ${ours.tokens.input} input), original layout ${money(per1000(orig, orig.usd))} (${orig.calls} calls, ${orig.tokens.input} input, ` +
      `${orig.accepted} accepted): ${ratio.toFixed(2)}x the original (target <= ${target}x)`);
  }
  for (const r of rows) expect(r.ratio, r.label).toBeLessThanOrEqual(r.target);
});
