// Run bookkeeping in the worker against a fake chrome.storage.
import assert from 'node:assert/strict';
import { beforeEach, test } from 'node:test';
import { installFakeChrome } from './fake-chrome.js';

const fake = installFakeChrome();
const { applyTransition, getActiveRun, getHistory, replaceActiveRun, startRun } = await import('../src/background/runs.js');
const { asPreview } = await import('../src/background/preview.js');

const guide = (id) => ({ id, version: 1, steps: [{ id: `${id}-0` }, { id: `${id}-1` }] });
const queued = async () => (await chrome.storage.local.get('waymark.queue'))['waymark.queue'] || [];

beforeEach(async () => {
  fake.local.clear();
  await chrome.storage.local.set({ user: 'u1' }); // no backendUrl: events stay queued
});

test('starting a run stores it, records the start and queues guide_started', async () => {
  const run = await startRun(guide('a'), { user: 'u1', url: 'https://x.test/' });
  assert.deepEqual(await getActiveRun(), run);
  assert.equal(run.step_id, 'a-0');
  assert.equal((await getHistory('u1')).a.started, 1);
  assert.deepEqual((await queued()).map((e) => [e.type, e.guide_id, e.user]), [['guide_started', 'a', 'u1']]);
});

test('a run started from a nudge says so in guide_started', async () => {
  await startRun(guide('a'), { user: 'u1', url: 'https://x.test/', source: { kind: 'nudge', id: 'travel-policy' } });
  const [started] = await queued();
  assert.deepEqual(started.source, { kind: 'nudge', id: 'travel-policy' });
});

test('a new run replaces the active one, reported as dismissed "replaced"', async () => {
  const first = await startRun(guide('a'), { user: 'u1', url: 'https://x.test/' });
  await startRun(guide('b'), { user: 'u1', url: 'https://x.test/' });
  const types = (await queued()).map((e) => [e.type, e.guide_id, e.reason]);
  assert.deepEqual(types, [
    ['guide_started', 'a', undefined],
    ['guide_dismissed', 'a', 'replaced'],
    ['guide_started', 'b', undefined],
  ]);
  const dismissed = (await queued())[1];
  assert.equal(dismissed.run_id, first.run_id);
  assert.equal(dismissed.step_id, 'a-0');
  assert.equal((await getActiveRun()).guide_id, 'b');
});

test('transitions move the run; an older write loses; an end clears it and counts', async () => {
  const run = await startRun(guide('a'), { user: 'u1', url: 'u' });
  await applyTransition({ run: { ...run, step_index: 1, seq: 2 }, events: [{ id: 'x1', type: 'step_completed' }] }, { user: 'u1' });
  assert.equal((await getActiveRun()).step_index, 1);
  await applyTransition({ run: { ...run, step_index: 0, seq: 1 }, events: [] }, { user: 'u1' });
  assert.equal((await getActiveRun()).step_index, 1, 'a stale tab cannot move it back');
  await applyTransition({ run: { ...run, run_id: 'other', seq: 9 }, events: [{ id: 'x2', type: 'step_shown' }] }, { user: 'u1' });
  assert.equal((await getActiveRun()).run_id, run.run_id, 'another run cannot overwrite it');
  await applyTransition({ run: { ...run, seq: 1 }, events: [{ id: 'x3', type: 'guide_completed' }], ended: 'completed' }, { user: 'u1' });
  assert.equal(await getActiveRun(), null);
  assert.equal((await getHistory('u1')).a.completed, 1);
  assert.deepEqual((await queued()).map((e) => e.id).slice(1), ['x1', 'x2', 'x3'], 'events are queued whatever happens to the run');
});

test('a preview run reports nothing, leaves no history, and its end ends the preview', async () => {
  const published = await startRun(guide('a'), { user: 'u1', url: 'https://x.test/' });
  await chrome.storage.local.set({ 'waymark.preview': asPreview(guide('p')) });
  await replaceActiveRun(undefined);
  const run = await startRun(asPreview(guide('p')), { user: 'u1', url: 'https://x.test/' });
  assert.equal(run.preview, true);
  await applyTransition({ run: { ...run, step_index: 1, seq: 1 }, events: [{ id: 'p1', type: 'step_completed' }] }, { user: 'u1' });
  assert.equal((await getActiveRun()).step_index, 1);
  await applyTransition({ run: { ...run, seq: 2 }, events: [{ id: 'p2', type: 'guide_completed' }], ended: 'completed' }, { user: 'u1' });
  assert.equal(await getActiveRun(), null);
  assert.equal((await chrome.storage.local.get('waymark.preview'))['waymark.preview'], undefined);
  assert.equal((await getHistory('u1')).p, undefined, 'frequency stays the published guide\'s');
  assert.deepEqual((await queued()).map((e) => [e.type, e.guide_id, e.run_id === published.run_id, e.reason]), [
    ['guide_started', 'a', true, undefined],
    ['guide_dismissed', 'a', true, 'replaced'],
  ], 'only the published run it replaced is reported');
});

test('a preview run replaced by a published one is not reported either', async () => {
  await startRun(asPreview(guide('p')), { user: 'u1', url: 'u' });
  await startRun(guide('a'), { user: 'u1', url: 'u' });
  assert.deepEqual((await queued()).map((e) => [e.type, e.guide_id]), [['guide_started', 'a']]);
});
