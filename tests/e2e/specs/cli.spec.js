// The command line and the page are two faces of one tool: the page's template, passed to the
// command line as its share link, with the same settings and replies, gives byte-identical chat,
// text and mixed JSONL and manifest (compared by SHA-256; the manifest's run id and creation time
// name each run and are set aside), and a run made on the command line opens in the page's
// review from its chat JSONL.
import { test, expect } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Synfact, parseLines } from '../support/app.js';
import { startMock } from '../support/mock.js';

const sha = (text) => crypto.createHash('sha256').update(text).digest('hex');

test('the same plan through the page and the command line gives the same files, byte for byte', async ({ page }) => {
  test.setTimeout(180_000);
  const bin = process.env.SYNFACT_CLI_BIN;
  expect(bin, 'SYNFACT_CLI_BIN is set by cargo xtask test').toBeTruthy();
  // The provider's prompt cache off: a warm cache would report the second run's tokens as cached,
  // and the replies (their usage) would not be the same.
  const mock = await startMock(['--no-prompt-cache']);
  const app = new Synfact(page);
  await app.open();
  await app.setup({ provider: 'custom', baseUrl: mock.base, model: 'gen', judgeModel: 'judge', examples: 25, settings: { 'Stop when': 'attempts' } });
  await app.generate();
  await app.waitFinished(120_000);
  const chat = await app.download('Download chat JSONL');
  const text = await app.download('Download text JSONL');
  const mixed = await app.download('Download mixed JSONL');
  const manifest = await app.download('Download manifest');
  await app.button('Copy share link').click();
  const link = await app.field('Share link').inputValue();
  expect(link).toContain('#t=1.');

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'synfact-cli-'));
  const out = path.join(dir, 'out');
  execFileSync(bin, ['--store', path.join(dir, 's.redb'), 'run', link, '--provider', 'custom', '--base-url', mock.base,
    '--model', 'gen', '--judge-model', 'judge', '--examples', '25', '--stop-when', 'attempts', '--quiet', '--out', out],
  { env: { ...process.env, SYNFACT_API_KEY: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
  const file = (name) => fs.readFileSync(path.join(out, name), 'utf8');
  const cli = { chat: file(chat.file), text: file(text.file), mixed: file(mixed.file), manifest: file(manifest.file) };
  // Each run has its own id and creation time; everything else in the manifest is the same.
  const setAside = (text) => { const m = JSON.parse(text); delete m.run.id; delete m.run.created_ms; return JSON.stringify(m, null, 2); };
  console.log(`page vs command line, SHA-256: chat ${sha(chat.text).slice(0, 12)} / ${sha(cli.chat).slice(0, 12)}, text ${sha(text.text).slice(0, 12)} / ${sha(cli.text).slice(0, 12)}, mixed ${sha(mixed.text).slice(0, 12)} / ${sha(cli.mixed).slice(0, 12)}`);
  expect(parseLines(chat.lines).length).toBe(25);
  expect(sha(cli.chat)).toBe(sha(chat.text));
  expect(sha(cli.text)).toBe(sha(text.text));
  expect(sha(cli.mixed)).toBe(sha(mixed.text));
  expect(setAside(cli.manifest)).toBe(setAside(manifest.text));
  expect(JSON.parse(cli.manifest).run.fingerprint).toBe(JSON.parse(manifest.text).run.fingerprint);

  // The command line's file opens in the page's review.
  await app.field('Open a chat JSONL file').setInputFiles(path.join(out, chat.file));
  await expect(app.status()).toHaveText('Finished: 25 accepted, 0 rejected, 0 failed', { timeout: 20_000 });
  const reopened = await app.download('Download chat JSONL');
  expect(reopened.text).toBe(cli.chat);
  mock.stop();
});
