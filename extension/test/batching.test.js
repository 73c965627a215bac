import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  afterFailure,
  afterSuccess,
  applyResults,
  backoffDelay,
  BASE_DELAY_MS,
  classifyStatus,
  enqueueEvents,
  isSingleRefusal,
  MAX_BATCH,
  MAX_DELAY_MS,
  MAX_QUEUED,
  nextBatch,
} from '../src/background/batching.js';

const events = (n, from = 0) => Array.from({ length: n }, (_, i) => ({ id: `e${from + i}` }));

test('batches hold the oldest events, at most 50', () => {
  const queue = events(120);
  assert.equal(nextBatch(queue).length, MAX_BATCH);
  assert.equal(nextBatch(queue)[0].id, 'e0');
  assert.equal(nextBatch(queue, 500).length, MAX_BATCH);
  assert.equal(nextBatch(queue, 3).length, 3);
  assert.equal(nextBatch(events(2)).length, 2);
});

test('only stored, duplicate or rejected removes an event', () => {
  const queue = events(5);
  const { queue: left, settled, rejected } = applyResults(queue, [
    { id: 'e0', status: 'stored' },
    { id: 'e1', status: 'duplicate' },
    { id: 'e2', status: 'rejected', errors: [{ path: 'type', message: 'unknown' }] },
    { id: 'e3', status: 'later' },
  ]);
  assert.deepEqual(left.map((e) => e.id), ['e3', 'e4']);
  assert.equal(settled.length, 3);
  assert.deepEqual(rejected.map((r) => r.event.id), ['e2']);
});

test('a malformed answer removes nothing', () => {
  assert.equal(applyResults(events(3), undefined).queue.length, 3);
  assert.equal(applyResults(events(3), [null, { status: 'stored' }]).queue.length, 3);
});

test('events enqueued during a send survive the removal of the sent batch', () => {
  const sent = events(2);
  const grown = [...sent, ...events(2, 10)];
  const { queue } = applyResults(grown, sent.map((e) => ({ id: e.id, status: 'stored' })));
  assert.deepEqual(queue.map((e) => e.id), ['e10', 'e11']);
});

test('HTTP statuses: 2xx has results, 400/413 split the batch, the rest retry', () => {
  assert.equal(classifyStatus(200), 'results');
  assert.equal(classifyStatus(400), 'split');
  assert.equal(classifyStatus(413), 'split');
  for (const status of [0, 401, 403, 429, 500, 503]) assert.equal(classifyStatus(status), 'retry');
});

test('backoff grows exponentially with jitter and is capped', () => {
  assert.equal(backoffDelay(1, () => 1), BASE_DELAY_MS);
  assert.equal(backoffDelay(1, () => 0), BASE_DELAY_MS / 2);
  assert.equal(backoffDelay(3, () => 1), BASE_DELAY_MS * 4);
  assert.equal(backoffDelay(40, () => 1), MAX_DELAY_MS);
});

test('a failure schedules the next try; a success resets', () => {
  const now = 1000;
  const failed = afterFailure(afterSuccess(), 'retry', now, () => 1);
  assert.deepEqual(failed, { attempt: 1, nextAt: now + BASE_DELAY_MS, batchSize: MAX_BATCH });
  const twice = afterFailure(failed, 'retry', now, () => 1);
  assert.equal(twice.nextAt, now + 2 * BASE_DELAY_MS);
  assert.deepEqual(afterSuccess(), { attempt: 0, nextAt: 0, batchSize: MAX_BATCH });
});

test('a refused batch is halved and retried at once; a refused single event is poison', () => {
  const split = afterFailure(afterSuccess(), 'split', 5, () => 1);
  assert.deepEqual(split, { attempt: 0, nextAt: 5, batchSize: 25 });
  assert.equal(afterFailure({ batchSize: 1 }, 'split', 5).batchSize, 1);
  assert.equal(isSingleRefusal('split', events(1)), true);
  assert.equal(isSingleRefusal('split', events(2)), false);
  assert.equal(isSingleRefusal('retry', events(1)), false);
});

test('enqueue appends, ignores known ids, and stays bounded', () => {
  assert.deepEqual(enqueueEvents(events(2), [{ id: 'e1' }, { id: 'x' }, {}]).map((e) => e.id), ['e0', 'e1', 'x']);
  const full = enqueueEvents(events(MAX_QUEUED), events(3, MAX_QUEUED));
  assert.equal(full.length, MAX_QUEUED);
  assert.equal(full[0].id, 'e3');
});
