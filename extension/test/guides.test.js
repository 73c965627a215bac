import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  decide,
  fitsAudience,
  frequencyAllows,
  guideMatchesUrl,
  guidesForPage,
  RUN_IDLE_MS,
  runConcernsUrl,
} from '../src/background/guides.js';

const expense = {
  id: 'submit-expense',
  version: 3,
  match: { include: ['https://expenses.example.com/*'], exclude: ['*/admin/*'] },
  audience: { roles: ['employee'] },
  start: 'auto',
  frequency: 'until_completed',
  steps: [
    { id: 'new-report', url: 'https://expenses.example.com/reports' },
    { id: 'amount', url: 'https://other.example.com/form*' },
    { id: 'done' },
  ],
};
const manual = { ...expense, id: 'manual-one', start: 'manual', audience: undefined };
const NOW = 1_700_000_000_000;

test('include and exclude globs', () => {
  assert.equal(guideMatchesUrl(expense, 'https://expenses.example.com/reports'), true);
  assert.equal(guideMatchesUrl(expense, 'https://expenses.example.com/admin/x'), false);
  assert.equal(guideMatchesUrl(expense, 'https://elsewhere.test/'), false);
  assert.equal(guideMatchesUrl({ match: {} }, 'https://a'), false);
});

test('audience roles: none means everyone, else the role must be listed', () => {
  assert.equal(fitsAudience(expense, 'employee'), true);
  assert.equal(fitsAudience(expense, 'manager'), false);
  assert.equal(fitsAudience(expense, ''), false);
  assert.equal(fitsAudience({ audience: {} }, ''), true);
  assert.equal(fitsAudience({}, 'anyone'), true);
});

test('frequency once / until_completed / always', () => {
  const once = { frequency: 'once' };
  const until = { frequency: 'until_completed' };
  const always = { frequency: 'always' };
  assert.equal(frequencyAllows(once, undefined), true);
  assert.equal(frequencyAllows(once, { started: 1 }), false);
  assert.equal(frequencyAllows(until, { started: 4, dismissed: 2 }), true);
  assert.equal(frequencyAllows(until, { started: 1, completed: 1 }), false);
  assert.equal(frequencyAllows(always, { started: 9, completed: 9 }), true);
  assert.equal(frequencyAllows({}, { completed: 1 }), false, 'until_completed is the default');
});

test('decide starts the first auto guide that fits page, role and frequency', () => {
  const base = { guides: [manual, expense], url: 'https://expenses.example.com/reports', now: NOW };
  assert.deepEqual(decide({ ...base, role: 'employee', history: {} }).guide.id, 'submit-expense');
  assert.equal(decide({ ...base, role: 'manager', history: {} }).kind, 'none', 'manual guides never start by themselves');
  assert.equal(decide({ ...base, role: 'employee', history: { 'submit-expense': { completed: 1 } } }).kind, 'none');
  assert.equal(decide({ ...base, role: 'employee', history: {}, quiet: ['submit-expense'] }).kind, 'none');
});

test('decide resumes the active run on its pages, including a step page outside match', () => {
  const run = { guide_id: 'submit-expense', version: 3, step_index: 1, updated_at: NOW };
  const base = { guides: [expense], role: 'employee', history: {}, now: NOW, activeRun: run };
  assert.equal(decide({ ...base, url: 'https://expenses.example.com/x' }).kind, 'resume');
  assert.equal(decide({ ...base, url: 'https://other.example.com/form?id=1' }).kind, 'resume');
  assert.equal(decide({ ...base, url: 'https://unrelated.test/' }).kind, 'none');
  assert.equal(runConcernsUrl(expense, { step_index: 2 }, 'https://other.example.com/form'), false);
});

test('decide reports a stale run: new version, withdrawn guide, idle too long', () => {
  const run = { guide_id: 'submit-expense', version: 2, step_index: 0, updated_at: NOW };
  const base = { guides: [expense], role: 'employee', history: {}, url: 'https://expenses.example.com/', now: NOW };
  assert.equal(decide({ ...base, activeRun: run }).kind, 'stale');
  assert.equal(decide({ ...base, guides: [], activeRun: { ...run, version: 3 } }).kind, 'stale');
  const idle = { ...run, version: 3, updated_at: NOW - RUN_IDLE_MS - 1 };
  assert.equal(decide({ ...base, activeRun: idle }).kind, 'stale');
});

test('guidesForPage leaves out documents of other kinds (tips, nudges, ...)', () => {
  const tips = { id: 'tips', kind: 'tips', match: expense.match, tips: [] };
  const ids = guidesForPage([{ ...expense, kind: 'guide' }, tips], 'https://expenses.example.com/', 'employee');
  assert.deepEqual(ids.map((g) => g.id), [expense.id]);
});

test('guidesForPage lists manual and auto guides that fit', () => {
  const ids = guidesForPage([expense, manual], 'https://expenses.example.com/', 'manager').map((g) => g.id);
  assert.deepEqual(ids, ['manual-one']);
});
