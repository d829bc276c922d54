// The bad-input suite (issue: ship): malformed templates, share links, form values and imported
// datasets, each answered with a specific message while the app stays usable and what the user
// already had is kept. Provider replies (HTML pages, error bodies, truncated JSON, empty bodies,
// lone surrogates, context errors, unusable verdicts) are covered in badinput, newcomer and engine.
import { test, expect } from '@playwright/test';
import { Synfact } from '../support/app.js';

const T = JSON.stringify;
const good = {
  fact_name: 'birds', given_fact: 'Birds fly. The robin is red.', specific_information_to_always_include: 'The robin is red.',
  questions: ['Ask about robins.'], question_requirements: ['Keep it short.'],
};
const withField = (k, v) => T({ ...good, [k]: v });

// [template text, what the message must say]
const TEMPLATES = [
  ['', 'not valid JSON'],
  ['{', 'it ends too early'],
  ['[1, 2]', 'must be a JSON object'],
  ['"just a string"', 'must be a JSON object'],
  ['{"fact_name": "birds",}', 'a comma stands before a closing'],
  ['{“fact_name”: “birds”}', 'curly quotes'],
  ['{"given_fact": "line one\nline two"}', 'a line break inside a text'],
  [T({ ...good, fact_name: undefined }), 'missing the field "fact_name"'],
  [withField('questions', 'not a list'), '"questions" has the wrong type'],
  [withField('question_requirements', [1, 2]), '"question_requirements" has the wrong type'],
  [withField('given_fact', 42), '"given_fact" has the wrong type'],
  [withField('fact_name', 'birds/../../etc'), 'may only contain letters'],
  [withField('fact_name', ''), 'is empty'],
  [withField('questions', []), 'is empty'],
  [withField('questions', ['a', '']), 'item 2 is empty'],
  [withField('questions', ['same', 'same']), 'item 2 repeats item 1'],
  [withField('question_requirement', ['x']), 'did you mean `question_requirements`'],
  ['{"fact_name": "a", "fact_name": "b"}', '"fact_name" is given twice'],
  [withField('questions', Array.from({ length: 10_001 }, (_, i) => `q${i}`)), 'has 10,001 items; the most is 10,000'],
  [withField('questions', ['x'.repeat(5_001)]), 'longer than 5,000 characters'],
  [withField('prompts', 'none'), '"prompts" has the wrong type'],
  [withField('specific_information_to_always_include', ''), 'is empty'],
];

// [link fragment, what the message must say]
const LINKS = [
  ['#t=1.', 'could not be opened'],
  ['#t=1.!!!!', 'characters a link cannot have'],
  ['#t=1.AAAA', 'incomplete or was changed'],
  ['#t=9.eJwrSS0uAQAEXQHB', 'made by a newer version'],
  ['#t=x.abc', 'was not made by synfact'],
  ['#t=1.eNqrVkpLTC6Jz0vMTVWyUqpQqgUANq8F0Q', 'holds no usable template'],
];

// [field label, value, what the message must say]
const FIELDS = [
  ['Base URL', 'api.openai.com/v1', 'must start with http:// or https:// — did you mean https://api.openai.com/v1?'],
  ['Base URL', 'file:///etc/passwd', '"file:" addresses cannot reach an API'],
  ['Base URL', 'javascript:alert(1)', '"javascript:" addresses cannot reach an API'],
  ['Base URL', 'https://user:pass@api.example.com/v1', 'must not contain a user name or password'],
  ['Base URL', 'https://', 'has no host'],
  ['Base URL', 'http://localhost:99999/v1', 'invalid port'],
  ['Base URL', 'https://api.example.com/v1?key=1', 'without ?query or #fragment'],
  ['Base URL', 'https://api.example.com/v1/chat/completions', 'is the address of a call, not the base it starts from — did you mean https://api.example.com/v1?'],
  ['Examples', '-5', 'Examples'],
  ['Examples', '1e9', 'Examples'],
  ['Examples', 'ten', 'Examples'],
  ['Examples', '2.5', 'Examples'],
  ['API key', 'sk-abc\u200bdef', 'invisible character (U+200B) at position 7'],
  ['API key', 'Bearer sk-abcdef', 'paste the key alone'],
  ['API key', 'sk-“curly”', 'which no request header can carry'],
  ['Budget (USD)', '-1', 'Budget (USD)'],
  ['Budget (USD)', 'lots', 'Budget (USD)'],
];

