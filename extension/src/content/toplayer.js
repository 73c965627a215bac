// Staying above the page's own overlays, and usable under them.
//
// z-index cannot beat the browser's top layer: a modal <dialog> opened with
// showModal(), an open popover or a fullscreen element paints above every
// z-index. A modal dialog also makes everything outside it inert: a tooltip
// outside it could be seen but not clicked (e2e/test_pages.py checks both).
// So:
// - the host is a manual popover, shown into the top layer, and shown again
//   (to the top of the top layer) whenever the page puts something new there;
// - while the page has a modal dialog open, the host lives inside the topmost
//   one, the only place that is not inert. Being in the top layer itself, it
//   is neither clipped by the dialog nor placed relative to it.
// Browsers without the Popover API keep the z-index behaviour.
import { searchRoots } from './targets.js';

const TOP_LAYER_SELECTOR = ':modal, :popover-open';

/** Makes the host a manual popover (before it is connected). */
export function preparePopoverHost(host) {
  if (typeof host.showPopover === 'function') host.setAttribute('popover', 'manual');
}

/** Our own hosts (the overlay's, the picker's) never count as the page's. */
function isOurs(element, host) {
  return element === host || element.hasAttribute('data-waymark');
}

function matchingInRoots(roots, selector, host) {
  const found = [];
  for (const root of roots) {
    try {
      for (const element of root.querySelectorAll(selector)) if (!isOurs(element, host)) found.push(element);
    } catch {
      return found; // a browser without :modal or :popover-open
    }
  }
  return found;
}

/** The page's elements in the top layer now (ours excluded), open shadow roots included. */
export function pageTopLayer(doc, host, roots = searchRoots(doc)) {
  const found = new Set(matchingInRoots(roots, TOP_LAYER_SELECTOR, host));
  const fullscreen = doc.fullscreenElement;
  if (fullscreen && !isOurs(fullscreen, host)) found.add(fullscreen);
  return found;
}

/**
 * The modal dialog whose content is not inert: the last one opened. Dialogs
 * opened from a dialog come later in the document (or inside it), so the last
 * in tree order is taken as the topmost.
 */
export function topmostModalDialog(doc, host, roots = searchRoots(doc)) {
  const modals = matchingInRoots(roots, 'dialog:modal', host);
  return modals.length ? modals[modals.length - 1] : null;
}

function isShown(host) {
  return host.matches(':popover-open');
}

/**
 * Keeps `host` usable on top of the page. Returns {raise, stop}: `raise()`
 * re-checks (call it after drawing and on DOM changes); `stop` removes the
 * fullscreen listener.
 */
export function keepOnTop(host, doc = host.ownerDocument) {
  const popovers = typeof host.showPopover === 'function';
  let below = new Set(); // what the page had in the top layer when we last went on top
  function raise() {
    const focused = host.shadowRoot && host.shadowRoot.activeElement;
    const roots = searchRoots(doc);
    const home = topmostModalDialog(doc, host, roots) || doc.documentElement;
    const moved = host.parentNode !== home;
    if (moved) home.appendChild(host); // leaving the document also closes the popover
    const now = pageTopLayer(doc, host, roots);
    const covered = [...now].some((element) => !below.has(element));
    below = now;
    if (popovers && (covered || !isShown(host))) {
      try {
        if (isShown(host)) host.hidePopover();
        host.showPopover();
      } catch {
        // not connected any more: the next draw makes a new host
      }
    }
    // Moving or re-showing may drop or hand back focus: keep it in the dialog.
    if (focused && focused.isConnected && host.shadowRoot.activeElement !== focused) focused.focus({ preventScroll: true });
  }
  doc.addEventListener('fullscreenchange', raise);
  return { raise, stop: () => doc.removeEventListener('fullscreenchange', raise) };
}
