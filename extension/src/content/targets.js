// Finding a step's element on a page we do not control.
// Order: `selector`, then each of `fallbacks`; the first selector with a
// usable element wins. Usable = visible and, when `text` is given, its
// visible text contains that text (case and spacing ignored).
// Reach: the document, every shadow root (recursively) and every
// same-origin iframe's document. Open roots are read from `shadowRoot`;
// closed ones of custom elements through chrome.dom.openOrClosedShadowRoot,
// which only an extension has. Cross-origin frames cannot be reached from a
// content script; docs/extension.md says so.
// The search functions take a root-like object (anything with
// querySelectorAll) so node's test runner can drive them with a fake.

export const DEFAULT_WAIT_MS = 5000;
const RECHECK_THROTTLE_MS = 50;
const OBSERVED_ATTRIBUTES = ['class', 'style', 'hidden', 'open', 'aria-hidden', 'disabled'];

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

/** The document of a same-origin frame element, else null. */
function frameDocument(element) {
  const tag = String(element.tagName || '').toUpperCase();
  if (tag !== 'IFRAME' && tag !== 'FRAME') return null;
  try {
    return element.contentDocument || null; // null (or a throw) when cross-origin
  } catch {
    return null;
  }
}

/**
 * An element's shadow root, open or closed. Closed roots are asked for only
 * on custom elements (a hyphen in the name): standard elements rarely carry
 * one, and one API call per element of the page would cost too much.
 */
export function shadowRootOf(element) {
  if (element.shadowRoot) return element.shadowRoot;
  const name = String(element.localName || '');
  if (!name.includes('-')) return null;
  const dom = typeof chrome !== 'undefined' && chrome && chrome.dom;
  if (!dom || typeof dom.openOrClosedShadowRoot !== 'function') return null;
  try {
    return dom.openOrClosedShadowRoot(element) || null;
  } catch {
    return null;
  }
}

function isOwnHost(element) {
  return typeof element.hasAttribute === 'function' && element.hasAttribute('data-waymark');
}

/**
 * Every root to search, outermost first: `root`, then open shadow roots and
 * same-origin frame documents found inside it, depth first.
 */
export function searchRoots(root) {
  const roots = [];
  const visit = (node) => {
    roots.push(node);
    for (const element of node.querySelectorAll('*')) {
      if (isOwnHost(element)) continue; // never point at our own tooltip
      const shadow = shadowRootOf(element);
      if (shadow) visit(shadow);
      const inner = frameDocument(element);
      if (inner) visit(inner);
    }
  };
  visit(root);
  return roots;
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
export function findTarget(root, target, env = { isVisible, visibleText }, roots = searchRoots(root)) {
  // `roots` may be passed in: many targets resolved after one DOM change share one walk (tips.js).
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
 * Calls `onChange` (throttled) after DOM changes in the document, its open
 * shadow roots and same-origin frames. Roots that appear later are picked up
 * on the next change. Returns the teardown.
 */
export function observeDeep(doc, onChange) {
  const observed = new Set();
  let timer = null;
  const observer = new MutationObserver(() => schedule());
  const observeNewRoots = () => {
    for (const root of searchRoots(doc)) {
      if (observed.has(root)) continue;
      observed.add(root);
      const node = root.documentElement || root; // a Document, or a ShadowRoot
      if (node) observer.observe(node, { childList: true, subtree: true, attributes: true, attributeFilter: OBSERVED_ATTRIBUTES });
    }
  };
  let lastRun = -Infinity;
  function run() {
    timer = null;
    lastRun = performance.now();
    observeNewRoots();
    onChange();
  }
  // Throttled on the leading edge: the first change after a quiet spell is
  // checked at once (a late target shows without a 50 ms wait), then at most
  // once per RECHECK_THROTTLE_MS while the page keeps changing.
  function schedule() {
    if (timer !== null) return;
    const wait = RECHECK_THROTTLE_MS - (performance.now() - lastRun);
    timer = setTimeout(run, Math.max(0, wait));
  }
  // A same-origin frame that loads a new document replaces the one we watch.
  const onFrameLoad = (event) => {
    if (frameDocument(event.target)) schedule();
  };
  doc.addEventListener('load', onFrameLoad, true);
  observeNewRoots();
  return function stopObserving() {
    observer.disconnect();
    doc.removeEventListener('load', onFrameLoad, true);
    if (timer !== null) clearTimeout(timer);
  };
}

/**
 * Resolves a target, waiting for it to appear for at most `waitMs`, driven
 * by DOM mutations (no polling). Resolves with the findTarget result; on
 * timeout `element` is null and `waited` says how long it waited.
 */
export function waitForTarget(doc, target, { waitMs = DEFAULT_WAIT_MS } = {}) {
  const first = findTarget(doc, target);
  if (first.element) return { promise: Promise.resolve({ ...first, waited: 0 }), cancel() {} };
  const started = Date.now();
  let settle;
  let stop = () => {};
  const promise = new Promise((resolve) => {
    settle = (result) => {
      stop();
      resolve({ ...result, waited: Date.now() - started });
    };
  });
  const stopObserving = observeDeep(doc, () => {
    const result = findTarget(doc, target);
    if (result.element) settle(result);
  });
  const deadline = setTimeout(() => settle(findTarget(doc, target)), waitMs);
  stop = () => {
    stopObserving();
    clearTimeout(deadline);
  };
  return { promise, cancel: () => stop() };
}

/** Calls `onDetached` once when the page re-renders and `element` leaves the DOM. */
export function watchDetached(doc, element, onDetached) {
  let fired = false;
  const stop = observeDeep(doc, () => {
    if (fired || element.isConnected) return;
    fired = true;
    onDetached();
  });
  return stop;
}
