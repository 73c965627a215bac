// Which guide belongs on a page. Pure functions of (guides, url, role, history)
// so node's test runner can exercise every rule without a browser.
import { anyGlobMatches, globMatch } from '../shared/glob.js';

/** A run nobody touched for this long is treated as abandoned (PRODUCT.md: 30 minutes). */
export const RUN_IDLE_MS = 30 * 60 * 1000;

/** The page is one the guide is for: some include glob matches, no exclude glob does. */
export function guideMatchesUrl(guide, url) {
  const match = (guide && guide.match) || {};
  return anyGlobMatches(match.include, url) && !anyGlobMatches(match.exclude || [], url);
}

/** A guide without audience, or without roles in it, is for everyone. */
export function fitsAudience(guide, role) {
  const roles = guide && guide.audience && guide.audience.roles;
  if (!Array.isArray(roles) || roles.length === 0) return true;
  return Boolean(role) && roles.includes(role);
}

/**
 * Whether frequency lets a guide start by itself again for this user.
 * `record` is the user's history for the guide: {started, completed, ...} counts.
 * - once: never after a first start;
 * - until_completed: again on later page loads until a run completes
 *   (a dismissal quiets it for the rest of that page, see `quiet`);
 * - always: on every matching page load.
 */
export function frequencyAllows(guide, record) {
  const seen = record || {};
  switch (guide.frequency || 'until_completed') {
    case 'once':
      return !seen.started;
    case 'always':
      return true;
    case 'until_completed':
    default:
      return !seen.completed;
  }
}

/** The step a run is on, or undefined when the index is out of range. */
export function currentStep(guide, run) {
  return guide && Array.isArray(guide.steps) ? guide.steps[run.step_index] : undefined;
}

/** A run belongs on this page when its guide matches it or its current step lives on it. */
export function runConcernsUrl(guide, run, url) {
  const step = currentStep(guide, run);
  return guideMatchesUrl(guide, url) || Boolean(step && step.url && globMatch(step.url, url));
}

/** The run is too old to resume (the server counts it as abandoned). */
export function runIsStale(run, now) {
  return now - (run.updated_at || run.started_at || 0) > RUN_IDLE_MS;
}

/** A served document's kind; documents published before kinds existed are guides. */
export function kindOf(document) {
  return (document && document.kind) || 'guide';
}

/** Documents of `kind` that fit this page and role. */
export function documentsForPage(documents, url, role, kind) {
  return (documents || []).filter((d) => kindOf(d) === kind && guideMatchesUrl(d, url) && fitsAudience(d, role));
}

/**
 * Whether a document's `schedule` ({from?, until?}, ISO times) covers `now`.
 * The service stops serving a document outside it, but a cached catalogue
 * lives on while the service is unreachable: this keeps an ended
 * announcement from showing from the cache. An unreadable time counts as no
 * bound (the service validated it).
 */
export function inSchedule(doc, now) {
  const schedule = doc && doc.schedule;
  if (!schedule) return true;
  const from = Date.parse(schedule.from);
  const until = Date.parse(schedule.until);
  return !(from > now) && !(until <= now);
}

/** The documents whose schedule covers `now`; an author's preview shows whatever its schedule says. */
export function scheduled(docs, now) {
  return (docs || []).filter((doc) => doc.preview || inSchedule(doc, now));
}

/** Walkthroughs (kind `guide`, the default) that fit this page and role, auto and manual alike.
 * The service also serves tips, resources, nudges and surveys; they are not runs of steps. */
export function guidesForPage(guides, url, role) {
  return documentsForPage(guides, url, role, 'guide');
}

/**
 * What to do for a page:
 * - {kind: 'resume', guide, run}: the active run belongs here;
 * - {kind: 'start', guide}: an auto guide should start;
 * - {kind: 'stale', run}: the active run can no longer continue (guide gone,
 *   new version published, or idle too long) — the caller ends it, then asks again;
 * - {kind: 'none'}.
 * `quiet` lists guide ids that already ended in this document: they do not
 * start by themselves again until the next full page load. A preview
 * (preview.js) ignores it: it is loaded on purpose, and ends with its run.
 */
export function decide({ guides, url, role, history, activeRun, now, quiet = [] }) {
  const catalogue = guides || [];
  if (activeRun) {
    const guide = catalogue.find((g) => g.id === activeRun.guide_id);
    if (!guide || guide.version !== activeRun.version || runIsStale(activeRun, now) || !currentStep(guide, activeRun)) {
      return { kind: 'stale', run: activeRun };
    }
    // One run at a time: an unfinished multi-page run keeps other auto guides
    // away, so they never interrupt the employee's place.
    return runConcernsUrl(guide, activeRun, url) ? { kind: 'resume', guide, run: activeRun } : { kind: 'none' };
  }
  const records = history || {};
  const guide = guidesForPage(catalogue, url, role).find(
    (g) => (g.start || 'auto') === 'auto' && (g.preview || !quiet.includes(g.id)) && frequencyAllows(g, records[g.id]),
  );
  return guide ? { kind: 'start', guide } : { kind: 'none' };
}
