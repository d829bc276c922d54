// Where the browser's time per call goes at 50 in flight: the schedule benchmark's HTTP/2 run,
// with Chromium's sampling CPU profiler on, and the main thread's self time grouped by what the
// code does (JSON, hashing, IndexedDB, rendering, the engine, ...). Function names come from the
// wasm's name section, so run it on a build that keeps them: `cargo xtask bench profile` makes one.
// SYNFACT_PROFILE_OUT=file.cpuprofile also saves the profile (Chromium's DevTools open it).
import fs from 'node:fs';
import { test } from '@playwright/test';
import { Synfact } from '../support/app.js';
import { startMock } from '../support/mock.js';

const ITEMS = 200;

// First match wins: the order goes from the most specific to the most general.
const GROUPS = [
  ['JSON (serde_json)', /serde_json|serde_core|serde::|serde_wasm_bindgen|JSON\.parse|JSON\.stringify/],
  ['hashing (sha2)', /sha2|Sha256|cache_key/],
  ['IndexedDB', /idb::|Idb|IDB|storage::|indexedDB/],
  ['rendering (tachys, reactive_graph, DOM)', /tachys|reactive_graph|leptos|synfact::components|synfact::review|RenderEffect|Memo|Signal/],
  ['engine (synfact_core)', /synfact_core/],
  ['executor and glue (synfact::run, wasm-bindgen)', /synfact::run|wasm_bindgen|js_sys|web_sys|__wbg|__wbindgen/],
  ['fetch and promises', /fetch|Promise|then|(microtask)/i],
  ['memory (alloc, dlmalloc, memcpy)', /dlmalloc|alloc::|memcpy|memmove|memset|__rust_alloc|__rust_dealloc|__rdl/],
  ['garbage collection', /\(garbage collector\)/],
  ['idle', /\(idle\)/],
  ['program (outside JS and wasm)', /\(program\)/],
];

function selfTimes(profile) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  const { samples, timeDeltas } = profile;
  for (let i = 0; i < samples.length; i++) {
    const dt = (timeDeltas[i + 1] ?? 0) / 1000; // the time until the next sample, in ms
    const n = byId.get(samples[i]);
    self.set(n.id, (self.get(n.id) || 0) + dt);
  }
  const byName = new Map();
  for (const [id, ms] of self) {
    const f = byId.get(id).callFrame;
    const name = f.functionName || `(anonymous ${f.url.split('/').pop()})`;
    byName.set(name, (byName.get(name) || 0) + ms);
  }
  return byName;
}

// Stretches of the main thread without an idle sample: one task or several back to back. A reply
// that arrives during one waits for its end.
function busyStretches(profile) {
  const idle = new Set(profile.nodes.filter((n) => n.callFrame.functionName === '(idle)').map((n) => n.id));
  const out = [];
  let run = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = (profile.timeDeltas[i + 1] ?? 0) / 1000;
    if (idle.has(profile.samples[i])) {
      if (run > 0) out.push(run);
      run = 0;
    } else run += dt;
  }
  if (run > 0) out.push(run);
  return out.sort((a, b) => b - a);
}

