// Push to the Hugging Face Hub (issue: review), against the local server's Hub routes (preupload
// and NDJSON commit, as the Hub's HTTP API): files, manifest and card land; a wrong token and a
// repository the token may not write are named; nothing is lost.
import { test, expect } from '@playwright/test';
import { Synfact, parseLines } from '../support/app.js';
import { startMock } from '../support/mock.js';

const TOKEN = 'hf_local_test_token';

test('the reviewed dataset, its manifest and a card are committed to a dataset repository', async ({ page }) => {
  const mock = await startMock(['--seed', '21']);
  const app = new Synfact(page);
  await app.open();
  await app.setup({ provider: 'custom', baseUrl: mock.base, model: 'm', judgeModel: 'j', examples: 4 });
  await app.generate();
  await app.waitFinished();
  const chat = await app.download('Download chat JSONL');
  await app.openDetails('Push to the Hugging Face Hub');
  await app.field('Hub address').fill(mock.root);
  const status = page.getByRole('status', { name: 'Hub push' });
  // Nothing filled in right: every problem is named at once.
  await app.field('Dataset repository').fill('honeyeater');
  await app.button('Push to the Hugging Face Hub').click();
  const problems = page.getByRole('alert').filter({ hasText: 'Not pushed' });
  await expect(problems).toContainText('the Hub token is empty');
  await expect(problems).toContainText('the repository must be written owner/name');
  await app.field('Dataset repository').fill('alice/honeyeater');
  // A wrong token first: named, nothing pushed.
  await app.field('Hub token').fill('hf_wrong');
  await app.button('Push to the Hugging Face Hub').click();
  await expect(page.getByRole('alert').filter({ hasText: 'token' })).toContainText('the Hub did not accept the token (401)');
  expect(await mock.hub()).toEqual({});
  // A namespace the token may not write to.
  await app.field('Hub token').fill(TOKEN);
  await app.field('Dataset repository').fill('someone-else/honeyeater');
  await app.button('Push to the Hugging Face Hub').click();
  await expect(page.getByRole('alert').filter({ hasText: 'someone-else' })).toContainText('(403)');
  await app.field('Dataset repository').fill('alice/honeyeater');
  await app.button('Push to the Hugging Face Hub').click();
  await expect(status).toContainText(/^Pushed to .*\/datasets\/alice\/honeyeater \(commit [0-9a-f]+\)\.$/);
  const repo = (await mock.hub())['alice/honeyeater'];
  expect(repo.private).toBe(true);
  expect(Object.keys(repo.files).sort()).toEqual(['README.md', 'blue_honeyeater_chat.jsonl', 'blue_honeyeater_manifest.json', 'blue_honeyeater_text.jsonl']);
  expect(repo.files['blue_honeyeater_chat.jsonl']).toBe(chat.text);
  expect(repo.files['README.md']).toMatch(/^---\nlicense: cc-by-4.0\n/);
  expect(JSON.parse(repo.files['blue_honeyeater_manifest.json']).counts.exported).toBe(4);
  for (const text of Object.values(repo.files)) expect(text).not.toContain(TOKEN);
  // Pushing again adds a commit to the same repository.
  await app.button('Push to the Hugging Face Hub').click();
  await expect.poll(async () => (await mock.hub())['alice/honeyeater'].commits.length).toBe(2);
  expect(parseLines(repo.files['blue_honeyeater_chat.jsonl'].split('\n').filter(Boolean))).toHaveLength(4);
  mock.stop();
});
