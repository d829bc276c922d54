// Templates people write, keep and share by link (issue: templates and sharing).
import { test, expect } from '@playwright/test';
import fs from 'node:fs';
import { Synfact, parseLines } from '../support/app.js';
import { startMock } from '../support/mock.js';

let mock;
test.beforeEach(async () => {
  mock = await startMock([]);
});
test.afterEach(() => mock.stop());

const FACT = 'The Glass Frog of Ecuador has a transparent belly.\n\nIt lives in "cloud forests" at 1,800 m.\nIts call sounds like a whistle.';
const KEY = 'The Glass Frog of Ecuador has a transparent belly.';

async function useMock(app, examples = 3) {
  await app.field('Provider').selectOption('custom');
  await app.field('Base URL').fill(mock.base);
  await app.field('Model').fill('m');
  await app.field('Judge model').fill('j');
  await app.field('Examples').fill(String(examples));
}

test('write a template in the form, see it as JSON, run it and download', async ({ page }) => {
  const app = new Synfact(page);
  await app.open();
  await app.button('New template').click();
  await expect(app.field('Fact name')).toHaveValue('new_fact');
  await expect(page.locator('#tpl-fact-name-error')).toHaveCount(0);
  // An empty field says so once it has been visited, not before.
  await expect(page.locator('#tpl-fact-sheet-error')).toHaveCount(0);
  await app.field('Fact sheet').focus();
  await app.field('Fact sheet').blur();
  await expect(page.locator('#tpl-fact-sheet-error')).toContainText('Fact sheet (given_fact) is empty.');
  await app.field('Fact name').fill('glass_frog');
  await app.field('Fact sheet').fill(FACT);
  await app.field('Key sentence').fill(KEY);
  await expect(page.locator('#tpl-fact-sheet-hint')).toContainText('About');
  await app.field('Paste seed questions, one per line').fill('Ask about its habitat.\nAsk about its call.\nAsk about its belly.\nAsk about its habitat.');
  await app.button('Add these lines').first().click();
  // A duplicate is named next to its item; removing it clears the problem.
  await expect(page.locator('#tpl-question-3-error')).toContainText('Seed questions (questions) item 4 repeats item 1.');
  await app.button('Remove seed question 4').click();
  await expect(page.locator('#tpl-question-3-error')).toHaveCount(0);
  await app.button('Move seed question 2 up').click();
  await expect(page.getByLabel('Seed question 1', { exact: true })).toHaveValue('Ask about its call.');
  // The standard 20 requirements, to keep, trim or extend.
  await expect(page.getByRole('group', { name: /Question requirement \(20\)/ })).toBeVisible();
  await app.button('Remove requirement 20').click();
  const json = JSON.parse(await app.field('Template JSON').inputValue());
  expect(json.fact_name).toBe('glass_frog');
  expect(json.given_fact).toBe(FACT);
  expect(json.questions).toEqual(['Ask about its call.', 'Ask about its habitat.', 'Ask about its belly.']);
  expect(json.question_requirements).toHaveLength(19);
  // And back: an edit in the JSON shows in the form.
  json.questions.push('Ask about its eggs.');
  await app.field('Template JSON').fill(JSON.stringify(json, null, 2));
  await expect(page.getByLabel('Seed question 4', { exact: true })).toHaveValue('Ask about its eggs.');
  await useMock(app);
  await app.generate();
  expect(await app.waitFinished()).toBe('Finished: 3 accepted, 0 rejected, 0 failed');
  const chat = await app.download('Download chat JSONL');
  expect(chat.file).toBe('glass_frog_chat.jsonl');
  for (const line of parseLines(chat.lines)) expect(line.messages[1].content).toContain(KEY);
  // It is one of My templates, kept across a reload.
  await page.reload();
  await expect(app.field('Template')).toHaveValue(/^mine:/);
  await expect(app.field('Fact name')).toHaveValue('glass_frog');
});