test('malformed templates are explained one by one and the last good template is still there to go back to', async ({ page }) => {
  const app = new Synfact(page);
  await app.open();
  const json = app.field('Template JSON');
  for (const [text, says] of TEMPLATES) {
    await json.fill(text);
    await expect(page.getByRole('alert').filter({ hasText: says }).first(), text.slice(0, 60)).toBeVisible();
  }
  // Still usable: a good template parses and nothing is left over.
  await json.fill(T(good, null, 2));
  await expect(page.getByRole('alert').filter({ hasText: 'not valid JSON' })).toHaveCount(0);
  await expect(app.field('Fact name')).toHaveValue('birds');
});

test('damaged, foreign and future share links say what is wrong and change nothing', async ({ page }) => {
  const app = new Synfact(page);
  await app.open();
  const before = await app.field('Template JSON').inputValue();
  for (const [fragment, says] of LINKS) {
    await page.goto(process.env.APP_URL + fragment);
    await expect(app.button('Generate')).toBeVisible();
    await expect(page.getByRole('alert').filter({ hasText: 'share link' }).first(), fragment).toContainText(says);
    expect(await app.field('Template JSON').inputValue()).toBe(before);
  }
});

test('bad form values are named next to their field and by Generate, and nothing is sent', async ({ page }) => {
  const app = new Synfact(page);
  await app.open();
  await app.field('Provider').selectOption('custom');
  await app.field('Model').fill('m');
  await app.field('Judge model').fill('j');
  for (const [label, value, says] of FIELDS) {
    const f = app.field(label);
    const was = await f.inputValue();
    await f.fill(value);
    await app.generate();
    await expect(page.getByRole('alert').filter({ hasText: 'Cannot start yet' }), `${label} = ${value}`).toContainText(says);
    await expect(app.status()).toHaveText(/^No run yet/);
    // What was typed stays as typed.
    await expect(f).toHaveValue(value);
    await f.fill(was);
  }
});

test('imported files that are not what they claim are refused with the reason', async ({ page }) => {
  const app = new Synfact(page);
  await app.open();
  const before = await app.field('Template JSON').inputValue();
  const imports = [
    ['empty.json', Buffer.from(''), 'empty.json was not imported: the file is empty.'],
    ['misspelt.json', Buffer.from('{"fact_name": "x", "given_fact": "Pandas eat bamboo.", "specific_information_to_always_include": "Pandas eat bamboo.", "questons": ["q"], "question_requirements": ["r"]}'), 'did you mean `questions`?'],
    ['image.json', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0xff]), 'not UTF-8 text'],
    ['list.json', Buffer.from('[]'), 'must be a JSON object'],
  ];
  for (const [name, buffer, says] of imports) {
    await app.field('Import template file').setInputFiles({ name, mimeType: 'application/json', buffer });
    await expect(page.getByRole('alert').filter({ hasText: name }).first(), name).toContainText(says);
    expect(await app.field('Template JSON').inputValue()).toBe(before);
  }
  const datasets = [
    ['blank.jsonl', '\n\n', 'holds no lines'],
    ['text.jsonl', '{"text": "a"}\n', 'no line is a chat example'],
    ['roles.jsonl', '{"messages": [{"role": "robot", "content": "x"}]}\n', 'no line is a chat example'],
  ];
  for (const [name, text, says] of datasets) {
    await app.field('Open a chat JSONL file').setInputFiles({ name, mimeType: 'application/jsonl', buffer: Buffer.from(text) });
    await expect(page.getByRole('alert').filter({ hasText: name }).first(), name).toContainText(says);
  }
  await expect(page.getByRole('list', { name: 'Items' })).toHaveCount(0);
});
