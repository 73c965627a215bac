// Author mode's preview: how a previewed guide joins the catalogue the pages see.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { installFakeChrome } from './fake-chrome.js';

installFakeChrome();
const { asPreview, parseGuideText, withPreview } = await import('../src/background/preview.js');
const { decide } = await import('../src/background/guides.js');

const served = {
  id: 'expense', version: 0, title: 'Expense', start: 'manual', frequency: 'once',
  audience: { roles: ['finance'] }, match: { include: ['https://app.test/*'] }, steps: [{ id: 's0' }],
};

test('a preview starts by itself for anyone, every time, in place of its published namesake', () => {
  const preview = asPreview(served);
  assert.equal(preview.preview, true);
  const published = [{ ...served, version: 4 }, { id: 'other', version: 1, match: { include: ['*'] }, steps: [{ id: 'o' }] }];
  const catalogue = withPreview(published, preview);
  assert.deepEqual(catalogue.map((g) => [g.id, g.version]), [['expense', 0], ['other', 1]]);
  const history = { expense: { started: 3, completed: 3 } };
  const decision = decide({ guides: catalogue, url: 'https://app.test/x', role: 'employee', history, activeRun: null, now: 0 });
  assert.equal(decision.kind, 'start');
  assert.equal(decision.guide.version, 0);
  assert.deepEqual(withPreview(published, null), published);
});

test('a stopped preview leaves its run stale, so the page drops it', () => {
  const run = { guide_id: 'expense', version: 0, step_index: 0, updated_at: 0 };
  const decision = decide({ guides: [{ ...served, version: 4 }], url: 'https://app.test/x', role: 'finance', history: {}, activeRun: run, now: 0 });
  assert.equal(decision.kind, 'stale');
});

test('a file that is not JSON is an error naming the file and where', () => {
  const { document, errors } = parseGuideText('{"id": "x",\n  steps: []}', 'expense.json');
  assert.equal(document, undefined);
  assert.equal(errors.length, 1);
  assert.equal(errors[0].path, '$');
  assert.match(errors[0].message, /^expense\.json is not JSON: .*position|line/);
  assert.deepEqual(parseGuideText('{"id": "x"}').document, { id: 'x' });
});

test('a preview starts even where its published namesake just ended on this page', () => {
  const catalogue = withPreview([{ ...served, version: 4, start: 'auto' }], asPreview(served));
  const decision = decide({ guides: catalogue, url: 'https://app.test/x', role: 'finance', history: {}, activeRun: null, now: 0, quiet: ['expense'] });
  assert.equal(decision.kind, 'start');
  assert.equal(decision.guide.preview, true);
});

test('the service\'s answer: errors pass through, a valid guide without a preview is a clear error', async () => {
  const { validateOnService } = await import('../src/background/preview.js');
  const config = { backendUrl: 'http://svc.test' };
  const answer = (body, status = 200) => async () => ({ ok: status < 400, status, json: async () => body });
  globalThis.fetch = answer({ valid: false, errors: [{ path: 'start', message: 'bad' }], warnings: [] });
  assert.deepEqual((await validateOnService(config, 'tok', {})).errors, [{ path: 'start', message: 'bad' }]);
  globalThis.fetch = answer({ valid: true, errors: [], warnings: [] });
  const old = await validateOnService(config, 'tok', {});
  assert.equal(old.ok, false);
  assert.match(old.errors[0].message, /does not preview/);
  globalThis.fetch = answer({ error: { message: 'Token not valid.' } }, 401);
  assert.match((await validateOnService(config, 'tok', {})).errors[0].message, /refused the check: Token not valid/);
  assert.match((await validateOnService(config, '', {})).errors[0].message, /author token/);
  delete globalThis.fetch;
});
