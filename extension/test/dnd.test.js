// Do-not-disturb decisions (background/dnd.js) and the client-side schedule
// check (background/guides.js): pure, no browser.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  DAY_MS,
  DEFAULT_SURVEY_GAP_DAYS,
  DISMISS_SNOOZE_MS,
  ON_SCREEN_MAX_MS,
  outreachAllows,
  pickOutreach,
  recordOutcome,
  screenTaken,
  surveyGapDays,
  surveyRested,
} from '../src/background/dnd.js';
import { decide, guidesForPage, inSchedule, kindOf, scheduled } from '../src/background/guides.js';

const NOW = Date.parse('2026-12-10T12:00:00Z');
const URL = 'https://expenses.example.com/reports';
const match = { include: ['https://expenses.example.com/*'] };
const nudge = { id: 'travel-policy', kind: 'nudge', version: 1, match, frequency: 'until_completed', nudge: { style: 'banner' } };
const survey = { id: 'pulse', kind: 'survey', version: 1, match, frequency: 'once', survey: { style: 'modal' } };
const otherSurvey = { ...survey, id: 'pulse-2' };
const guide = { id: 'submit-expense', version: 1, match, start: 'auto', frequency: 'always', steps: [{ id: 's' }] };
const base = { url: URL, role: 'employee', now: NOW, gapDays: 7, activeRun: null, busy: false };

test('schedule: from and until bound a document; none or unreadable bounds nothing', () => {
  const window = { schedule: { from: '2026-12-01T00:00:00Z', until: '2027-01-31T00:00:00Z' } };
  assert.equal(inSchedule(window, NOW), true);
  assert.equal(inSchedule(window, Date.parse('2026-11-30T23:59:59Z')), false);
  assert.equal(inSchedule(window, Date.parse('2027-01-31T00:00:00Z')), false, 'until is exclusive');
  assert.equal(inSchedule({ schedule: { until: '2026-12-10T11:59:59Z' } }, NOW), false);
  assert.equal(inSchedule({ schedule: { from: '2026-12-10T12:00:00Z' } }, NOW), true, 'from is inclusive');
  assert.equal(inSchedule({}, NOW), true);
  assert.equal(inSchedule({ schedule: { from: 'soon' } }, NOW), true);
  const ended = { ...nudge, id: 'ended', schedule: { until: '2026-12-01T00:00:00Z' } };
  assert.deepEqual(scheduled([nudge, ended, guide], NOW).map((d) => d.id), ['travel-policy', 'submit-expense']);
});

test('a cached document past its until is not picked, though the cache still holds it', () => {
  const cached = [{ ...nudge, schedule: { until: '2026-12-10T11:00:00Z' } }];
  assert.equal(pickOutreach({ ...base, documents: scheduled(cached, NOW) }), null);
  assert.equal(pickOutreach({ ...base, documents: scheduled(cached, Date.parse('2026-12-10T10:00:00Z')) }).id, 'travel-policy');
});

test('kinds: guides ignore nudges and surveys, outreach ignores guides', () => {
  assert.equal(kindOf(guide), 'guide');
  assert.equal(kindOf(nudge), 'nudge');
  assert.deepEqual(guidesForPage([nudge, survey, guide], URL, 'employee').map((g) => g.id), ['submit-expense']);
  assert.equal(decide({ guides: [nudge, survey], url: URL, role: 'employee', history: {}, activeRun: null, now: NOW }).kind, 'none');
  assert.equal(pickOutreach({ ...base, documents: [guide, nudge] }).id, 'travel-policy');
});

test('a nudge goes before a survey; otherwise the catalogue order', () => {
  assert.equal(pickOutreach({ ...base, documents: [survey, nudge] }).id, 'travel-policy');
  assert.equal(pickOutreach({ ...base, documents: [otherSurvey, survey] }).id, 'pulse-2');
});

test('an author\'s preview shows past the survey gap and outside its schedule', () => {
  const state = recordOutcome({}, { id: 'other', outcome: 'shown', survey: true, now: NOW });
  assert.equal(pickOutreach({ ...base, documents: [survey], state }), null);
  assert.equal(pickOutreach({ ...base, documents: [{ ...survey, preview: true }], state }).id, 'pulse');
  const later = { ...nudge, preview: true, schedule: { from: '2027-06-01T00:00:00Z' } };
  assert.deepEqual(scheduled([later], NOW).map((d) => d.id), ['travel-policy']);
});

test('none while a guide is running, none while another tab shows one', () => {
  const run = { run_id: 'r', guide_id: 'submit-expense' };
  assert.equal(pickOutreach({ ...base, documents: [nudge], activeRun: run }), null);
  assert.equal(pickOutreach({ ...base, documents: [nudge], busy: true }), null);
});

test('match, audience and this document\'s quiet list apply', () => {
  assert.equal(pickOutreach({ ...base, documents: [nudge], url: 'https://else.example.com/' }), null);
  assert.equal(pickOutreach({ ...base, documents: [{ ...nudge, audience: { roles: ['manager'] } }] }), null);
  assert.equal(pickOutreach({ ...base, documents: [nudge], quiet: ['travel-policy'] }), null);
});

