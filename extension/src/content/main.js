// The overlay: injected by the worker only into tabs where a guide belongs.
// It wires the concerns together — targets, position, render, run, advance,
// keyboard, events — and every setup here has its teardown.
import { globMatch } from '../shared/glob.js';
import { STORAGE } from '../shared/keys.js';
import { MSG } from '../shared/messages.js';
import { urlSatisfies, watchAdvance } from './advance.js';
import { stepBodyPlan } from './body.js';
import { askForRun, reportTransition, toWorker } from './events.js';
import { bindKeys, deepActiveElement } from './keyboard.js';
import { anchor, revealTarget } from './position.js';
import { createHost, renderSpotlight, renderStep } from './render.js';
import { advanceOf, reduce, stepButtons } from './run.js';
import { DEFAULT_WAIT_MS, observeDeep, waitForTarget, watchDetached } from './targets.js';
import { showNudge } from './nudge.js';
import { showExitSurvey, showSurvey } from './survey.js';

// What draws each kind of served document that is not a guide (a guide is
// the run below): kind -> (ctx, doc) => {end(reason)}.
const SURFACES = { nudge: showNudge, survey: showSurvey };
const PERSON_CLOSED = ['close_button', 'escape'];

function createOverlay() {
  let guide = null;
  let run = null;
  let host = null; // created on first draw, removed when nothing is drawn
  let teardownStep = null; // undoes everything the current step set up
  let shownKey = null; // which step is drawn (or waited for) right now
  let generation = 0; // invalidates async work of a step that is gone
  let returnFocusTo = null;
  let surface = null; // the nudge or survey on screen ({end}), sharing the host with steps
  const quiet = new Set(); // guides that ended in this document: no auto restart here

  function clearStep() {
    generation += 1;
    if (teardownStep) teardownStep();
    teardownStep = null;
    shownKey = null;
  }

  function clearDrawing() {
    clearStep();
    if (host && !surface) host.destroy();
    if (!surface) host = null;
    if (returnFocusTo && returnFocusTo.isConnected && typeof returnFocusTo.focus === 'function') {
      returnFocusTo.focus({ preventScroll: true });
    }
    returnFocusTo = null;
  }

  function stepKey() {
    const step = guide.steps[run.step_index];
    const onThisPage = !step.url || globMatch(step.url, location.href);
    return `${run.run_id}:${run.step_index}:${onThisPage}`;
  }

  /** Applies a run action, reports it, then draws what comes next. */
  function dispatch(action) {
    if (!run) return;
    const result = reduce({ run, guide }, action, { now: Date.now(), url: location.href });
    if (result.run === run && result.events.length === 0 && !result.ended) return; // nothing changed
    // seq orders this run's writes, so older news from storage is ignored.
    run = { ...result.run, seq: (run.seq || 0) + 1 };
    result.run = run;
    reportTransition(result);
    if (result.ended) {
      const left = { guide, run };
      quiet.add(guide.id);
      run = null;
      guide = null;
      clearDrawing();
      // Only the person's own Close or Esc asks why (not a replacement, a new version, a missing target).
      if (result.ended === 'dismissed' && left.guide.exit_survey && PERSON_CLOSED.includes(action.reason)) askWhy(left);
      return;
    }
    if (action.type !== 'shown') showStep();
  }

  /** Draws the run's current step, or waits when it lives on another page. */
  function showStep({ force = false } = {}) {
    if (!run) return;
    const key = stepKey();
    if (!force && key === shownKey) return;
    clearStep();
    shownKey = key;
    const step = guide.steps[run.step_index];
    if (step.url && !globMatch(step.url, location.href)) return; // continues after navigation
    const advance = advanceOf(step);
    // Back on a page after the step was already shown (a full load): the
    // navigation may itself have been the awaited action.
    if (run.shown_index === run.step_index && urlSatisfies(advance, location.href)) {
      dispatch({ type: 'completed' });
      return;
    }
    if (!step.target) {
      present(step, null);
      return;
    }
    resolveAndPresent(step);
  }

  function resolveAndPresent(step) {
    const mine = generation;
    const waitMs = Number.isFinite(step.wait_ms) ? step.wait_ms : DEFAULT_WAIT_MS;
    const search = waitForTarget(document, step.target, { waitMs });
    teardownStep = search.cancel;
    search.promise.then((result) => {
      if (mine !== generation) return;
      if (result.element) present(step, result.element);
      else dispatch({ type: 'missing', wait_ms: waitMs, selectors: result.selectors });
    });
  }

  function present(step, target) {
    const mine = generation;
    if (!host) {
      returnFocusTo = deepActiveElement(document);
      host = createHost(document);
    }
    const index = run.step_index;
    const buttons = stepButtons(guide, index);
    const view = {
      title: step.title,
      label: guide.title,
      plan: stepBodyPlan(step),
      index,
      total: guide.steps.length,
      modal: !target,
      spotlight: Boolean(step.spotlight),
      preview: Boolean(guide.preview),
      ...buttons,
    };
    const next = () => dispatch({ type: 'completed' });
    const back = () => dispatch({ type: 'back' });
    const drawn = renderStep(host.root, view, {
      onClose: () => dispatch({ type: 'dismissed', reason: 'close_button' }),
      onBack: back,
      onNext: next,
      onDone: next,
    });
    const cleanups = [drawn.destroy];
    // The page may open a modal dialog (or fullscreen) over the step at any time.
    host.raise();
    cleanups.push(observeDeep(document, host.raise));
    if (target) cleanups.push(...followTarget(step, target, drawn));
    cleanups.push(watchAdvance(advanceOf(step), { target, onAdvance: () => mine === generation && next() }));
    cleanups.push(
      bindKeys(window, {
        onEscape: () => dispatch({ type: 'dismissed', reason: 'escape' }),
        onNext: buttons.next ? next : null,
        onBack: buttons.back ? back : null,
      }),
    );
    teardownStep = () => cleanups.reverse().forEach((cleanup) => cleanup());
    const firstArrival = run.shown_index !== index;
    dispatch({ type: 'shown' });
    // Focus moves into the dialog when a step arrives, not when it is only
    // redrawn (the page re-rendered its target while the employee typed).
    if (firstArrival || !deepActiveElement(document) || deepActiveElement(document) === document.body) {
      drawn.dialog.focus({ preventScroll: true });
    }
  }

  /** Anchors the dialog (and spotlight) to the target; redraws when the page replaces it. */
  function followTarget(step, target, drawn) {
    revealTarget(target);
    const spotlight = step.spotlight ? renderSpotlight(host.root) : null;
    const unanchor = anchor({
      reference: target,
      floating: drawn.dialog,
      arrowElement: drawn.arrow,
      placement: step.placement,
      onMove: spotlight ? (rect, hidden) => spotlight.move(rect, hidden) : null,
    });
    const unwatch = watchDetached(document, target, () => showStep({ force: true }));
    return [() => spotlight && spotlight.destroy(), unanchor, unwatch];
  }

  /** The nudge or survey surfaces' view of the overlay (nudge.js, survey.js). */
  function surfaceContext() {
    if (!host) host = createHost(document);
    // Above the page's own modal dialogs and popovers, as a step is (toplayer.js).
    host.raise();
    const stopRaising = observeDeep(document, host.raise);
    return {
      root: host.root,
      report: (message) => toWorker({ type: MSG.outreach, op: 'report', ...message }),
      done() {
        stopRaising();
        surface = null;
        if (!run) clearDrawing();
      },
    };
  }

  function showSurface(doc) {
    const draw = SURFACES[doc.kind];
    if (!draw || surface) return;
    quiet.add(doc.id); // once per document, whatever its frequency
    surface = draw(surfaceContext(), doc);
  }

  /** Closing a guide that has an exit survey asks it at once (when do-not-disturb allows). */
  async function askWhy(left) {
    const preview = Boolean(left.guide.preview);
    const answer = await toWorker({ type: MSG.outreach, op: 'exit', guide_id: left.guide.id, preview });
    if (!answer || !answer.ask) return;
    // Something took the page meanwhile (a guide started): give the screen back unasked.
    if (surface || run) toWorker({ type: MSG.outreach, op: 'report', id: `exit:${left.guide.id}`, preview, end: true });
    else surface = showExitSurvey(surfaceContext(), left.guide, left.run);
  }

  /** Asks the worker what belongs on this page and draws it. */
  async function sync(url = location.href) {
    const answer = await askForRun(url, [...quiet], !surface);
    if (!answer || !answer.run || !answer.guide) {
      run = null;
      guide = null;
      clearDrawing();
      if (answer && answer.outreach) showSurface(answer.outreach);
      return;
    }
    if (surface) surface.end('replaced'); // a guide takes the screen
    // An answer older than what this page already did must not undo it.
    const keepOurs = run && run.run_id === answer.run.run_id && (answer.run.seq || 0) <= (run.seq || 0);
    if (!keepOurs) clearStep();
    guide = answer.guide;
    run = keepOurs ? run : answer.run;
    showStep();
  }

  /** A history or fragment change (forwarded by the worker through the loader). */
  function navigated(url) {
    if (run && urlSatisfies(advanceOf(guide.steps[run.step_index]), url) && run.shown_index === run.step_index) {
      dispatch({ type: 'completed' });
      return;
    }
    sync(url);
  }

  // Another tab moved, ended or replaced the run: follow it.
  function onStorageChanged(changes, area) {
    if (area !== 'local' || !(STORAGE.activeRun in changes)) return;
    const stored = changes[STORAGE.activeRun].newValue;
    const known = run && stored && stored.run_id === run.run_id && (stored.seq || 0) <= (run.seq || 0);
    if (known || (!run && !stored)) return;
    // Our run ended or was replaced in another tab: it must not restart here by itself.
    if (run && (!stored || stored.run_id !== run.run_id)) quiet.add(run.guide_id);
    sync(location.href);
  }
  chrome.storage.onChanged.addListener(onStorageChanged);

  function destroy() {
    chrome.storage.onChanged.removeListener(onStorageChanged);
    if (surface) surface.end('other');
    clearDrawing();
    run = null;
    guide = null;
    delete globalThis.waymarkOverlay;
  }

  return { sync, navigated, destroy };
}

// Injected again into a tab that already has it: just re-sync.
if (globalThis.waymarkOverlay) {
  globalThis.waymarkOverlay.sync(location.href);
} else {
  globalThis.waymarkOverlay = createOverlay();
  globalThis.waymarkOverlay.sync(location.href);
}