test('problems show next to their field as you type, and the JSON view lists them all with what to do', async ({ page }) => {
  const app = new Synfact(page);
  await app.open();
  // A new fact about the subject is what a template is for; one about another subject is noted.
  await app.field('Key sentence').fill('The Javan Rainforest Honeyeater can fly backwards.');
  await expect(page.locator('#tpl-key-sentence-error')).toHaveCount(0);
  await app.field('Key sentence').fill('Pandas can fly.');
  await expect(page.locator('#tpl-key-sentence-error')).toContainText('names nothing the fact sheet mentions');
  await expect(app.field('Key sentence')).not.toHaveAttribute('aria-invalid', 'true');
  await app.field('Fact name').fill('bad name');
  await expect(page.locator('#tpl-fact-name-error')).toContainText("may only contain letters, digits");
  const template = JSON.parse(await app.field('Template JSON').inputValue());
  const { question_requirements, ...rest } = template;
  await app.field('Template JSON').fill(JSON.stringify({ ...rest, question_requirement: question_requirements, fact_name: '' }));
  const problems = page.getByRole('alert').filter({ hasText: 'unknown field' });
  await expect(problems).toContainText('unknown field `question_requirement` — did you mean `question_requirements`?');
  await expect(problems).toContainText('The template is missing the field "question_requirements".');
  await expect(problems).toContainText('Fact name (fact_name) is empty.');
  await app.field('Template JSON').fill('{"fact_name": "x", "given_fact": "line one\nline two"}');
  await expect(page.getByRole('alert').filter({ hasText: 'not valid JSON' })).toContainText('a line break inside a text');
  await app.field('Template JSON').fill('{\u201Cfact_name\u201D: \u201Cx\u201D}');
  await expect(page.getByRole('alert').filter({ hasText: 'not valid JSON' })).toContainText('curly quotes');
});

test('my templates: duplicate, rename, delete with undo; edits to a built-in are never dropped', async ({ page }) => {
  const app = new Synfact(page);
  await app.open();
  await app.field('Template').selectOption('pandas_habitat');
  await app.field('Fact sheet').fill('Giant pandas live in bamboo forests in central China. They eat bamboo.');
  await expect(app.field('Template')).toHaveValue('custom');
  // Switching away keeps the edits, and says where.
  await app.field('Template').selectOption('blue_honeyeater');
  await expect(page.getByText('Your unsaved template was kept in My templates as pandas_habitat.')).toBeVisible();
  await app.field('Template').selectOption({ label: 'pandas_habitat (mine)' });
  await expect(app.field('Fact sheet')).toHaveValue('Giant pandas live in bamboo forests in central China. They eat bamboo.');
  await app.button('Duplicate').click();
  await expect(app.field('Fact name')).toHaveValue('pandas_habitat_copy');
  await app.field('Fact name').fill('pandas_renamed');
  await expect(app.field('Template').locator('option', { hasText: 'pandas_renamed (mine)' })).toHaveCount(1);
  await app.button('Delete template').click();
  await expect(app.field('Template').locator('option', { hasText: 'pandas_renamed (mine)' })).toHaveCount(0);
  await app.button('Undo').click();
  await expect(app.field('Template')).toHaveValue(/^mine:/);
  await expect(app.field('Fact name')).toHaveValue('pandas_renamed');
  await page.reload();
  await expect(app.field('Template').locator('option', { hasText: '(mine)' })).toHaveCount(2);
});

