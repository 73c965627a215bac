// Where a deep search looks: the document, every shadow root (open ones, and
// closed ones of custom elements through chrome.dom.openOrClosedShadowRoot,
// which only an extension has) and every same-origin frame's document,
// recursively. Cross-origin frames cannot be reached from a content script.
//
// On a large live page this set must not be rebuilt by walking every element
// on every change (20,000 table rows: 0.5-1.5 s event-loop lag with a step
// shown). So while anything watches a document, one tracker per document
// keeps the set up to date from the MutationObserver's added and removed
// nodes, with one observer for every root and every watcher:
// - the document, then the nodes added to it, are scanned for shadow hosts
//   and frames in slices of at most SLICE_BUDGET_MS, one slice per animation
//   frame, so a huge page or one that adds many nodes keeps its frame rate
//   (the scan catches up over the next frames; a whole walk of 20,000 rows
//   takes ~110 ms on a loaded 2-core machine);
// - removed nodes drop the roots whose host or frame left the page;
// - a custom element can attach its shadow root after it was inserted (it was
//   upgraded later, or attaches in a timer), which no mutation shows: custom
//   elements seen without a root are re-checked on each slice, within the
//   same budget, and every LATE_ROOT_CHECK_MS while a step waits for its
//   target (targets.js), until they have one;
// - a frame that loads a new document replaces the one watched.
// Watchers are told after changes, throttled (leading edge, then at most once
// per RECHECK_THROTTLE_MS); `onRemoved` watchers are told at once, in the
// observer's callback, so the tooltip follows a replaced target before the
// next paint. Without a watcher, searchRoots walks the document once.
// The functions take root-like objects (anything with querySelectorAll) so
// node's test runner can drive them with a fake.

const RECHECK_THROTTLE_MS = 50;
const SLICE_BUDGET_MS = 4;
const CHECK_CLOCK_EVERY = 256; // elements between two looks at the clock
const OBSERVED_ATTRIBUTES = ['class', 'style', 'hidden', 'open', 'aria-hidden', 'aria-modal', 'disabled'];

/** The document of a same-origin frame element, else null. */
export function frameDocument(element) {
  const tag = String(element.tagName || '').toUpperCase();
  if (tag !== 'IFRAME' && tag !== 'FRAME') return null;
  try {
    return element.contentDocument || null; // null (or a throw) when cross-origin
  } catch {
    return null;
  }
}

function isCustomElement(element) {
  return String(element.localName || '').includes('-');
}

/**
 * An element's shadow root, open or closed. Closed roots are asked for only
 * on custom elements (a hyphen in the name): standard elements rarely carry
 * one, and one API call per element of the page would cost too much.
 */
export function shadowRootOf(element) {
  if (element.shadowRoot) return element.shadowRoot;
  if (!isCustomElement(element)) return null;
  const dom = typeof chrome !== 'undefined' && chrome && chrome.dom;
  if (!dom || typeof dom.openOrClosedShadowRoot !== 'function') return null;
  try {
    return dom.openOrClosedShadowRoot(element) || null;
  } catch {
    return null;
  }
}

/** Our own hosts (the overlay's, the picker's) are never searched. */
export function isOwnHost(element) {
  return typeof element.hasAttribute === 'function' && element.hasAttribute('data-waymark');
}

/**
 * Every root to search, outermost first: `root`, then open shadow roots and
 * same-origin frame documents found inside it, depth first. The tracker's
 * roots when one watches `root`, else one walk of every element.
 */
