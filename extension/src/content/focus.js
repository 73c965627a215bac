// When a step may take the keyboard focus, and where focus goes back.
//
// Moving focus into the tooltip closes whatever the employee has open on the
// page: a select, a combobox, a date picker, any popup that closes when it
// loses focus (it would close ~20 ms after it opened). So a step takes focus
// only when that cannot happen:
// - it arrived because the employee used the tooltip (Next, Back, the arrow
//   keys): focus is in the tooltip already;
// - it arrived with a navigation (a page load, a route change): the page the
//   employee was using is gone;
// - it lives in a modal that opened since the previous step: the employee's
//   context changed as with a navigation. The modal focuses itself on opening
//   (and a focus trap would pull focus back before that), so the step takes
//   focus only once the modal has finished opening (afterModalSettles);
// - nothing on the page has focus, or only a container does: the body, or the
//   modal the step lives in.
// Otherwise the step is announced through a live region and the shortcut
// (FOCUS_SHORTCUT) moves focus into it, and back.
import { deepActiveElement } from './keyboard.js';
import { element } from './host.js';

/** What made the step appear: the tooltip's own controls, a navigation, or the page (click, input, visible). */
export const ARRIVAL = Object.freeze({ tooltip: 'tooltip', navigation: 'navigation', page: 'page' });

// Longest wait for a modal's opening animations before the step takes focus.
const SETTLE_CAP_MS = 2000;

function isContainer(focused, doc, modal) {
  return !focused || focused === doc.body || focused === doc.documentElement || (Boolean(modal) && focused === modal);
}

/**
 * Whether a step may take focus now (see the top of this file).
 * @param {{arrival: string, focused: Element|null, doc: Document, modal?: Element|null,
 *          newModal?: boolean, inTooltip: boolean}} state
 */
export function mayTakeFocus({ arrival, focused, doc, modal = null, newModal = false, inTooltip }) {
  if (inTooltip || newModal || arrival === ARRIVAL.tooltip || arrival === ARRIVAL.navigation) return true;
  return isContainer(focused, doc, modal);
}

/** The focused element is in the host's shadow tree (the host itself counts). */
export function focusIsIn(host, doc = host.ownerDocument) {
  let active = doc.activeElement;
  // The host may live in a page's shadow root (a modal inside a component).
  while (active && active !== host && active.shadowRoot && active.shadowRoot.activeElement) active = active.shadowRoot.activeElement;
  return active === host;
}

function containsComposed(ancestor, node) {
  for (let at = node; at; at = at.parentNode || at.host) if (at === ancestor) return true;
  return false;
}

function finiteAnimations(modal) {
  if (typeof modal.getAnimations !== 'function') return [];
  return modal.getAnimations({ subtree: true }).filter((animation) => Number.isFinite(animation.effect?.getComputedTiming().endTime));
}

/**
 * Calls `callback` once `modal` (when given) has finished opening: after a
 * frame (its transitions have started), focus inside it (every accessible
 * modal moves focus into itself on opening; Bootstrap does it on
 * transitionend), its running animations done, then one more task. At most
 * SETTLE_CAP_MS in all; at once (a microtask) without a modal. Infinite
 * animations (a spinner) are not waited for.
 * @returns {() => void} cancel
 */
export function afterModalSettles(modal, callback) {
  let cancelled = false;
  const timers = [];
  const later = (fn, ms) => timers.push(setTimeout(fn, ms));
  let stopListening = () => {};
  const finish = () => {
    if (cancelled) return;
    cancelled = true;
    stopListening();
    timers.forEach(clearTimeout);
    callback();
  };
  if (!modal) {
    queueMicrotask(finish);
    return () => (cancelled = true);
  }
  const doc = modal.ownerDocument;
  const whenAnimated = () => {
    if (cancelled) return;
    const running = finiteAnimations(modal);
    if (!running.length) later(finish, 0);
    else Promise.allSettled(running.map((animation) => animation.finished)).then(() => later(finish, 0));
  };
  const whenFocused = () => {
    if (cancelled) return;
    if (containsComposed(modal, deepActiveElement(doc))) {
      whenAnimated();
      return;
    }
    const onFocusIn = () => {
      if (!containsComposed(modal, deepActiveElement(doc))) return;
      stopListening();
      whenAnimated();
    };
    doc.addEventListener('focusin', onFocusIn, true);
    stopListening = () => doc.removeEventListener('focusin', onFocusIn, true);
  };
  later(finish, SETTLE_CAP_MS);
  requestAnimationFrame(() => whenFocused());
  return () => {
    cancelled = true;
    stopListening();
    timers.forEach(clearTimeout);
  };
}

/**
 * Remembers the last element of the page that had focus (not ours), so that
 * focus goes back there when the tooltip is done with it: into the page's
 * modal when the step lived in one.
 * @returns {{last: () => Element|null, stop: () => void}}
 */
export function trackPageFocus(doc, host) {
  let last = null;
  const onFocusIn = (event) => {
    const path = event.composedPath();
    if (path.includes(host)) return;
    last = path[0] && path[0].nodeType === 1 ? path[0] : deepActiveElement(doc);
  };
  doc.addEventListener('focusin', onFocusIn, true);
  return { last: () => last, stop: () => doc.removeEventListener('focusin', onFocusIn, true) };
}

/** Gives focus back to `element` when it is still on the page and can take it. */
export function restoreFocus(element) {
  if (element && element.isConnected && typeof element.focus === 'function') element.focus({ preventScroll: true });
}

/**
 * A polite live region in the host's shadow root, for steps that do not take
 * focus: screen readers read what it says without moving anything.
 * @returns {{say: (text: string) => void, destroy: () => void}}
 */
export function createAnnouncer(root) {
  const region = element(root.ownerDocument, 'div', 'wm-announce');
  region.setAttribute('role', 'status');
  region.setAttribute('aria-live', 'polite');
  root.appendChild(region);
  return {
    say(text) {
      // Emptied first: the same words again must be read again.
      region.textContent = '';
      region.appendChild(root.ownerDocument.createTextNode(text));
    },
    destroy: () => region.remove(),
  };
}
