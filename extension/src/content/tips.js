// Tips on a page: every tip of the matching `tips` documents, found as a
// step's target is (targets.js), drawn beside it (a beacon, or nothing until
// hover or focus), opened, closed, and its field validated (validation.js).
//
// Many tips cost little: one MutationObserver (observeDeep) re-finds the
// targets that are missing or were replaced, one tracker (position.js) keeps
// every beacon, open tip and message in place with one scroll and one resize
// listener, and the fields' events are listened for once per document or
// shadow root that holds a target, not once per tip.
import { listeningScope } from './advance.js';
import { renderBeacon } from './beacon.js';
import { deepActiveElement } from './keyboard.js';
import { createTracker, revealTarget } from './position.js';
import { renderTip } from './tip.js';
import { DEFAULT_WAIT_MS, findTarget, isVisible, observeDeep, searchRoots } from './targets.js';
import { afterCheck, checksOn, fieldValue, passes, renderValidation } from './validation.js';

const SCOPE_EVENTS = ['focusin', 'focusout', 'input', 'change', 'pointerover', 'pointerout', 'pointerdown', 'keydown'];
const BEACON_GAP_PX = 6;
const PAST_BEACON_PX = 30; // an open tip on the beacon's side clears it
const HOVER_GRACE_MS = 300; // time to cross the gap from a field to its hover tip

/** How long a tip's target may take to show up: its `wait_ms` (validated by the service), as a step's. */
const waitOf = (tip) => (Number.isInteger(tip.wait_ms) && tip.wait_ms >= 0 ? tip.wait_ms : DEFAULT_WAIT_MS);

/** The form field a check reads: the target, or the field or editor inside it. */
function fieldIn(element) {
  if ('value' in element || element.isContentEditable) return element;
  return element.querySelector('input, textarea, select, [contenteditable]') || element;
}

/**
 * @param {{root: ShadowRoot, raise: () => void}} host where to draw
 * @param {{documents: object[], report: (entry, type, extra?) => void}} options
 * @returns {{list, reveal, destroy}}
 */
