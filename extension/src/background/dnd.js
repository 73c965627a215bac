// Do not disturb: which nudge or survey, if any, may reach a person now.
// Pure functions of (documents, page, the person's outreach record, clock),
// so node's test runner checks every rule; outreach.js does the storage.
//
// Rules (docs/extension.md, "Nudges and surveys"):
// - at most one nudge or survey on screen at a time, across tabs;
// - none while a guide is running;
// - nudges come before surveys on a page where both would fit;
// - at most one survey per `gapDays` (default 7) across every survey, exit
//   surveys included;
// - frequency: `once` never again after it was shown; `always` on every page
//   load; `until_completed` until the person acted (a nudge action other than
//   dismiss, a survey answer), and a dismissal keeps it away for a day.
import { fitsAudience, guideMatchesUrl, kindOf } from './guides.js';

export const DEFAULT_SURVEY_GAP_DAYS = 7;
export const DAY_MS = 24 * 60 * 60 * 1000;
/** How long a dismissed `until_completed` nudge or survey stays away. */
export const DISMISS_SNOOZE_MS = DAY_MS;
/** A claim on the screen older than this is stale (its tab hung or crashed unnoticed). */
export const ON_SCREEN_MAX_MS = 30 * 60 * 1000;

const OUTREACH_KINDS = new Set(['nudge', 'survey']);

export function isOutreach(doc) {
  return OUTREACH_KINDS.has(kindOf(doc));
}

/** The survey gap in days from a setting: a number >= 0, else the default. */
export function surveyGapDays(value) {
  const days = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof days === 'number' && Number.isFinite(days) && days >= 0 ? days : DEFAULT_SURVEY_GAP_DAYS;
}

/** Whether frequency lets this document show again; `record` is the person's history of it. */
export function outreachAllows(doc, record, now) {
  const seen = record || {};
  switch (doc.frequency || 'until_completed') {
    case 'once':
      return !seen.shown;
    case 'always':
      return true;
    default:
      if (seen.acted || seen.answered) return false;
      return !(seen.last_dismissed_at && now - seen.last_dismissed_at < DISMISS_SNOOZE_MS);
  }
}

/** No survey was seen within the gap. */
export function surveyRested(state, now, gapDays) {
  const last = state && state.last_survey_at;
  return !last || now - last >= gapDays * DAY_MS;
}

/** A claim on the screen still holds: another live tab shows something. */
export function screenTaken(onScreen, { tabId, now, liveTabs }) {
  if (!onScreen) return false;
  if (onScreen.tabId === tabId) return false; // that document was replaced by this page load
  if (now - (onScreen.at || 0) > ON_SCREEN_MAX_MS) return false;
  return !liveTabs || liveTabs.includes(onScreen.tabId);
}

/**
 * The nudge or survey to show on this page, or null.
 * @param {{documents: object[], url: string, role: string, state: object, now: number,
 *          gapDays: number, activeRun: object|null, busy: boolean, quiet?: string[]}} input
 *   `documents` are already within their schedule; `state` is the person's
 *   record ({docs: {[id]: {shown, acted, answered, dismissed, last_*_at}}, last_survey_at});
 *   `busy`: another tab holds the screen; `quiet`: ids that ended in this document.
 */
export function pickOutreach({ documents, url, role, state, now, gapDays, activeRun, busy, quiet = [] }) {
  if (activeRun || busy) return null;
  const mine = state || {};
  const records = mine.docs || {};
  const rested = surveyRested(mine, now, gapDays);
  // Nudges before surveys: an announcement is news, a survey can wait for another page.
  const ordered = [...(documents || [])].sort((a, b) => (kindOf(a) === 'survey') - (kindOf(b) === 'survey'));
  return (
    ordered.find(
      (doc) =>
        isOutreach(doc) &&
        !quiet.includes(doc.id) &&
        // An author's preview (preview.js) is shown on purpose: no survey gap for it.
        (kindOf(doc) !== 'survey' || rested || doc.preview) &&
        guideMatchesUrl(doc, url) &&
        fitsAudience(doc, role) &&
        outreachAllows(doc, records[doc.id], now),
    ) || null
  );
}

/**
 * The person's record after an outcome: `shown`, `acted`, `answered` or
 * `dismissed` of document `id` (`survey: true` for any survey, exit ones
 * included, so the gap starts when it is shown).
 */
export function recordOutcome(state, { id, outcome, survey, now }) {
  const next = { ...(state || {}), docs: { ...((state && state.docs) || {}) } };
  const record = { ...(next.docs[id] || {}) };
  record[outcome] = (record[outcome] || 0) + 1;
  record[`last_${outcome}_at`] = now;
  next.docs[id] = record;
  if (survey && outcome === 'shown') next.last_survey_at = now;
  return next;
}