test('until_completed: until an action other than dismiss; a dismissal keeps it away a day', () => {
  assert.equal(outreachAllows(nudge, undefined, NOW), true);
  assert.equal(outreachAllows(nudge, { shown: 3 }, NOW), true, 'shown but not acted: again');
  assert.equal(outreachAllows(nudge, { shown: 1, acted: 1 }, NOW), false);
  assert.equal(outreachAllows(nudge, { dismissed: 1, last_dismissed_at: NOW - 1000 }, NOW), false);
  assert.equal(outreachAllows(nudge, { dismissed: 1, last_dismissed_at: NOW - DISMISS_SNOOZE_MS }, NOW), true);
  assert.equal(outreachAllows({ ...nudge, kind: 'survey' }, { answered: 1 }, NOW), false);
});

test('once: never after it was shown; always: every page load', () => {
  const once = { ...nudge, frequency: 'once' };
  assert.equal(outreachAllows(once, {}, NOW), true);
  assert.equal(outreachAllows(once, { shown: 1 }, NOW), false);
  const always = { ...nudge, frequency: 'always' };
  assert.equal(outreachAllows(always, { shown: 9, acted: 2, dismissed: 4, last_dismissed_at: NOW }, NOW), true);
});

test('at most one survey per gap, across all surveys; nudges are not held back by it', () => {
  let state = recordOutcome({}, { id: 'pulse', outcome: 'shown', survey: true, now: NOW });
  assert.equal(state.last_survey_at, NOW);
  assert.equal(pickOutreach({ ...base, documents: [otherSurvey], state, now: NOW + 60_000 }), null, 'a second survey the same day');
  assert.equal(pickOutreach({ ...base, documents: [otherSurvey, nudge], state, now: NOW + 60_000 }).id, 'travel-policy');
  assert.equal(pickOutreach({ ...base, documents: [otherSurvey], state, now: NOW + 7 * DAY_MS }).id, 'pulse-2');
  assert.equal(pickOutreach({ ...base, documents: [otherSurvey], state, now: NOW + DAY_MS, gapDays: 1 }).id, 'pulse-2');
  assert.equal(pickOutreach({ ...base, documents: [otherSurvey], state, now: NOW + 1, gapDays: 0 }).id, 'pulse-2');
  // An exit survey counts: the gap starts when any survey is shown.
  state = recordOutcome({}, { id: 'exit:submit-expense', outcome: 'shown', survey: true, now: NOW });
  assert.equal(surveyRested(state, NOW + DAY_MS, 7), false);
  assert.equal(surveyRested(state, NOW + 7 * DAY_MS, 7), true);
  // A nudge shown does not start the gap.
  assert.equal(recordOutcome({}, { id: 'travel-policy', outcome: 'shown', now: NOW }).last_survey_at, undefined);
});

test('recordOutcome counts and stamps without touching the input', () => {
  const before = { docs: { a: { shown: 1 } } };
  const after = recordOutcome(before, { id: 'a', outcome: 'shown', now: NOW });
  assert.deepEqual(after.docs.a, { shown: 2, last_shown_at: NOW });
  assert.deepEqual(before.docs.a, { shown: 1 });
  const dismissed = recordOutcome(after, { id: 'a', outcome: 'dismissed', now: NOW + 5 });
  assert.equal(dismissed.docs.a.last_dismissed_at, NOW + 5);
  assert.equal(outreachAllows(nudge, dismissed.docs.a, NOW + 10), false);
});

test('the screen claim: held by another live tab, free for the same tab, a closed tab or an old claim', () => {
  const claim = { id: 'travel-policy', tabId: 7, at: NOW };
  assert.equal(screenTaken(null, { tabId: 1, now: NOW }), false);
  assert.equal(screenTaken(claim, { tabId: 1, now: NOW, liveTabs: [1, 7] }), true);
  assert.equal(screenTaken(claim, { tabId: 7, now: NOW, liveTabs: [7] }), false);
  assert.equal(screenTaken(claim, { tabId: 1, now: NOW, liveTabs: [1] }), false);
  assert.equal(screenTaken(claim, { tabId: 1, now: NOW + ON_SCREEN_MAX_MS + 1, liveTabs: [1, 7] }), false);
});

test('the survey gap setting: a number of days, else the default', () => {
  assert.equal(surveyGapDays(undefined), DEFAULT_SURVEY_GAP_DAYS);
  assert.equal(DEFAULT_SURVEY_GAP_DAYS, 7);
  assert.equal(surveyGapDays(3), 3);
  assert.equal(surveyGapDays('14'), 14);
  assert.equal(surveyGapDays('0'), 0);
  assert.equal(surveyGapDays(''), 7);
  assert.equal(surveyGapDays(-1), 7);
  assert.equal(surveyGapDays('soon'), 7);
});