export function createTips(host, { documents, report }) {
  const doc = document;
  const tracker = createTracker(isVisible);
  const started = Date.now();
  const entries = documents.flatMap((tipsDoc) =>
    (tipsDoc.tips || []).map((tip, index) => ({
      doc: tipsDoc, tip, index, element: null, beacon: null, check: 'untouched', message: null, shown: false, reported: false,
    })),
  );
  const byElement = new Map();
  const scopes = new Set();
  let open = null; // {entry, card, reason, returnTo, placement, gap}
  const handled = new WeakSet(); // an event seen by the document's listener and again by a shadow root's
  let timer = null;
  let leaving = null; // a hover tip's pending close

  const entryFor = (event) => {
    for (const node of event.composedPath()) if (byElement.has(node)) return byElement.get(node);
    return null;
  };
  const ours = (node) => node && (node === host.root.host || host.root.contains(node));
  /** The path goes through `element`, or through a shadow host around it (from outside a closed root, the host is all one sees). */
  const through = (path, element) => {
    for (let node = element; node; node = node.getRootNode().host) if (path.includes(node)) return true;
    return false;
  };

  function onScopeEvent(event) {
    if (handled.has(event)) return;
    const { type } = event;
    if (type === 'keydown' || type === 'pointerdown') {
      handled.add(event); // the document's listener runs first (capture) and decides for every scope
      const path = event.composedPath();
      if (!open) return;
      if (type === 'keydown' && event.key === 'Escape') close(true);
      if (type === 'pointerdown' && !path.includes(open.card) && !path.includes(open.entry.beacon) && !through(path, open.entry.element)) close(false);
      return;
    }
    const entry = entryFor(event);
    if (!entry) return; // maybe inside a closed root: its own listener sees it next
    handled.add(event);
    const show = entry.tip.show || 'beacon';
    if (type === 'focusin') openTip(entry, 'focus');
    else if (type === 'focusout') {
      validate(entry, type);
      if (open && open.entry === entry && open.reason !== 'beacon' && !ours(event.relatedTarget)) close(false);
    } else if (type === 'input' || type === 'change') validate(entry, type);
    else if (show === 'hover' && type === 'pointerover' && (!open || open.entry !== entry)) openTip(entry, 'hover');
    else if (type === 'pointerout' && open && open.entry === entry && open.reason === 'hover') {
      const to = event.relatedTarget;
      if (!(to && entry.element.contains(to))) leaveSoon();
    } else if (type === 'pointerover' && open && open.entry === entry) clearTimeout(leaving);
  }

  function listen(scope) {
    if (scopes.has(scope)) return;
    scopes.add(scope);
    for (const type of SCOPE_EVENTS) scope.addEventListener(type, onScopeEvent, true);
  }

  function attach(entry, element) {
    if (entry.element) byElement.delete(entry.element);
    entry.element = element;
    byElement.set(element, entry);
    listen(listeningScope(element));
    if ((entry.tip.show || 'beacon') === 'beacon') {
      entry.beacon = entry.beacon || renderBeacon(host.root, entry.tip.title, () => toggle(entry));
      tracker.track(entry.beacon, element, 'right', BEACON_GAP_PX);
    }
    if (open && open.entry === entry) tracker.track(open.card, element, open.placement, open.gap);
    if (entry.message) trackMessage(entry); // after the card: it may sit under it
  }

  /** Finds the targets that are missing or were replaced; one walk over the page's roots for all of them. */
  function resolve() {
    const roots = searchRoots(doc);
    for (const entry of entries) {
      if (entry.element && entry.element.isConnected) continue;
      const found = findTarget(doc, entry.tip.target, undefined, roots);
      entry.selectors = found.selectors;
      if (found.element) attach(entry, found.element);
    }
    host.raise();
    tracker.update();
    reportMissing();
  }

  /**
   * A tip whose target has not shown up within its wait (its `wait_ms`, else a step's
   * default) is reported once (per page view); it draws if it shows later.
   */
  function reportMissing() {
    clearTimeout(timer);
    const now = Date.now();
    let soonest = Infinity;
    for (const entry of entries) {
      if (entry.element || entry.reported) continue;
      const wait = waitOf(entry.tip);
      const left = started + wait - now;
      if (left > 0) {
        soonest = Math.min(soonest, left);
        continue;
      }
      entry.reported = true;
      report(entry, 'target_missing', { wait_ms: wait, selectors: entry.selectors || [] });
    }
    if (soonest !== Infinity) timer = setTimeout(resolve, soonest);
  }

  /** A hover tip closes a moment after the pointer left its field, unless the pointer reached the tip (or came back). */
  function leaveSoon() {
    clearTimeout(leaving);
    leaving = setTimeout(() => open && open.reason === 'hover' && close(false), HOVER_GRACE_MS);
  }

  function toggle(entry) {
    if (open && open.entry === entry && open.reason === 'beacon') close(true);
    else openTip(entry, 'beacon', entry.beacon);
  }

  /**
   * Opens a tip. `reason` is what opened it: focus or hover never move focus
   * (the employee may be typing); a click on the beacon or the help panel does.
   */
  function openTip(entry, reason, returnTo = null) {
    if (!entry.element) return;
    if (open && open.entry === entry) {
      if (reason === 'focus' || reason === 'hover') return; // already open, keep how
      close(false);
    } else if (open) close(false);
    const card = renderTip(host.root, entry.tip, { preview: entry.doc.preview, onClose: () => close(true) });
    const placement = entry.tip.placement || 'right';
    const gap = entry.beacon && placement.startsWith('right') ? PAST_BEACON_PX : 12;
    open = { entry, card, reason, returnTo, placement, gap };
    tracker.track(card, entry.element, placement, gap);
    if (entry.message) trackMessage(entry);
    const mine = () => open && open.card === card;
    card.addEventListener('focusout', (event) => {
      if (mine() && !card.contains(event.relatedTarget) && event.relatedTarget !== entry.beacon) close(false);
    });
    // A hover tip the pointer moved onto stays while it is read, and goes when the pointer leaves it.
    card.addEventListener('pointerenter', () => clearTimeout(leaving));
    card.addEventListener('pointerleave', () => mine() && open.reason === 'hover' && leaveSoon());
    if (entry.beacon) entry.beacon.setAttribute('aria-expanded', 'true');
    if (returnTo) card.focus({ preventScroll: true });
    if (!entry.shown) {
      entry.shown = true;
      report(entry, 'tip_shown');
    }
  }

  /** Closes the open tip; `refocus` hands focus back to what opened it when the tip had it. */
  function close(refocus) {
    if (!open) return;
    clearTimeout(leaving);
    const { entry, card, returnTo } = open;
    open = null;
    const hadFocus = card.contains(deepActiveElement(doc)) || host.root.activeElement === card;
    tracker.untrack(card);
    card.remove();
    if (entry.message) trackMessage(entry);
    if (entry.beacon) entry.beacon.setAttribute('aria-expanded', 'false');
    if (refocus && hadFocus && returnTo && returnTo.isConnected) returnTo.focus({ preventScroll: true });
  }

  /**
   * The message sits to the field's right, past its beacon (below the field it
   * would cover the next one's label); under the field's own tip while that is
   * open, which would cover it otherwise.
   */
  function trackMessage(entry) {
    if (open && open.entry === entry) tracker.track(entry.message, open.card, 'bottom-start', 4);
    else tracker.track(entry.message, entry.element, 'right', entry.beacon ? PAST_BEACON_PX : BEACON_GAP_PX);
  }

  function validate(entry, type) {
    const rule = entry.tip.validate;
    if (!rule || !checksOn(type, entry.check)) return;
    const { state, event } = afterCheck(entry.check, passes(rule, fieldValue(fieldIn(entry.element))));
    entry.check = state;
    if (state === 'failing' && !entry.message) {
      entry.message = renderValidation(host.root, rule.message);
      trackMessage(entry);
    } else if (state === 'passing' && entry.message) {
      tracker.untrack(entry.message);
      entry.message.remove();
      entry.message = null;
    }
    if (event) report(entry, event);
  }

  listen(doc); // Esc and outside clicks on the page itself, wherever the targets are
  const stopObserving = observeDeep(doc, resolve);
  resolve();

  return {
    /** The tips drawn on the page now, for the help panel. */
    list: () => entries.filter((entry) => entry.element).map((entry) => ({ entry, title: entry.tip.title, text: entry.tip.body || '' })),
    /** Scrolls to a tip's field and opens it (from the help panel; Esc hands focus back to `returnTo`). */
    reveal(entry, returnTo) {
      if (!entry.element || !entry.element.isConnected) return;
      revealTarget(entry.element);
      openTip(entry, 'panel', returnTo);
    },
    destroy() {
      stopObserving();
      clearTimeout(timer);
      close(false);
      tracker.destroy();
      for (const scope of scopes) for (const type of SCOPE_EVENTS) scope.removeEventListener(type, onScopeEvent, true);
      for (const entry of entries) {
        if (entry.beacon) entry.beacon.remove();
        if (entry.message) entry.message.remove();
      }
    },
  };
}