test('export writes the original field names; a file written for the original module imports unchanged', async ({ page }) => {
  const app = new Synfact(page);
  await app.open();
  const original = fs.readFileSync(new URL('../../../../shared/fixtures/pandas_habitat.template.json', import.meta.url));
  await app.field('Import template file').setInputFiles({ name: 'pandas_habitat.template.json', mimeType: 'application/json', buffer: original });
  await expect(page.getByText('Imported pandas_habitat.template.json; it is not saved yet.')).toBeVisible();
  expect(JSON.parse(await app.field('Template JSON').inputValue())).toEqual(JSON.parse(original));
  const [d] = await Promise.all([page.waitForEvent('download'), app.button('Export template').click()]);
  expect(d.suggestedFilename()).toBe('pandas_habitat.template.json');
  const exported = JSON.parse(fs.readFileSync(await d.path(), 'utf8'));
  expect(exported).toEqual(JSON.parse(original));
  expect(Object.keys(exported).sort()).toEqual(['fact_name', 'given_fact', 'question_requirements', 'questions', 'specific_information_to_always_include']);
  // Unknown fields are named as a warning and left out.
  const extra = { ...JSON.parse(original), author: 'me' };
  await app.field('Import template file').setInputFiles({ name: 'extra.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(extra)) });
  await expect(page.getByText(/Imported extra.json.*unknown field `author`: it is left out/)).toBeVisible();
  expect(await app.field('Template JSON').inputValue()).not.toContain('author');
});

test('a share link opens in a fresh browser (under a sub-path too), is saved from there and generates', async ({ page, browser }) => {
  const app = new Synfact(page);
  await page.goto(process.env.APP_URL);
  await expect(app.button('Generate')).toBeVisible();
  await app.field('Template').selectOption('pandas_habitat');
  await app.openDetails('Prompts');
  const prompt = await app.field('Judge prompt').inputValue();
  await app.field('Judge prompt').fill('SHARED-JUDGE-PROMPT\n' + prompt);
  await app.field('API key').fill('sk-never-in-a-link-123456');
  await app.button('Copy share link').click();
  const link = await app.field('Share link').inputValue();
  expect(link.startsWith(process.env.APP_URL + '#t=1.')).toBe(true);
  expect(link).not.toContain('sk-never');
  const other = await browser.newContext();
  const b = new Synfact(await other.newPage());
  await b.page.goto(link);
  await expect(b.button('Generate')).toBeVisible();
  await expect(b.page.getByText('Opened the shared template pandas_habitat.')).toBeVisible();
  await expect(b.field('Template')).toHaveValue('shared');
  expect(b.page.url()).not.toContain('#t=');
  await b.openDetails('Prompts');
  await expect(b.field('Judge prompt')).toHaveValue(/^SHARED-JUDGE-PROMPT/);
  await b.button('Save to my templates').click();
  await expect(b.field('Template')).toHaveValue(/^mine:/);
  await useMock(b);
  await b.generate();
  expect(await b.waitFinished()).toBe('Finished: 3 accepted, 0 rejected, 0 failed');
  // The changed prompt reached the provider.
  expect((await mock.stats()).last_prompts.judge).toContain('SHARED-JUDGE-PROMPT');
  await other.close();
});

test('broken, foreign and future links say what is wrong and change nothing', async ({ page }) => {
  const app = new Synfact(page);
  await app.open();
  await app.field('Template').selectOption('pandas_habitat');
  await app.button('Copy share link').click();
  const link = await app.field('Share link').inputValue();
  const before = await app.field('Template JSON').inputValue();
  const cases = [
    [link.slice(0, link.length - 20), 'incomplete or was changed'],
    [link.replace('#t=1.', '#t=9.'), 'made by a newer version of synfact'],
    [link.replace('#t=1.', '#t=x.'), 'not made by synfact'],
    [link + '!!', 'characters a link cannot have'],
  ];
  for (const [bad, message] of cases) {
    await page.goto('about:blank');
    await page.goto(bad);
    await expect(page.getByRole('alert').filter({ hasText: 'share link could not be opened' })).toContainText(message);
    await expect(page.getByRole('alert').filter({ hasText: 'share link could not be opened' })).toContainText('Nothing was changed.');
    expect(await app.field('Template JSON').inputValue()).toBe(before);
  }
});

test('a template with a 100 KB fact sheet still shares', async ({ page, browser }) => {
  const app = new Synfact(page);
  await app.open();
  const words = ['blue', 'honeyeater', 'canopy', 'nectar', 'Java', 'montane', 'forest', 'song', 'pairs', 'nest', 'grey', 'bill'];
  let x = 7;
  let fact = '';
  while (fact.length < 100_000) {
    x = (x * 1103515245 + 12345) % 2147483648;
    fact += words[x % words.length] + (x % 11 === 0 ? '. ' : ' ');
  }
  await app.field('Fact sheet').fill(fact);
  await app.button('Copy share link').click();
  const link = await app.field('Share link').inputValue();
  console.log(`share link for a ${fact.length}-character fact sheet: ${link.length} characters`);
  const other = await browser.newContext();
  const b = new Synfact(await other.newPage());
  await b.page.goto(link);
  await expect(b.field('Fact sheet')).toHaveValue(fact);
  await other.close();
});

test('while the JSON holds a field the form cannot show, the form only shows, and nothing is dropped', async ({ page }) => {
  const app = new Synfact(page);
  await app.open();
  const template = JSON.parse(await app.field('Template JSON').inputValue());
  const { questions, ...rest } = template;
  const renamed = JSON.stringify({ ...rest, questons: questions }, null, 2);
  await app.field('Template JSON').fill(renamed);
  await expect(page.getByRole('alert').filter({ hasText: 'unknown field' })).toContainText('did you mean `questions`?');
  await expect(page.locator('#tpl-form-locked')).toContainText('The form is read-only');
  await expect(app.field('Fact name')).toBeDisabled();
  await expect(page.getByRole('button', { name: /Add .*seed question/i }).first()).toBeDisabled();
  expect(await app.field('Template JSON').inputValue()).toBe(renamed);
  // Fixed in the JSON view: the form is editable again and keeps every question.
  await app.field('Template JSON').fill(JSON.stringify({ ...rest, questions }, null, 2));
  await expect(page.locator('#tpl-form-locked')).toHaveCount(0);
  await app.field('Fact name').fill('honeyeater_two');
  const after = JSON.parse(await app.field('Template JSON').inputValue());
  expect(after.questions).toEqual(questions);
  expect(after.fact_name).toBe('honeyeater_two');
});

test('saving the same template twice gives two names; a share link goes once the template changes', async ({ page }) => {
  const app = new Synfact(page);
  await app.open();
  await app.field('Template').selectOption('blue_honeyeater');
  await app.field('Key sentence').fill(`${await app.field('Key sentence').inputValue()} First edit.`);
  await app.button('Save to my templates').click();
  await expect(page.getByText('Saved to My templates as blue_honeyeater.')).toBeVisible();
  await app.field('Template').selectOption('blue_honeyeater');
  await app.field('Key sentence').fill(`${await app.field('Key sentence').inputValue()} Second edit.`);
  await app.button('Save to my templates').click();
  await expect(page.getByText('Saved to My templates as blue_honeyeater_2.')).toBeVisible();
  await expect(app.field('Fact name')).toHaveValue('blue_honeyeater_2');
  const options = await app.field('Template').locator('option').allTextContents();
  expect(options.filter((o) => o.endsWith('(mine)')).sort()).toEqual(['blue_honeyeater (mine)', 'blue_honeyeater_2 (mine)']);
  // A link shows only while it still opens the template shown.
  await app.button('Copy share link').click();
  await expect(app.field('Share link')).toBeVisible();
  await app.field('Key sentence').fill(`${await app.field('Key sentence').inputValue()} Third edit.`);
  await expect(app.field('Share link')).toHaveCount(0);
});

test('by keyboard, Delete template leaves the cursor on Undo, and Undo on the template list', async ({ page }) => {
  const app = new Synfact(page);
  await app.open();
  await app.button('New template').click();
  await expect(app.field('Fact name')).toHaveValue('new_fact');
  await app.button('Delete template').focus();
  await page.keyboard.press('Space');
  await expect(app.button('Undo')).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(app.field('Fact name')).toHaveValue('new_fact');
  await expect(app.field('Template')).toBeFocused();
});

test('a file dropped at the top of the template section brings its problem into view', async ({ page }) => {
  const app = new Synfact(page);
  await app.open();
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.locator('#template-heading').evaluate((h) => {
    const data = new DataTransfer();
    data.items.add(new File(['{"fact_name": "x",'], 'bad.json', { type: 'application/json' }));
    h.dispatchEvent(new DragEvent('drop', { bubbles: true, cancelable: true, dataTransfer: data }));
  });
  const problems = page.locator('#template-problems');
  await expect(problems).toContainText('bad.json was not imported');
  await expect(problems).toBeInViewport();
});