test('where the browser spends its time per call at 50 in flight', async ({ browser }) => {
  const mock = await startMock(['--tls', '--latency-median-ms', '200', '--latency-sigma', '0.8', '--seed', '11']);
  const context = await browser.newContext({ ignoreHTTPSErrors: true });
  try {
    const page = await context.newPage();
    const app = new Synfact(page);
    await app.open();
    await app.setup({ provider: 'custom', baseUrl: mock.base, model: 'gen', judgeModel: 'judge', examples: ITEMS,
      settings: { Concurrency: 50, Schedule: 'pipelined' } });
    const cdp = await context.newCDPSession(page);
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
    await page.evaluate(() => { performance.setResourceTimingBufferSize(100_000); performance.clearResourceTimings(); });
    await cdp.send('Performance.enable');
    const metrics = async () => Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value]));
    const before = await metrics();
    await cdp.send('Profiler.start');
    await app.generate();
    const status = await app.waitFinished(600_000);
    const { profile } = await cdp.send('Profiler.stop');
    if (process.env.SYNFACT_PROFILE_OUT) fs.writeFileSync(process.env.SYNFACT_PROFILE_OUT, JSON.stringify(profile));
    const after = await metrics();
    const delta = (k) => after[k] - before[k];
    const stats = await mock.stats();
    const { items } = await app.newestRun();
    const appCalls = items.flatMap((i) => i.calls);
    const timings = await page.evaluate((base) => performance.getEntriesByType('resource')
      .filter((e) => e.name.startsWith(base) && e.initiatorType === 'fetch')
      .map((e) => ({ start: performance.timeOrigin + e.startTime, end: performance.timeOrigin + e.responseEnd, queued: e.requestStart - e.startTime, waiting: e.responseStart - e.requestStart,
        body: e.responseEnd - e.responseStart, total: e.duration })), mock.base);
    const byName = selfTimes(profile);
    const total = [...byName.values()].reduce((a, b) => a + b, 0);
    const groups = new Map(GROUPS.map(([g]) => [g, 0]));
    groups.set('other', 0);
    for (const [name, ms] of byName) {
      const g = GROUPS.find(([, re]) => re.test(name));
      groups.set(g ? g[0] : 'other', groups.get(g ? g[0] : 'other') + ms);
    }
    const busy = total - groups.get('idle');
    const calls = stats.completions;
    const named = [...byName.keys()].some((n) => /synfact_core/.test(n));
    const lines = ['', `synfact profile: ${ITEMS} items, HTTP/2, concurrency 50; ${status}; ${calls} calls`,
      named ? '' : 'NOTE: the wasm has no function names (run `cargo xtask bench profile`): wasm time falls under "other".',
      `main thread busy ${busy.toFixed(0)} ms of ${total.toFixed(0)} ms profiled: ${(busy / calls).toFixed(2)} ms per call`, ''];
    for (const [g, ms] of [...groups].sort((a, b) => b[1] - a[1])) {
      if (g === 'idle') continue;
      lines.push(`  ${(ms / calls).toFixed(3).padStart(7)} ms/call  ${((100 * ms) / busy).toFixed(1).padStart(5)} %  ${g}`);
    }
    const mean = (list, f) => list.reduce((a, x) => a + f(x), 0) / list.length;
    const serverMs = stats.served_ms_total / stats.completions;
    const appMs = mean(appCalls, (c) => c.ms);
    const fetchMs = mean(timings, (t) => t.total);
    const byStart = [...appCalls].sort((a, b) => a.started_ms - b.started_ms);
    const fetchesByStart = [...timings].sort((a, b) => a.start - b.start);
    const paired = byStart.length === fetchesByStart.length;
    const preFetch = paired ? mean(byStart.map((c, i) => fetchesByStart[i].start - c.started_ms), (x) => x) : NaN;
    const after_ = paired ? appMs - fetchMs - preFetch : NaN;
    if (process.env.SYNFACT_PROFILE_OUT) console.log('first wave before fetch():', byStart.slice(0, 50).map((c, i) => (fetchesByStart[i].start - c.started_ms).toFixed(1)).join(' '), '\nqueued:', fetchesByStart.slice(0, 50).map((t) => t.queued.toFixed(0)).join(' '));
    const preFetchLater = paired ? mean(byStart.slice(50).map((c, i) => fetchesByStart[i + 50].start - c.started_ms), (x) => x) : NaN;
    lines.push('', `  one call, as each side timed it (means over ${timings.length} fetches, ${appCalls.length} calls):`,
      `  ${appMs.toFixed(2).padStart(7)} ms  the app: the engine's send to the engine's reply`,
      `  ${fetchMs.toFixed(2).padStart(7)} ms  the browser's network stack (Resource Timing: fetch() to the last byte)`,
      `  ${serverMs.toFixed(2).padStart(7)} ms  the server (request read to reply written)`,
      `  ${(appMs - fetchMs).toFixed(2).padStart(7)} ms  in the app's own code and the main thread's queue (app - network stack)`,
      `         (before fetch() ${preFetch.toFixed(2)} ms, after the last byte ${after_.toFixed(2)} ms: calls and fetches paired in start order; before fetch() after the first 50 calls ${preFetchLater.toFixed(2)} ms)`,
      `  ${mean(timings, (t) => t.queued).toFixed(2).padStart(7)} ms  fetch() to the request leaving (queueing, preflight, connection)`,
      `         (the first 50 fetches ${mean(timings.slice(0, 50), (t) => t.queued).toFixed(2)} ms, the rest ${mean(timings.slice(50), (t) => t.queued).toFixed(2)} ms; median ${[...timings.map((t) => t.queued)].sort((a, b) => a - b)[timings.length >> 1].toFixed(2)} ms)`,
      `  ${(mean(timings, (t) => t.waiting) - serverMs).toFixed(2).padStart(7)} ms  request sent to the first byte, beyond the server's time (transport, TLS, HTTP/2)`,
      `  ${mean(timings, (t) => t.body).toFixed(2).padStart(7)} ms  first byte to last byte`);
    const stretches = busyStretches(profile);
    const over = (ms) => stretches.filter((x) => x > ms);
    const sum = (list) => list.reduce((a, b) => a + b, 0);
    lines.push('', `  busy stretches of the main thread: ${stretches.length}; longest ${stretches.slice(0, 5).map((x) => x.toFixed(1)).join(', ')} ms;`,
      `  over 16 ms: ${over(16).length} (${sum(over(16)).toFixed(0)} ms), over 8 ms: ${over(8).length} (${sum(over(8)).toFixed(0)} ms), over 4 ms: ${over(4).length} (${sum(over(4)).toFixed(0)} ms)`);
    lines.push('', '  the renderer\'s own counters (Performance.getMetrics), per call:');
    for (const k of ['TaskDuration', 'ScriptDuration', 'RecalcStyleDuration', 'LayoutDuration']) lines.push(`  ${((1000 * delta(k)) / calls).toFixed(3).padStart(7)} ms/call  ${k}`);
    for (const k of ['RecalcStyleCount', 'LayoutCount', 'Nodes', 'JSEventListeners']) lines.push(`  ${(delta(k) / calls).toFixed(3).padStart(7)} per call  ${k}`);
    lines.push('', '  top functions by self time:');
    for (const [name, ms] of [...byName].filter(([n]) => n !== '(idle)').sort((a, b) => b[1] - a[1]).slice(0, 30)) {
      lines.push(`  ${(ms / calls).toFixed(3).padStart(7)} ms/call  ${name.slice(0, 110)}`);
    }
    console.log(lines.join('\n'));
  } finally {
    await context.close();
    mock.stop();
  }
});
