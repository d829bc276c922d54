// The GitHub Pages workflow is a valid Actions workflow (action-validator checks it against the
// published workflow schema), uses the official Pages actions, and builds with `cargo xtask build`.
import { test, expect } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const workflow = path.resolve('../../.github/workflows/pages.yml');
const validator = path.resolve('node_modules/@action-validator/cli/cli.mjs');

function validate(file) {
  try {
    execFileSync(process.execPath, [validator, file], { stdio: 'pipe' });
    return '';
  } catch (e) {
    return String(e.stdout) + String(e.stderr);
  }
}

test('the Pages workflow is valid and deploys dist/ with the official actions', () => {
  expect(validate(workflow)).toBe('');
  const text = fs.readFileSync(workflow, 'utf8');
  expect(text).toContain('run: cargo xtask build');
  for (const action of ['actions/configure-pages@', 'actions/upload-pages-artifact@', 'actions/deploy-pages@']) expect(text).toContain(action);
  expect(text).toMatch(/path: dist\b/);
  // The check can fail: a misspelt key is caught.
  const broken = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'wf-')), 'pages.yml');
  fs.writeFileSync(broken, text.replace('runs-on:', 'runs_on:'));
  expect(validate(broken)).toContain('runs_on');
});
