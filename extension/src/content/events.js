// Talking to the worker from the overlay. Events are built by run.js (pure)
// and handed over here together with the run's new place, in one message, so
// a page that unloads right after a click cannot split the two.
import { MSG } from '../shared/messages.js';

/** Sends a message to the worker; resolves with undefined when it cannot be reached. */
export async function toWorker(message) {
  try {
    return await chrome.runtime.sendMessage(message);
  } catch {
    return undefined; // the extension was reloaded: this page's overlay is orphaned
  }
}

/** Reports a transition: its events go to the durable queue, the run's place to storage. */
export function reportTransition({ run, events, ended }) {
  return toWorker({ type: MSG.transition, run, events, ended });
}

/** Asks what to show on this page: {guide, run, user, role}, {outreach} (a nudge or survey, when `outreach`) or {}. */
export function askForRun(url, quiet, outreach = true) {
  return toWorker({ type: MSG.sync, url, quiet, outreach });
}
