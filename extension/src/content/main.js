// The overlay: injected by the worker only into tabs where a guide belongs.
// It wires the concerns together — targets, position, render, run, advance,
// keyboard, events — and every setup here has its teardown.
import { globMatch } from '../shared/glob.js';
import { STORAGE } from '../shared/keys.js';
import { isKnownWrite, nextWrite } from '../shared/seq.js';
import { urlSatisfies, watchAdvance } from './advance.js';
import { stepBodyPlan } from './body.js';
import { askForRun, reportTransition } from './events.js';
import { ARRIVAL, afterModalSettles, createAnnouncer, focusIsIn, mayTakeFocus, restoreFocus, trackPageFocus } from './focus.js';
import { bindKeys, deepActiveElement, FOCUS_SHORTCUT } from './keyboard.js';
import { anchor, revealTarget } from './position.js';
import { createHost, renderSpotlight, renderStep } from './render.js';
import { advanceOf, reduce, stepButtons } from './run.js';
import { DEFAULT_WAIT_MS, findTarget, observeDeep, waitForTarget, watchDetached } from './targets.js';

function createOverlay() {
  let guide = null;
  let run = null;
  let host = null; // created on first draw, removed when nothing is drawn
  let teardownStep = null; // undoes everything the current step set up
  let shownKey = null; // which step is drawn (or waited for) right now
  let generation = 0; // invalidates async work of a step that is gone
  let arrival = ARRIVAL.navigation; // what made the next step appear (focus.js)
  let returnFocusTo = null; // where focus was when the first step appeared
  let previousModal = null; // the page's modal the previous step lived in
  let stopTracking = null; // keeps the page's root tracker (roots.js) alive while a run is on this page
  const quiet = new Set(); // guides that ended in this document: no auto restart here

  function clearStep() {
    generation += 1;
    if (teardownStep) teardownStep();
    teardownStep = null;
    shownKey = null;
  }

  /** The host and what lives as long as it: the raise on page changes, the page focus it returns to, the live region. */
  function openHost() {
    returnFocusTo = deepActiveElement(document);
    const made = createHost(document);
    const stopRaising = observeDeep(document, made.raise); // the page may open a modal over the step at any time
    const pageFocus = trackPageFocus(document, made.host);
    const announcer = createAnnouncer(made.root);
    return {
      ...made,
      pageFocus,
      announcer,
      destroy() {
        stopRaising();
        pageFocus.stop();
        made.destroy();
      },
    };
  }

  function clearDrawing() {
    clearStep();
    if (stopTracking) stopTracking();
    stopTracking = null;
    if (!host) return;
    // Focus goes back only when the tooltip had it: the employee may be busy in the page.
    const hadFocus = focusIsIn(host.host);
    const back = host.pageFocus.last() || returnFocusTo;
    host.destroy();
    host = null;
    previousModal = null;
    if (hadFocus || deepActiveElement(document) === document.body) restoreFocus(back);
    returnFocusTo = null;
  }

  function stepKey() {
    const step = guide.steps[run.step_index];
    const onThisPage = !step.url || globMatch(step.url, location.href);
    return `${run.run_id}:${run.step_index}:${onThisPage}`;
  }

  /** Applies a run action, reports it, then draws what comes next. */
  function dispatch(action, cause = ARRIVAL.page) {
    if (!run) return;
    if (action.type !== 'shown') arrival = cause;
    const result = reduce({ run, guide }, action, { now: Date.now(), url: location.href });
    if (result.run === run && result.events.length === 0 && !result.ended) return; // nothing changed
    // seq orders this run's writes, so older news from storage is ignored.
    run = { ...result.run, seq: nextWrite(run).seq };
    result.run = run;
    reportTransition(result);
    if (result.ended) {
      quiet.add(guide.id);
      run = null;
      guide = null;
      clearDrawing();
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
      dispatch({ type: 'completed' }, ARRIVAL.navigation);
      return;
    }
    // One tracker for the whole run here: steps, the host and the advance
    // watchers share its roots instead of each walking the page again.
    if (!stopTracking) stopTracking = observeDeep(document, () => {});
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
      else dispatch({ type: 'missing', wait_ms: waitMs, selectors: result.selectors }, arrival); // a skip keeps how the step came
    });
  }

  function present(step, target) {
    const mine = generation;
    if (!host) host = openHost();
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
    // Our own controls: the next step may take focus (focus.js).
    const next = () => dispatch({ type: 'completed' }, ARRIVAL.tooltip);
    const back = () => dispatch({ type: 'back' }, ARRIVAL.tooltip);
    const drawn = renderStep(host.root, view, {
      onClose: () => dispatch({ type: 'dismissed', reason: 'close_button' }),
      onBack: back,
      onNext: next,
      onDone: next,
    });
    const cleanups = [drawn.destroy];
    host.raise();
    const advance = advanceOf(step);
    const onAdvance = () => mine === generation && dispatch({ type: 'completed' });
    const watchOn = (element) => watchAdvance(advance, { target: element, description: step.target, onAdvance });
    cleanups.push(target ? followTarget(step, target, drawn, watchOn) : watchOn(null));
    cleanups.push(
      bindKeys(window, {
        // Esc pressed in the page's modal the step lives in closes that modal, not the guide.
        onEscape: (inTooltip) => (inTooltip || !host.modal()) && dispatch({ type: 'dismissed', reason: 'escape' }),
        onNext: buttons.next ? next : null,
        onBack: buttons.back ? back : null,
        onFocusShortcut: () => toggleFocus(drawn.dialog),
        host: host.host,
      }),
    );
    teardownStep = () => cleanups.reverse().forEach((cleanup) => cleanup());
    const firstArrival = run.shown_index !== index;
    const cause = arrival;
    dispatch({ type: 'shown' });
    cleanups.push(focusOnArrival(drawn.dialog, view, { firstArrival, cause, isCurrent: () => mine === generation }));
  }

  /**
   * Offers focus to a step that arrived (focus.js decides), once a page modal
   * it lives in has finished opening. Not to a step only redrawn (the page
   * re-rendered its target while the employee typed). Answers the cancel.
   */
  function focusOnArrival(dialog, view, { firstArrival, cause, isCurrent }) {
    const modal = host.modal();
    const newModal = Boolean(modal) && modal !== previousModal;
    previousModal = modal;
    const active = deepActiveElement(document);
    if (!firstArrival && active && active !== document.body) return () => {};
    return afterModalSettles(newModal ? modal : null, () => isCurrent() && offerFocus(dialog, view, { arrival: cause, newModal }));
  }

  function offerFocus(dialog, view, { arrival: cause, newModal }) {
    const state = { arrival: cause, newModal, focused: deepActiveElement(document), doc: document, modal: host.modal(), inTooltip: focusIsIn(host.host) };
    if (mayTakeFocus(state)) {
      dialog.focus({ preventScroll: true });
      return;
    }
    const title = view.title || view.label || 'Guide';
    host.announcer.say(`Guide step ${view.index + 1} of ${view.total}: ${title}. Press ${FOCUS_SHORTCUT.label} to go to it.`);
  }

  /** The shortcut: into the step, or back to where the employee was on the page. */
  function toggleFocus(dialog) {
    if (!focusIsIn(host.host)) {
      dialog.focus({ preventScroll: true });
      return;
    }
    restoreFocus(host.pageFocus.last() || returnFocusTo);
  }

  /**
   * Anchors the dialog (and spotlight) to the target, with the step's advance
   * watched on it (`watch(element)` answers its teardown). When the page
   * replaces the target, the new element is followed at once (before the
   * next paint); the step waits again only when none is there.
   */
  function followTarget(step, target, drawn, watch) {
    revealTarget(target);
    const spotlight = step.spotlight ? renderSpotlight(host.root) : null;
    let unbind = () => {};
    let unwatchDetached = () => {};
    const bind = (element) => {
      unbind();
      unwatchDetached();
      const unanchor = anchor({
        reference: element,
        floating: drawn.dialog,
        arrowElement: drawn.arrow,
        placement: step.placement,
        onMove: spotlight ? (rect, hidden) => spotlight.move(rect, hidden) : null,
      });
      const unwatch = watch(element);
      unbind = () => {
        unanchor();
        unwatch();
      };
      unwatchDetached = watchDetached(document, element, () => {
        const replacement = findTarget(document, step.target).element;
        if (replacement) bind(replacement);
        else showStep({ force: true });
      });
    };
    bind(target);
    return () => {
      unwatchDetached();
      unbind();
      if (spotlight) spotlight.destroy();
    };
  }

  /** Asks the worker what belongs on this page and draws it. */
  async function sync(url = location.href) {
    arrival = ARRIVAL.navigation;
    const answer = await askForRun(url, [...quiet]);
    if (!answer || !answer.run || !answer.guide) {
      run = null;
      guide = null;
      clearDrawing();
      return;
    }
    // An answer older than what this page already did must not undo it.
    const keepOurs = isKnownWrite(answer.run, run);
    if (!keepOurs) clearStep();
    guide = answer.guide;
    run = keepOurs ? run : answer.run;
    showStep();
  }

  /** A history or fragment change (forwarded by the worker through the loader). */
  function navigated(url) {
    if (run && urlSatisfies(advanceOf(guide.steps[run.step_index]), url) && run.shown_index === run.step_index) {
      dispatch({ type: 'completed' }, ARRIVAL.navigation);
      return;
    }
    sync(url);
  }

  // Another tab moved, ended or replaced the run: follow it.
  function onStorageChanged(changes, area) {
    if (area !== 'local' || !(STORAGE.activeRun in changes)) return;
    const stored = changes[STORAGE.activeRun].newValue;
    const known = isKnownWrite(stored, run);
    if (known || (!run && !stored)) return;
    // Our run ended or was replaced in another tab: it must not restart here by itself.
    if (run && (!stored || stored.run_id !== run.run_id)) quiet.add(run.guide_id);
    sync(location.href);
  }
  chrome.storage.onChanged.addListener(onStorageChanged);

  function destroy() {
    chrome.storage.onChanged.removeListener(onStorageChanged);
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
