// Finding a step's element on a page we do not control.
// Order: `selector`, then each of `fallbacks`; the first selector with a
// usable element wins. Usable = visible and, when `text` is given, its
// visible text contains that text (case and spacing ignored).
// Reach: the document, every shadow root (recursively) and every
// same-origin iframe's document, as roots.js tracks them. A click or an input
// is matched against the target's description (matchesTarget), not against
// the element found earlier: pages replace their elements all the time.
// The search functions take a root-like object (anything with
// querySelectorAll) so node's test runner can drive them with a fake.

import { catchUpRoots, observeDeep, recheckLateRoots, searchRoots } from './roots.js';

export { observeDeep, searchRoots, shadowRootOf } from './roots.js';

export const DEFAULT_WAIT_MS = 5000;
// While a step waits: how often custom elements without a shadow root are
// looked at again (one may attach its root late, which no mutation shows).
const LATE_ROOT_CHECK_MS = 250;

/** The selectors of a target in the order they are tried. */
export function selectorsOf(target) {
  if (!target) return [];
  const fallbacks = Array.isArray(target.fallbacks) ? target.fallbacks : [];
  return [target.selector, ...fallbacks].filter((s) => typeof s === 'string' && s.trim() !== '');
}

function normalise(text) {
  return String(text || '').replace(/\s+/g, ' ').trim().toLowerCase();
}

/** The `text` filter: no filter, or the visible text contains it. */
export function textMatches(visibleText, wanted) {
  return !wanted || normalise(visibleText).includes(normalise(wanted));
}

/** All elements matching `selector` across roots; an invalid selector matches nothing. */
export function queryAll(roots, selector) {
  const found = [];
  for (const root of roots) {
    try {
      found.push(...root.querySelectorAll(selector));
    } catch {
      return []; // a syntax error is the same in every root
    }
  }
  return found;
}

/** Default visibility test in a browser: rendered, not visibility:hidden, has a box. */
export function isVisible(element) {
  if (!element.isConnected) return false;
  if (typeof element.checkVisibility === 'function' && !element.checkVisibility({ visibilityProperty: true, checkVisibilityCSS: true })) {
    return false;
  }
  const rect = element.getBoundingClientRect();
  return rect.width > 0 || rect.height > 0;
}

/** What a person reads in the element (form fields: their label-ish text). */
export function visibleText(element) {
  return element.innerText || element.textContent || element.value || element.getAttribute?.('aria-label') || '';
}

/**
 * Resolves a target once.
 * @returns {{element: object|null, selector: string|null, selectors: {selector: string, matches: number}[]}}
 *   `selectors` lists every selector tried with how many elements it matched
 *   (before the visibility and text filters), for target_missing reports.
 */
export function findTarget(root, target, env = { isVisible, visibleText }) {
  const roots = searchRoots(root);
  const selectors = [];
  for (const selector of selectorsOf(target)) {
    const matched = queryAll(roots, selector);
    selectors.push({ selector, matches: matched.length });
    const usable = matched.find((el) => env.isVisible(el) && textMatches(env.visibleText(el), target.text));
    if (usable) return { element: usable, selector, selectors };
  }
  return { element: null, selector: null, selectors };
}

/**
 * Resolves a target, waiting for it to appear for at most `waitMs`, driven
 * by DOM mutations (the only polling: late shadow roots, see roots.js). Resolves with the findTarget result; on
 * timeout `element` is null and `waited` says how long it waited.
 */
export function waitForTarget(doc, target, { waitMs = DEFAULT_WAIT_MS } = {}) {
  const started = Date.now();
  let settle;
  let stop = () => {};
  const promise = new Promise((resolve) => {
    settle = (result) => {
      stop();
      resolve({ ...result, waited: Date.now() - started });
    };
  });
  const check = () => {
    const result = findTarget(doc, target);
    if (result.element) settle(result);
  };
  // Watch first: the first search then reads the tracker's roots (one walk, not two).
  const stopObserving = observeDeep(doc, check);
  const giveUp = () => {
    catchUpRoots(doc); // roots still queued for scanning are looked at before saying "missing"
    settle(findTarget(doc, target));
  };
  const deadline = setTimeout(giveUp, waitMs);
  const lateRoots = setInterval(() => recheckLateRoots(doc) && check(), LATE_ROOT_CHECK_MS);
  stop = () => {
    stopObserving();
    clearTimeout(deadline);
    clearInterval(lateRoots);
  };
  const first = findTarget(doc, target);
  if (first.element) settle(first);
  return { promise, cancel: () => stop() };
}

/**
 * Calls `onDetached` once when the page re-renders and `element` leaves the
 * DOM: checked as soon as the page removes nodes, so a replaced target is
 * followed before the next paint.
 */
export function watchDetached(doc, element, onDetached) {
  let fired = false;
  const check = () => {
    if (fired || element.isConnected) return;
    fired = true;
    onDetached();
  };
  return observeDeep(doc, check, { onRemoved: check });
}

/** The element fits the target's description: one of its selectors, and its text filter. */
export function matchesTarget(element, target, env = { visibleText }) {
  if (!element || element.nodeType !== 1 || typeof element.matches !== 'function') return false;
  const fits = selectorsOf(target).some((selector) => {
    try {
      return element.matches(selector);
    } catch {
      return false; // an invalid selector matches nothing
    }
  });
  return fits && textMatches(env.visibleText(element), target.text);
}

/**
 * The element of an event's composed path that is the step's target: the
 * element found earlier, or any element fitting the target's description
 * (the page may have replaced the one found by the time the employee clicks).
 */
export function targetInPath(event, target, found) {
  for (const node of event.composedPath()) {
    if (node === found || matchesTarget(node, target)) return node;
  }
  return null;
}
