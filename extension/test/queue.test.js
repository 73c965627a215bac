// The durable queue end to end against fakes of chrome.storage and fetch:
// nothing is lost while the backend is down, and only settled events leave.
import assert from 'node:assert/strict';
import { beforeEach, test } from 'node:test';
import { installFakeChrome } from './fake-chrome.js';

const fake = installFakeChrome();
const { enqueue, flush, queuedCount } = await import('../src/background/queue.js');

let server; // how the fake backend answers a batch
const posted = [];
globalThis.fetch = async (url, init) => {
  const body = JSON.parse(init.body);
  posted.push({ url, body, headers: init.headers });
  return server(body.events);
};
const json = (status, body) => ({ status, json: async () => body });
const allStored = (events) => json(200, { results: events.map((e) => ({ id: e.id, status: 'stored' })) });
const events = (n, from = 0) => Array.from({ length: n }, (_, i) => ({ id: `e${from + i}`, type: 'step_shown' }));

beforeEach(async () => {
  fake.local.clear();
  fake.alarms.clear();
  posted.length = 0;
  await chrome.storage.local.set({ backendUrl: 'http://backend.test/', token: 'tok', user: 'u1', role: 'employee' });
  server = allStored;
});

test('events are stamped, sent in batches of 50 and removed once stored', async () => {
  server = () => json(503, {});
  await enqueue(events(120));
  await flush();
  server = allStored;
  await flush({ force: true });
  assert.equal(await queuedCount(), 0);
  const sizes = posted.slice(1).map((p) => p.body.events.length);
  assert.deepEqual(sizes, [50, 50, 20]);
  assert.equal(posted[1].url, 'http://backend.test/api/v1/events');
  assert.equal(posted[1].headers.Authorization, 'Bearer tok');
  assert.deepEqual({ user: posted[1].body.events[0].user, role: posted[1].body.events[0].role }, { user: 'u1', role: 'employee' });
});

test('backend down: everything stays queued, a retry alarm is set, then it drains', async () => {
  server = () => {
    throw new TypeError('network down');
  };
  await enqueue(events(3));
  await flush();
  assert.equal(await queuedCount(), 3);
  const alarm = fake.alarms.get('waymark.flush');
  assert.ok(alarm && alarm.when > Date.now(), 'a retry is scheduled');
  const state = (await chrome.storage.local.get('waymark.queueState'))['waymark.queueState'];
  assert.equal(state.attempt, 1);
  server = allStored;
  await flush(); // still inside the backoff: nothing sent
  assert.equal(await queuedCount(), 3);
  await flush({ force: true });
  assert.equal(await queuedCount(), 0);
});

test('only events the server settled leave; the others are sent again', async () => {
  server = (batch) => json(200, { results: [{ id: batch[0].id, status: 'duplicate' }, { id: batch[1].id, status: 'rejected', errors: [] }] });
  await enqueue(events(3));
  await flush({ force: true });
  assert.equal(await queuedCount(), 1, 'the unanswered event stays');
  server = allStored;
  await flush({ force: true });
  assert.equal(await queuedCount(), 0);
});

test('a 401 keeps the batch (until the token is fixed)', async () => {
  server = () => json(401, { error: { code: 'unauthorized' } });
  await enqueue(events(2));
  await flush({ force: true });
  assert.equal(await queuedCount(), 2);
});

test('a 413 splits the batch until the one refused event is found and dropped', async () => {
  server = (batch) => (batch.some((e) => e.id === 'e5') ? json(413, {}) : allStored(batch));
  await enqueue(events(8));
  await flush({ force: true });
  assert.equal(await queuedCount(), 0);
  const accepted = posted.filter((p) => !p.body.events.some((e) => e.id === 'e5')).flatMap((p) => p.body.events.map((e) => e.id));
  assert.deepEqual([...new Set(accepted)].sort(), ['e0', 'e1', 'e2', 'e3', 'e4', 'e6', 'e7']);
});

test('events stored while a flush finds the queue empty are sent by that flush', async () => {
  // The window: the running flush has read an empty queue and is finishing
  // (clearing its alarm) when the next events are stored and a flush asked for.
  const clear = chrome.alarms.clear;
  let late = null;
  chrome.alarms.clear = async (name) => {
    if (!late) late = enqueue(events(1, 100));
    await late;
    return clear(name);
  };
  try {
    await enqueue(events(1));
    await flush();
  } finally {
    chrome.alarms.clear = clear;
  }
  assert.equal(await queuedCount(), 0, 'the late event did not wait for another event or alarm');
  assert.deepEqual(posted.flatMap((p) => p.body.events.map((e) => e.id)), ['e0', 'e100']);
});

test('without a backendUrl nothing is sent and nothing is lost', async () => {
  await chrome.storage.local.remove('backendUrl');
  await enqueue(events(2));
  await flush({ force: true });
  assert.equal(posted.length, 0);
  assert.equal(await queuedCount(), 2);
});
