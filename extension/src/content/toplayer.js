// Staying above the page's own overlays, and usable under them.
//
// z-index cannot beat the browser's top layer: a modal <dialog> opened with
// showModal(), an open popover or a fullscreen element paints above every
// z-index. A modal dialog also makes everything outside it inert: a tooltip
// outside it could be seen but not clicked (e2e/test_pages.py checks both).
// So:
// - the host is a manual popover, shown into the top layer, and shown again
//   (to the top of the top layer) whenever the page puts something new there;
// - while the page has a modal open, the host lives inside the topmost one,
//   the only place that is not inert. Being in the top layer itself, it is
//   neither clipped by the modal nor placed relative to it.
// A modal is a native `<dialog>` opened with showModal(), or any visible
// element with aria-modal="true": CSS frameworks (Bootstrap, most component
// libraries) build modals as divs and trap focus in them with script, pulling
// focus back whenever it leaves the modal's subtree; inside it, the tooltip
// is part of the modal for the trap (and for Tab). Several open at once: the
// one painted on top (the one that owns the point at its own centre), else the
// last in tree order. When it closes, the next raise moves the host out.
// Browsers without the Popover API keep the z-index behaviour.
import { searchRoots } from './roots.js';

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

/** `ancestor` contains `node`, across shadow roots. */
function containsComposed(ancestor, node) {
  for (let at = node; at; at = at.parentNode || at.host) if (at === ancestor) return true;
  return false;
}

function isDisplayed(element) {
  if (element.getAttribute('aria-hidden') === 'true') return false;
  if (typeof element.checkVisibility === 'function' && !element.checkVisibility({ visibilityProperty: true })) return false;
  const rect = element.getBoundingClientRect();
  return rect.width > 0 && rect.height > 0;
}

/** Of several open modals, the one painted above the others (see the top of this file). */
function paintedOnTop(doc, modals, host) {
  const owning = modals.filter((modal) => {
    const rect = modal.getBoundingClientRect();
    const hits = doc.elementsFromPoint(rect.left + rect.width / 2, rect.top + rect.height / 2);
    const first = hits.find((hit) => !isOurs(hit, host));
    return Boolean(first) && containsComposed(modal, first);
  });
  const candidates = owning.length ? owning : modals;
  return candidates[candidates.length - 1];
}

/**
 * The modal whose content is not inert, or null. Native modal dialogs: the
 * last one opened, which comes later in the document (or inside the others).
 * Script modals ([aria-modal="true"], displayed) count inside that dialog, or
 * anywhere when there is none.
 */
export function topmostModal(doc, host, roots = searchRoots(doc)) {
  const dialogs = matchingInRoots(roots, 'dialog:modal', host);
  const dialog = dialogs.length ? dialogs[dialogs.length - 1] : null;
  const scripted = matchingInRoots(roots, '[aria-modal="true"]', host).filter(
    (element) => !dialogs.includes(element) && (!dialog || containsComposed(dialog, element)) && isDisplayed(element),
  );
  if (!scripted.length) return dialog;
  return scripted.length === 1 ? scripted[0] : paintedOnTop(doc, scripted, host);
}

/** Where the host goes in `modal`: a shadow host shows only its shadow tree. */
function homeIn(modal) {
  return (modal.shadowRoot && modal.shadowRoot.mode === 'open' && modal.shadowRoot) || modal;
}

function isShown(host) {
  return host.matches(':popover-open');
}

/**
 * Keeps `host` usable on top of the page. Returns {raise, modal, stop}:
 * `raise()` re-checks (call it after drawing and on DOM changes); `modal()`
 * is the page's modal the host lives in (null when none); `stop` removes the
 * fullscreen listener.
 */
export function keepOnTop(host, doc = host.ownerDocument) {
  const popovers = typeof host.showPopover === 'function';
  let below = new Set(); // what the page had in the top layer when we last went on top
  let currentModal = null; // the page's modal the host lives in, or null
  function raise() {
    const focused = host.shadowRoot && host.shadowRoot.activeElement;
    const roots = searchRoots(doc);
    const modal = topmostModal(doc, host, roots);
    const home = modal ? homeIn(modal) : doc.documentElement;
    const moved = host.parentNode !== home;
    if (moved) home.appendChild(host); // leaving the document also closes the popover
    currentModal = modal;
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
  return { raise, modal: () => currentModal, stop: () => doc.removeEventListener('fullscreenchange', raise) };
}