export function searchRoots(root) {
  const tracker = trackers.get(root);
  if (tracker) return tracker.roots();
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

const trackers = new Map(); // document -> its tracker, while something watches it

/** Runs `callback` at the next animation frame; answers its cancel. */
function nextFrame(doc, callback) {
  if (typeof requestAnimationFrame === 'function' && doc.visibilityState !== 'hidden') {
    const id = requestAnimationFrame(callback);
    return () => cancelAnimationFrame(id);
  }
  const id = setTimeout(callback, 16); // hidden tabs get no animation frames
  return () => clearTimeout(id);
}

/** The incremental root set of `doc` and its one observer (see the top of this file). */
function createTracker(doc) {
  const roots = new Map(); // root -> what keeps it: null (the document), a shadow host or a frame element
  const pendingHosts = new Set(); // custom elements without a shadow root (yet)
  let pendingCursor = null; // where the last re-check of pendingHosts stopped
  const toScan = []; // subtrees added and not scanned yet
  let scanning = null; // {list, index}: the subtree being scanned
  const watchers = new Set();
  let removals = false;
  let sliceRequest = null; // cancels the slice asked for
  let timer = null;
  let lastNotice = -Infinity;
  const observer = new MutationObserver(onRecords);

  function observe(root) {
    const node = root.documentElement || root; // a Document, or a ShadowRoot
    if (node) observer.observe(node, { childList: true, subtree: true, attributes: true, attributeFilter: OBSERVED_ATTRIBUTES });
    root.addEventListener('load', onFrameLoad, true); // load does not bubble out of a shadow root
  }

  function addRoot(root, keeper) {
    if (roots.has(root)) return;
    roots.set(root, keeper);
    observe(root);
    toScan.push(root);
  }

  function visit(element) {
    if (isOwnHost(element)) return;
    const shadow = shadowRootOf(element);
    if (shadow) {
      pendingHosts.delete(element);
      addRoot(shadow, element);
    } else if (isCustomElement(element)) {
      pendingHosts.add(element);
    }
    const inner = frameDocument(element);
    if (inner) addRoot(inner, element);
  }

  /** Scans queued subtrees until `deadline`; true when nothing is left. */
  function scanUntil(deadline) {
    let count = 0;
    for (;;) {
      if (!scanning) {
        const next = toScan.shift();
        if (!next) return true;
        if (next.isConnected === false) continue; // added, then removed before we looked
        if (next.nodeType === 1) visit(next);
        scanning = { list: next.querySelectorAll('*'), index: 0 };
      }
      const { list } = scanning;
      while (scanning.index < list.length) {
        visit(list[scanning.index++]);
        if (++count % CHECK_CLOCK_EVERY === 0 && performance.now() > deadline) return false;
      }
      scanning = null;
    }
  }

  function keeperIsGone(root, keeper) {
    if (!keeper) return false;
    if (!keeper.isConnected) return true;
    return root.nodeType === 9 && frameDocument(keeper) !== root; // the frame loaded another document
  }

  /** Forgets roots whose host or frame left; the observer is re-armed on the rest. */
  function prune() {
    removals = false;
    for (const element of pendingHosts) if (!element.isConnected) pendingHosts.delete(element);
    let dropped = false;
    for (const [root, keeper] of roots) {
      if (!keeperIsGone(root, keeper)) continue;
      roots.delete(root);
      root.removeEventListener('load', onFrameLoad, true);
      dropped = true;
    }
    if (!dropped) return;
    observer.disconnect();
    for (const root of roots.keys()) observe(root);
  }

  /**
   * Custom elements that attached a root since we last looked: at most one
   * round of the set, bounded by `deadline`, going on where the last call
   * stopped (a large set is covered over several slices).
   */
  function recheckPendingHosts(deadline) {
    const round = pendingHosts.size;
    for (let count = 0; count < round; ) {
      const fresh = !pendingCursor;
      if (fresh) pendingCursor = pendingHosts.values();
      const next = pendingCursor.next();
      if (next.done) {
        pendingCursor = null;
        if (fresh) return; // the set is empty
        continue;
      }
      count += 1;
      const shadow = shadowRootOf(next.value);
      if (shadow) {
        pendingHosts.delete(next.value);
        addRoot(shadow, next.value);
      }
      if (count % CHECK_CLOCK_EVERY === 0 && performance.now() > deadline) return;
    }
  }

  /** One frame's worth of work; asks for another frame while some is left. */
  function slice() {
    sliceRequest = null;
    const deadline = performance.now() + SLICE_BUDGET_MS;
    if (removals) prune();
    recheckPendingHosts(deadline);
    const done = scanUntil(deadline);
    schedule();
    if (!done) sliceRequest = nextFrame(doc, slice);
  }

  function requestSlice() {
    if (sliceRequest === null) sliceRequest = nextFrame(doc, slice);
  }

  function notify() {
    timer = null;
    lastNotice = performance.now();
    for (const watcher of [...watchers]) watcher.onChange();
  }

  // Throttled on the leading edge: the first change after a quiet spell is
  // told at once (a late target shows without a 50 ms wait), then at most
  // once per RECHECK_THROTTLE_MS while the page keeps changing.
  function schedule() {
    if (timer !== null) return;
    const wait = RECHECK_THROTTLE_MS - (performance.now() - lastNotice);
    timer = setTimeout(notify, Math.max(0, wait));
  }

  function onRecords(records) {
    let removed = false;
    for (const record of records) {
      if (record.type !== 'childList') continue;
      for (const node of record.addedNodes) if (node.nodeType === 1) toScan.push(node);
      if (record.removedNodes.length) removed = true;
    }
    if (removed) {
      removals = true;
      for (const watcher of [...watchers]) if (watcher.onRemoved) watcher.onRemoved();
    }
    requestSlice();
    schedule();
  }

  function onFrameLoad(event) {
    const inner = frameDocument(event.target);
    if (!inner) return;
    removals = true; // the frame's old document, if we had it
    addRoot(inner, event.target);
    requestSlice();
    schedule();
  }

  function destroy() {
    observer.disconnect();
    for (const root of roots.keys()) root.removeEventListener('load', onFrameLoad, true);
    if (timer !== null) clearTimeout(timer);
    if (sliceRequest !== null) sliceRequest();
  }

  addRoot(doc, null);
  // The first scan is bounded too: on a small page one slice sees it all; on
  // a huge one the document itself is searched at once and the roots inside
  // come over the next frames (each slice tells the watchers).
  if (!scanUntil(performance.now() + SLICE_BUDGET_MS)) requestSlice();

  return {
    roots() {
      if (removals) prune();
      return [...roots.keys()];
    },
    watch(watcher) {
      watchers.add(watcher);
      return () => watchers.delete(watcher) && watchers.size === 0;
    },
    /** Custom elements re-checked for a late root (bounded); true when a root was found. */
    recheckLate() {
      const before = roots.size;
      const deadline = performance.now() + SLICE_BUDGET_MS;
      recheckPendingHosts(deadline);
      scanUntil(deadline);
      if (toScan.length || scanning) requestSlice();
      return roots.size > before;
    },
    /** Everything queued, scanned now (a search about to give up looks everywhere first). */
    catchUp() {
      if (removals) prune();
      recheckPendingHosts(Infinity);
      scanUntil(Infinity);
    },
    destroy,
  };
}

/**
 * Calls `onChange` (throttled) after DOM changes in `doc`, its shadow roots
 * and same-origin frames, and `onRemoved` (at once) after nodes were removed.
 * Every watcher of a document shares its tracker and its one observer.
 * @returns {() => void} teardown
 */
export function observeDeep(doc, onChange, { onRemoved } = {}) {
  let tracker = trackers.get(doc);
  if (!tracker) {
    tracker = createTracker(doc);
    trackers.set(doc, tracker);
  }
  const unwatch = tracker.watch({ onChange, onRemoved });
  let stopped = false;
  return function stopObserving() {
    if (stopped) return;
    stopped = true;
    if (unwatch()) {
      trackers.delete(doc);
      tracker.destroy();
    }
  };
}

/**
 * Looks again at the custom elements of `doc` that had no shadow root: on a
 * quiet page, nothing else would show one that attached its root later.
 * True when one did (a search should look again).
 */
export function recheckLateRoots(doc) {
  const tracker = trackers.get(doc);
  return Boolean(tracker && tracker.recheckLate());
}

/** Makes the tracker of `doc` (if any) scan everything it still has queued. */
export function catchUpRoots(doc) {
  const tracker = trackers.get(doc);
  if (tracker) tracker.catchUp();
}
