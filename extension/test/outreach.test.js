// The worker's nudge and survey state (background/outreach.js) against a fake
// chrome.storage: the one claim on the screen across tabs, the person's
// record, the survey gap for exit surveys, previews counting nothing.
import assert from 'node:assert/strict';
import { beforeEach, test } from 'node:test';
import { installFakeChrome } from './fake-chrome.js';

const fake = installFakeChrome();
const { claimOutreach, mayAskExitSurvey, outreachFor, recordReport, releaseScreen } = await import('../src/background/outreach.js');

const match = { include: ['https://x.test/*'] };
const nudge = { id: 'news', kind: 'nudge', version: 1, match, frequency: 'always', nudge: { style: 'toast' } };
const survey = { id: 'pulse', kind: 'survey', version: 1, match, frequency: 'always', survey: { style: 'modal' } };
const config = { user: 'u1', role: '' };
const page = (tabId, documents = [nudge]) => ({ documents, url: 'https://x.test/a', config, activeRun: null, tabId, quiet: [] });
const queued = async () => (await chrome.storage.local.get('waymark.queue'))['waymark.queue'] || [];

beforeEach(() => {
  fake.local.clear();
  fake.tabs.splice(0, fake.tabs.length, 1, 2);
});

test('one on screen across tabs: a claim keeps the other tabs quiet until it is freed', async () => {
  assert.equal((await claimOutreach(page(1))).id, 'news');
  assert.equal(await outreachFor(page(2)), null, 'tab 2 waits');
  assert.equal((await outreachFor(page(1))).id, 'news', 'a new page in the same tab replaced the old one');
  await recordReport({ id: 'news', outcome: 'dismissed', events: [], end: true }, { user: 'u1', tabId: 1 });
  assert.equal((await outreachFor(page(2))).id, 'news');
});

test('a claim by a tab that closed, or one freed with its tab, does not hold', async () => {
  await claimOutreach(page(1));
  fake.tabs.splice(0, fake.tabs.length, 2);
  assert.equal((await outreachFor(page(2))).id, 'news');
  fake.tabs.push(1);
  await releaseScreen(1);
  assert.equal((await outreachFor(page(2))).id, 'news');
});

test('nothing while a guide runs, and nothing on a page no nudge matches', async () => {
  assert.equal(await outreachFor({ ...page(1), activeRun: { run_id: 'r' } }), null);
  assert.equal(await outreachFor({ ...page(1), url: 'https://elsewhere.test/' }), null);
});

test('a survey shown starts the gap: no other survey, no exit survey; the setting can shorten it', async () => {
  await recordReport({ id: 'pulse', outcome: 'shown', survey: true, events: [{ id: 'e1', type: 'survey_shown' }] }, { user: 'u1', tabId: 1 });
  assert.deepEqual((await queued()).map((e) => e.id), ['e1']);
  assert.equal(await outreachFor(page(1, [survey])), null);
  assert.equal(await mayAskExitSurvey('submit-expense', { user: 'u1', tabId: 1 }), false);
  await chrome.storage.local.set({ surveyGapDays: '0' });
  assert.equal((await outreachFor(page(1, [survey]))).id, 'pulse');
  assert.equal(await mayAskExitSurvey('submit-expense', { user: 'u1', tabId: 1 }), true);
  assert.equal((await chrome.storage.local.get('waymark.onScreen'))['waymark.onScreen'].id, 'exit:submit-expense');
});

test('a preview exit survey may always be asked and records nothing', async () => {
  await recordReport({ id: 'pulse', outcome: 'shown', survey: true, events: [] }, { user: 'u1', tabId: 1 });
  assert.equal(await mayAskExitSurvey('draft', { user: 'u1', tabId: 1, preview: true }), true);
  await recordReport({ id: 'exit:draft', outcome: 'answered', survey: true, preview: true, events: [{ id: 'p1', type: 'survey_answered' }] }, { user: 'u1', tabId: 1 });
  assert.deepEqual(await queued(), []);
  const record = (await chrome.storage.local.get('waymark.outreach'))['waymark.outreach'].u1;
  assert.equal(record.docs['exit:draft'], undefined);
});

test('an acted until_completed nudge does not come back', async () => {
  const once = { ...nudge, frequency: 'until_completed' };
  await recordReport({ id: 'news', outcome: 'shown', events: [] }, { user: 'u1', tabId: 1 });
  assert.equal((await outreachFor(page(1, [once]))).id, 'news');
  await recordReport({ id: 'news', outcome: 'acted', events: [], end: true }, { user: 'u1', tabId: 1 });
  assert.equal(await outreachFor(page(1, [once])), null);
  assert.equal((await outreachFor({ ...page(1, [once]), config: { user: 'u2', role: '' } })).id, 'news', 'per person');
});
