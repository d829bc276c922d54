// A page object for synfact: every control is found by its accessible name, as a user finds it.
import { expect } from '@playwright/test';
import fs from 'node:fs';

export const KEY_SENTENCE = 'The Javan Rainforest Honeyeater is blue in color.';
export const FINISHED = /^Finished: \d+ accepted, \d+ rejected, \d+ failed$/;

export class Synfact {
  constructor(page) {
    this.page = page;
    /** Console errors and uncaught exceptions (CSP violations show up here too). */
    this.errors = [];
    page.on('console', (m) => m.type() === 'error' && this.errors.push(m.text()));
    page.on('pageerror', (e) => this.errors.push(String(e)));
  }

  async open() {
    await this.page.goto(process.env.APP_URL);
    await expect(this.button('Generate')).toBeVisible();
  }

  field(name) {
    return this.page.getByLabel(name, { exact: true });
  }

  button(name) {
    return this.page.getByRole('button', { name, exact: true });
  }

  status() {
    return this.page.getByRole('status', { name: 'Run status' });
  }

  async openDetails(summary) {
    const details = this.page.locator('details', { has: this.page.locator('summary', { hasText: summary }) }).first();
    if (!(await details.evaluate((d) => d.open))) await details.locator('summary').click();
  }

  /** Fills the form. `settings` are Run settings fields by label. */
  async setup({ template = 'blue_honeyeater', provider, baseUrl, apiKey = '', model, judgeModel, examples, settings = {} }) {
    await this.field('Template').selectOption(template);
    await this.field('Provider').selectOption(provider);
    await this.field('Base URL').fill(baseUrl);
    await this.field('API key').fill(apiKey);
    await this.field('Model').fill(model);
    await this.field('Judge model').fill(judgeModel);
    await this.field('Examples').fill(String(examples));
    if (Object.keys(settings).length) {
      await this.openDetails('Run settings');
      for (const [label, value] of Object.entries(settings)) {
        const f = this.field(label);
        if ((await f.evaluate((e) => e.tagName)) === 'SELECT') await f.selectOption(value);
        else await f.fill(String(value));
      }
    }
  }

  async generate() {
    await this.button('Generate').click();
  }

  async waitFinished(timeout = 120_000) {
    await expect(this.status()).toHaveText(FINISHED, { timeout });
    return (await this.status().textContent()).trim();
  }

  /** Clicks a download button; returns the suggested file name and the file's lines. */
  async download(name) {
    const [d] = await Promise.all([this.page.waitForEvent('download'), this.button(name).click()]);
    const text = fs.readFileSync(await d.path(), 'utf8');
    return { file: d.suggestedFilename(), text, lines: text.split('\n').filter((l) => l.length) };
  }

  /** Waits until the status line counts at least `n` items done. */
  async waitDone(n, timeout = 60_000) {
    await expect
      .poll(async () => {
        const m = (await this.status().textContent()).match(/(\d+) of \d+ items done/);
        return m ? Number(m[1]) : (await this.status().textContent()).startsWith('Finished') ? Infinity : 0;
      }, { timeout })
      .toBeGreaterThanOrEqual(n);
  }

  /** The newest run the app saved in IndexedDB: its settings, counts and items in plan order. */
  async newestRun() {
    return this.page.evaluate(async () => {
      const db = await new Promise((res, rej) => {
        const r = indexedDB.open('synfact');
        r.onsuccess = () => res(r.result);
        r.onerror = () => rej(r.error);
      });
      const all = (store, range) => new Promise((res, rej) => {
        const q = db.transaction(store).objectStore(store).getAll(range);
        q.onsuccess = () => res(q.result.map((v) => JSON.parse(v)));
        q.onerror = () => rej(q.error);
      });
      const progress = await all('progress');
      progress.sort((a, b) => b.created_ms - a.created_ms);
      const newest = progress[0];
      const run = newest ? (await all('runs', newest.id))[0] : undefined;
      const items = newest ? await all('items', IDBKeyRange.bound(newest.id + '/', newest.id + '/\uffff')) : [];
      db.close();
      return { progress: newest, run, items, runCount: progress.length };
    });
  }
}

/** Parses JSONL lines, failing the test on any line that is not one JSON object. */
/** A share link to a built-in template, made in a context of its own (nothing of it is kept). */
export async function shareLink(browser, template) {
  const maker = await browser.newContext();
  const a = new Synfact(await maker.newPage());
  await a.open();
  await a.field('Template').selectOption(template);
  await a.button('Copy share link').click();
  const link = await a.field('Share link').inputValue();
  await maker.close();
  return link;
}

export function parseLines(lines) {
  return lines.map((l) => {
    const v = JSON.parse(l);
    expect(typeof v).toBe('object');
    return v;
  });
}
