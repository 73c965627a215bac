// Nudges and surveys in the worker: the person's record and the one claim on
// the screen live in chrome.storage.local (worker globals die), so the
// do-not-disturb rules (dnd.js, pure) hold across tabs and restarts.
import { STORAGE } from '../shared/keys.js';
import { readSurveyGapDays } from './config.js';
import { isOutreach, pickOutreach, recordOutcome, screenTaken, surveyGapDays, surveyRested } from './dnd.js';
import { guideMatchesUrl } from './guides.js';
import { createLock } from './lock.js';
import { enqueue } from './queue.js';

const serialized = createLock(); // guards the outreach record and the screen claim

async function readAll() {
  const stored = await chrome.storage.local.get([STORAGE.outreach, STORAGE.onScreen]);
  return { records: stored[STORAGE.outreach] || {}, onScreen: stored[STORAGE.onScreen] || null };
}

async function liveTabIds() {
  try {
    return (await chrome.tabs.query({})).map((tab) => tab.id);
  } catch {
    return null;
  }
}

async function context(user, tabId, now) {
  const { records, onScreen } = await readAll();
  const busy = screenTaken(onScreen, { tabId, now, liveTabs: await liveTabIds() });
  return { state: records[user] || {}, busy, gapDays: surveyGapDays(await readSurveyGapDays()) };
}

/**
 * The nudge or survey for a page, without claiming the screen (the loader's
 * "inject?" question). `input`: {documents, url, config, activeRun, tabId, quiet, now}.
 */
export async function outreachFor({ documents, url, config, activeRun, tabId, quiet = [], now = Date.now() }) {
  // Most pages have no nudge or survey: answer those without reading any state.
  if (activeRun || !(documents || []).some((doc) => isOutreach(doc) && guideMatchesUrl(doc, url))) return null;
  const { state, busy, gapDays } = await context(config.user, tabId, now);
  return pickOutreach({ documents, url, role: config.role, state, now, gapDays, activeRun, busy, quiet });
}

function claim(id, tabId, now) {
  return chrome.storage.local.set({ [STORAGE.onScreen]: { id, tabId, at: now } });
}

/** Picks the nudge or survey for the page and claims the screen for it (overlay sync). */
export function claimOutreach(input) {
  return serialized(async () => {
    const doc = await outreachFor(input);
    if (doc) await claim(doc.id, input.tabId, input.now || Date.now());
    return doc;
  });
}

/** Frees the screen when `tabId` holds it: its surface ended, its page went away, or it closed. */
export function releaseScreen(tabId) {
  return serialized(async () => {
    const { onScreen } = await readAll();
    if (onScreen && onScreen.tabId === tabId) await chrome.storage.local.remove(STORAGE.onScreen);
  });
}

/** May closing guide `guideId` (which has an exit survey) ask it now? Claims the screen when it may. */
export function mayAskExitSurvey(guideId, { user, tabId, preview }) {
  return serialized(async () => {
    if (preview) return true; // an author sees it; nothing is counted or remembered
    const now = Date.now();
    const { state, busy, gapDays } = await context(user, tabId, now);
    const ask = !busy && surveyRested(state, now, gapDays);
    if (ask) await claim(`exit:${guideId}`, tabId, now);
    return ask;
  });
}

/**
 * A surface's news: `outcome` (shown, acted, answered, dismissed) goes into
 * the person's record, `events` to the durable queue, and `end` frees the
 * screen. An author's preview (a nudge, a survey, an exit survey) reports nothing.
 */
export function recordReport({ id, outcome, survey, events, end, preview }, { user, tabId }) {
  return serialized(async () => {
    if (!preview) {
      if (outcome) {
        const { records } = await readAll();
        records[user] = recordOutcome(records[user], { id, outcome, survey: Boolean(survey), now: Date.now() });
        await chrome.storage.local.set({ [STORAGE.outreach]: records });
      }
      if (Array.isArray(events) && events.length) await enqueue(events);
    }
    if (end) {
      const { onScreen } = await readAll();
      if (onScreen && onScreen.tabId === tabId) await chrome.storage.local.remove(STORAGE.onScreen);
    }
  });
}

chrome.tabs.onRemoved.addListener((tabId) => {
  releaseScreen(tabId).catch(() => {});
});
