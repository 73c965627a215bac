// The durable event queue: chrome.storage.local holds every event until the
// server settles it, so a closed tab, a stopped worker or a restarted browser
// loses nothing. Retries are scheduled with chrome.alarms because timers die
// with the worker.
import { stampWho } from '../shared/events.js';
import { ALARM, STORAGE } from '../shared/keys.js';
import { postEvents } from './api.js';
import {
  afterFailure,
  afterSuccess,
  applyResults,
  classifyStatus,
  enqueueEvents,
  isSingleRefusal,
  nextBatch,
} from './batching.js';
import { readConfig } from './config.js';
import { createLock } from './lock.js';

const serialized = createLock(); // guards the queue key

async function readQueue() {
  return (await chrome.storage.local.get(STORAGE.queue))[STORAGE.queue] || [];
}

async function readState() {
  return (await chrome.storage.local.get(STORAGE.queueState))[STORAGE.queueState] || afterSuccess();
}

async function writeState(state) {
  await chrome.storage.local.set({ [STORAGE.queueState]: state });
}

/** Number of events waiting. */
export async function queuedCount() {
  return (await readQueue()).length;
}

/** Stamps who and what role: content scripts do not know the configuration. */
function stamp(events, config) {
  return events.map((event) => stampWho(event, config));
}

/** Stores the events, then tries to send them (unless a backoff is running). */
export async function enqueue(events) {
  if (!Array.isArray(events) || events.length === 0) return;
  const { config } = await readConfig();
  await serialized(async () => {
    await chrome.storage.local.set({ [STORAGE.queue]: enqueueEvents(await readQueue(), stamp(events, config)) });
  });
  flush().catch((error) => console.warn('Waymark: flush failed', error));
}

/** Removes events from storage by id, re-reading the queue inside the lock. */
function removeSettled(results) {
  return serialized(async () => {
    const outcome = applyResults(await readQueue(), results);
    await chrome.storage.local.set({ [STORAGE.queue]: outcome.queue });
    for (const { event, errors } of outcome.rejected) {
      console.warn('Waymark: the server rejected an event', event, errors);
    }
    return outcome;
  });
}

async function scheduleRetry(nextAt) {
  await chrome.alarms.create(ALARM.flush, { when: Math.max(nextAt, Date.now() + 1000) });
}

let flushing = null;
let asked = null; // a flush asked for while one runs: { force }

/**
 * Sends the queue in batches until it is empty or a send fails. `force`
 * ignores a running backoff (new configuration, a test, the options page).
 *
 * A flush asked for while one runs is run after it, not dropped: the running
 * one may have read the queue as empty just before the new events were
 * stored, and would leave them waiting for the next event or alarm.
 */
export function flush({ force = false } = {}) {
  if (flushing) {
    asked = { force: force || Boolean(asked && asked.force) };
    return flushing;
  }
  flushing = sendUntilNoneAsked(force).finally(() => (flushing = null));
  return flushing;
}

async function sendUntilNoneAsked(force) {
  for (let next = { force }; next; ) {
    asked = null;
    await sendAll(next.force);
    next = asked;
  }
}

async function sendAll(force) {
  let state = await readState();
  if (force) state = { ...state, nextAt: 0 };
  for (;;) {
    if (state.nextAt > Date.now()) return scheduleRetry(state.nextAt);
    const queue = await readQueue();
    if (queue.length === 0) return chrome.alarms.clear(ALARM.flush);
    const { config } = await readConfig();
    if (!config.backendUrl) return undefined; // nowhere to send yet; a config change flushes
    const batch = nextBatch(queue, state.batchSize);
    const { status, body } = await postEvents(config, batch);
    const kind = classifyStatus(status);
    if (kind === 'results') {
      const { settled } = await removeSettled(body && body.results);
      // An answer that settles nothing would loop forever: back off instead.
      state = settled.length > 0 ? afterSuccess() : afterFailure(state, 'retry', Date.now());
    } else if (isSingleRefusal(kind, batch)) {
      // The server refused a batch of one outright: that is its verdict on the event.
      await removeSettled([{ id: batch[0].id, status: 'rejected', errors: [{ status }] }]);
    } else {
      state = afterFailure(state, kind, Date.now());
    }
    await writeState(state);
  }
}
