// The README's main command (`cargo xtask serve`) serves the app, and a build writing thousands
// of files meanwhile cannot take it down (it has no file watcher: issue "a main command that
// cannot crash"). It builds the release site again (already built by `cargo xtask test`: the
// build is the same bytes), so it takes about a minute.
import { test, expect } from '@playwright/test';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Synfact } from '../support/app.js';

const ROOT = path.resolve('../..');

test('cargo xtask serve serves the app, and writes under target/ cannot stop it', async ({ page }) => {
  test.setTimeout(600_000);
  // Its own process group: cargo does not pass a signal on to the server it runs.
  const child = spawn('cargo', ['xtask', 'serve', '--port', '0'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'], detached: true });
  try {
    const url = await new Promise((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d) => {
        out += d;
        const m = out.match(/synfact: (http:\/\/127\.0\.0\.1:\d+)/);
        if (m) resolve(m[1]);
      });
      child.on('exit', (code) => reject(new Error(`cargo xtask serve exited (${code}): ${out}`)));
    });
    const app = new Synfact(page);
    await page.goto(url);
    await expect(app.button('Generate')).toBeVisible();
    await expect(app.field('Template')).toHaveValue('blue_honeyeater');
    // What crashed Trunk's watcher: a burst of files in a folder a build writes to.
    const burst = path.join(ROOT, 'target', 'serve-burst');
    fs.mkdirSync(burst, { recursive: true });
    for (let i = 0; i < 5_000; i++) fs.writeFileSync(path.join(burst, `f${i}.o`), 'x');
    fs.rmSync(burst, { recursive: true, force: true });
    expect(child.exitCode).toBeNull();
    await page.reload();
    await expect(app.button('Generate')).toBeVisible();
    expect(app.errors).toEqual([]);
  } finally {
    process.kill(-child.pid);
  }
});
