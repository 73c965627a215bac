// Answers "what belongs on this page?" from the configuration, the cached
// guides, the active run and the user's history.
import { getGuides } from './api.js';
import { readConfig } from './config.js';
import { decide, fitsAudience, guidesForPage, kindOf, scheduled } from './guides.js';
import { createLock } from './lock.js';
import { claimOutreach, outreachFor } from './outreach.js';
import { getPreview, withPreview } from './preview.js';
import { dropStaleRun, getActiveRun, getHistory, startRun } from './runs.js';

// Two syncs of one page can arrive together (a route change injects the
// overlay while an earlier injection still syncs). Deciding and starting in
// turn makes the second one resume the run the first started, instead of
// starting a second run that replaces it (found by e2e/test_pages.py).
const syncLock = createLock();

/** The configuration, the catalogue as pages see it (a preview included), the active run and the history. */
export async function gather() {
  const { config } = await readConfig();
  const [published, preview, activeRun, history] = await Promise.all([
    getGuides(config), getPreview(), getActiveRun(), getHistory(config.user)]);
  // The schedule is checked here too: a cached document ends at its `until` with the service down.
  return { config, guides: scheduled(withPreview(published, preview), Date.now()), activeRun, history };
}

/** The decision for a page, after clearing a run that can no longer go on. */
export async function decideForPage(url, quiet = []) {
  const context = await gather();
  const input = { guides: context.guides, url, role: context.config.role, history: context.history, quiet, now: Date.now() };
  let decision = decide({ ...input, activeRun: context.activeRun });
  if (decision.kind === 'stale') {
    const guide = context.guides.find((g) => g.id === decision.run.guide_id);
    // A withdrawn or republished guide is worth telling the admin about; an
    // idle run is the server's to call abandoned.
    const reportable = !guide || guide.version !== decision.run.version;
    await dropStaleRun(decision.run, { url, reportable });
    decision = decide({ ...input, activeRun: null });
    context.activeRun = null;
  }
  return { ...decision, config: context.config, guides: context.guides, activeRun: context.activeRun };
}

/** Where no guide shows: the nudge or survey do-not-disturb lets through (dnd.js), or null. */
export function outreachForPage(decision, { url, quiet, tabId, claim }) {
  const input = { documents: decision.guides, url, config: decision.config, activeRun: decision.activeRun, tabId, quiet, now: Date.now() };
  return claim ? claimOutreach(input) : outreachFor(input);
}

/** For the overlay: resume the active run, or start the auto guide that fits. */
export function syncPage(url, quiet, { tabId, outreach = false } = {}) {
  return syncLock(() => decideAndStart(url, quiet, { tabId, outreach }));
}

async function decideAndStart(url, quiet, { tabId, outreach }) {
  const decision = await decideForPage(url, quiet);
  const who = { user: decision.config.user, role: decision.config.role };
  if (decision.kind === 'resume') return { guide: decision.guide, run: decision.run, ...who };
  if (decision.kind === 'start') {
    const run = await startRun(decision.guide, { user: decision.config.user, url });
    return { guide: decision.guide, run, ...who };
  }
  const doc = outreach && tabId !== undefined ? await outreachForPage(decision, { url, quiet, tabId, claim: true }) : null;
  return doc ? { outreach: doc, ...who } : {};
}

/** For the popup: the manual guides for this page, and the active run. */
export async function manualGuidesFor(url) {
  const { config, guides, activeRun } = await gather();
  const manual = guidesForPage(guides, url, config.role).filter((guide) => guide.start === 'manual');
  return {
    guides: manual.map(({ id, title, description }) => ({ id, title, description })),
    active: activeRun ? { guide_id: activeRun.guide_id, step_index: activeRun.step_index } : null,
  };
}

/** Starts a guide by id on request (popup, help panel, a nudge's action), replacing any active run. `source`: what started it. */
export async function startById(guideId, url, source) {
  const { config, guides } = await gather();
  const guide = guides.find((g) => g.id === guideId && kindOf(g) === 'guide' && fitsAudience(g, config.role));
  if (!guide) return null;
  return startRun(guide, { user: config.user, url, source });
}

