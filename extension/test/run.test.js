import assert from 'node:assert/strict';
import { test } from 'node:test';
import { reduce, stepButtons } from '../src/content/run.js';

const guide = {
  id: 'g',
  version: 2,
  steps: [
    { id: 's0', advance: { on: 'click' } },
    { id: 's1', optional: true },
    { id: 's2', advance: { on: 'next' } },
  ],
};
const start = { run_id: 'r1', guide_id: 'g', version: 2, step_index: 0, shown_index: -1, step_started_at: null };
const at = (now) => ({ now, url: 'https://a.test/p' });
const types = (result) => result.events.map((e) => e.type);

test('shown emits step_shown once per arrival and starts the step clock', () => {
  const first = reduce({ run: start, guide }, { type: 'shown' }, at(1000));
  assert.deepEqual(types(first), ['step_shown']);
  assert.equal(first.run.step_started_at, 1000);
  const event = first.events[0];
  assert.equal(event.step_id, 's0');
  assert.equal(event.step_index, 0);
  assert.equal(event.guide_version, 2);
  assert.equal(event.run_id, 'r1');
  assert.equal(event.at, new Date(1000).toISOString());
  assert.match(event.id, /^[0-9a-f-]{36}$/);
  const again = reduce({ run: first.run, guide }, { type: 'shown' }, at(5000));
  assert.deepEqual(again.events, []);
  assert.equal(again.run, first.run);
});

test('completed reports time on step and moves on', () => {
  const shown = reduce({ run: start, guide }, { type: 'shown' }, at(1000)).run;
  const done = reduce({ run: shown, guide }, { type: 'completed' }, at(6400));
  assert.deepEqual(types(done), ['step_completed']);
  assert.equal(done.events[0].duration_ms, 5400);
  assert.equal(done.run.step_index, 1);
  assert.equal(done.run.step_id, 's1');
  assert.equal(done.run.step_started_at, null);
  assert.equal(done.ended, null);
});

test('completing the last step completes the guide', () => {
  const last = { ...start, step_index: 2, shown_index: 2, step_started_at: 0 };
  const result = reduce({ run: last, guide }, { type: 'completed' }, at(10));
  assert.deepEqual(types(result), ['step_completed', 'guide_completed']);
  assert.equal(result.ended, 'completed');
});

test('back goes to the previous step (which is shown again), never below 0', () => {
  const two = { ...start, step_index: 2, shown_index: 2 };
  const result = reduce({ run: two, guide }, { type: 'back' }, at(1));
  assert.deepEqual(types(result), ['step_back']);
  assert.equal(result.events[0].step_id, 's2');
  assert.equal(result.run.step_index, 1);
  assert.deepEqual(types(reduce({ run: result.run, guide }, { type: 'shown' }, at(2))), ['step_shown']);
  assert.deepEqual(reduce({ run: start, guide }, { type: 'back' }, at(1)).events, []);
});

test('dismissed carries the reason at the current step; unknown reasons become other', () => {
  const result = reduce({ run: start, guide }, { type: 'dismissed', reason: 'escape' }, at(1));
  assert.deepEqual(types(result), ['guide_dismissed']);
  assert.equal(result.events[0].reason, 'escape');
  assert.equal(result.events[0].step_id, 's0');
  assert.equal(result.ended, 'dismissed');
  assert.equal(reduce({ run: start, guide }, { type: 'dismissed', reason: 'weird' }, at(1)).events[0].reason, 'other');
});

test('a missing target breaks the run, unless the step is optional', () => {
  const selectors = [{ selector: '#x', matches: 0 }];
  const broken = reduce({ run: start, guide }, { type: 'missing', wait_ms: 5000, selectors }, at(1));
  assert.deepEqual(types(broken), ['target_missing']);
  assert.equal(broken.events[0].wait_ms, 5000);
  assert.deepEqual(broken.events[0].selectors, selectors);
  assert.equal(broken.ended, 'broken');
  const optional = reduce({ run: { ...start, step_index: 1 }, guide }, { type: 'missing', wait_ms: 10, selectors }, at(1));
  assert.deepEqual(types(optional), ['target_missing']);
  assert.equal(optional.ended, null);
  assert.equal(optional.run.step_index, 2);
});

test('buttons: Back after the first step, Next on next-steps, Done on the last', () => {
  assert.deepEqual(stepButtons(guide, 0), { back: false, next: false, done: false });
  assert.deepEqual(stepButtons(guide, 1), { back: true, next: true, done: false });
  assert.deepEqual(stepButtons(guide, 2), { back: true, next: false, done: true });
});

test('unknown actions are a programming error', () => {
  assert.throws(() => reduce({ run: start, guide }, { type: 'jump' }, at(1)));
});

test('step_shown says how the target was found; target_missing lists the candidates healing refused', () => {
  const healed = { matched_by: 'healed', score: 0.71, healed_target: { selector: '#x' } };
  const [shown] = reduce({ run: start, guide }, { type: 'shown', match: healed }, at(1)).events;
  assert.equal(shown.matched_by, 'healed');
  assert.equal(shown.score, 0.71);
  assert.deepEqual(shown.healed_target, { selector: '#x' });
  const [plain] = reduce({ run: start, guide }, { type: 'shown' }, at(1)).events;
  assert.equal('matched_by' in plain, false, 'a step without a target says nothing');
  const candidates = [{ score: 0.6, label: 'button' }, { score: 0.59, label: 'button' }];
  const [missing] = reduce({ run: start, guide }, { type: 'missing', wait_ms: 1, selectors: [], candidates }, at(1)).events;
  assert.deepEqual(missing.candidates, candidates);
  const [none] = reduce({ run: start, guide }, { type: 'missing', wait_ms: 1, selectors: [], candidates: [] }, at(1)).events;
  assert.equal('candidates' in none, false);
});
