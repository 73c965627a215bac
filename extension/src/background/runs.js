// Run state lives in chrome.storage.local, not in a page or a worker global:
// a run keeps its place across full page loads, new tabs and worker restarts.
// There is one active run at a time.
// A preview run (author mode, preview.js) goes through the same steps but
// reports nothing and leaves no history: reports and frequency stay the
// employees'.
import { makeEvent } from '../shared/events.js';
import { STORAGE } from '../shared/keys.js';
import { isOlderWrite } from '../shared/seq.js';
import { createLock } from './lock.js';
import { enqueue } from './queue.js';

const serialized = createLock(); // guards the active run and history keys

export async function getActiveRun() {
  return (await chrome.storage.local.get(STORAGE.activeRun))[STORAGE.activeRun] || null;
}

/** This user's history: {[guideId]: {started, completed, dismissed, broken}} (counts). */
export async function getHistory(user) {
  const all = (await chrome.storage.local.get(STORAGE.history))[STORAGE.history] || {};
  return all[user] || {};
}

/** Queues a run's events, unless the run is a preview. */
async function report(run, events) {
  if (run && run.preview) return;
  await enqueue(events);
}

async function bumpHistory(user, guideId, outcome) {
  const all = (await chrome.storage.local.get(STORAGE.history))[STORAGE.history] || {};
  const mine = all[user] || (all[user] = {});
  const record = mine[guideId] || (mine[guideId] = {});
  record[outcome] = (record[outcome] || 0) + 1;
  record[`last_${outcome}_at`] = Date.now();
  await chrome.storage.local.set({ [STORAGE.history]: all });
}

/** Ends whatever run is active with guide_dismissed(reason); no-op when none. */
async function dismissActive(reason, url) {
  const active = await getActiveRun();
  if (!active) return;
  await chrome.storage.local.remove(STORAGE.activeRun);
  await report(active, [makeEvent('guide_dismissed', active, { stepIndex: active.step_index, step: { id: active.step_id }, url, now: Date.now(), extra: { reason } })]);
}

/**
 * Starts a run of `guide`, replacing (and reporting as dismissed, reason
 * "replaced") any other active run. Emits guide_started.
 */
export function startRun(guide, { user, url }) {
  return serialized(async () => {
    await dismissActive('replaced', url);
    const now = Date.now();
    const run = {
      run_id: crypto.randomUUID(),
      guide_id: guide.id,
      version: guide.version,
      step_index: 0,
      step_id: guide.steps && guide.steps[0] ? guide.steps[0].id : undefined,
      step_started_at: null,
      shown_index: -1,
      seq: 0,
      started_at: now,
      updated_at: now,
    };
    if (guide.preview) run.preview = true;
    await chrome.storage.local.set({ [STORAGE.activeRun]: run });
    if (!run.preview) await bumpHistory(user, guide.id, 'started');
    await report(run, [makeEvent('guide_started', run, { url, now })]);
    return run;
  });
}

/** Ends the run in progress, if any, as replaced (a preview is about to take its place). */
export function replaceActiveRun(url) {
  return serialized(() => dismissActive('replaced', url));
}

/** Drops a run that can no longer continue. A changed or withdrawn guide is
 *  reported as dismissed ("other"); an idle one is left for the server to
 *  call abandoned. */
export function dropStaleRun(run, { url, reportable }) {
  return serialized(async () => {
    const active = await getActiveRun();
    if (!active || active.run_id !== run.run_id) return;
    if (reportable) await dismissActive('other', url);
    else await chrome.storage.local.remove(STORAGE.activeRun);
  });
}

/**
 * Applies an overlay transition: queue its events, then store the run's new
 * place or, when it ended, clear it and record the outcome. A transition for
 * a run that is no longer active (replaced meanwhile) only queues its events.
 */
export function applyTransition({ run, events, ended }, { user }) {
  return serialized(async () => {
    await report(run, events);
    const active = await getActiveRun();
    if (!active || !run || active.run_id !== run.run_id) return { active: false };
    if (ended) {
      await chrome.storage.local.remove(STORAGE.activeRun);
      // A preview is shown once per loading: it ends with its run.
      if (active.preview) await chrome.storage.local.remove(STORAGE.preview);
      else await bumpHistory(user, run.guide_id, ended);
      return { active: false };
    }
    // Two tabs can race on one run: a write older than the stored one loses.
    if (isOlderWrite(run, active)) return { active: true, stale: true };
    await chrome.storage.local.set({ [STORAGE.activeRun]: { ...active, ...pickPlace(run), updated_at: Date.now() } });
    return { active: true };
  });
}

/** Only these fields may be changed by a page: ids and version stay the worker's. */
function pickPlace(run) {
  const { step_index, step_id, step_started_at, shown_index, seq } = run;
  return { step_index, step_id, step_started_at, shown_index, seq };
}
