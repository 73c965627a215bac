// The only module that positions things (shepherd's utils/floating-ui.ts
// pattern): it places the tooltip next to its target, keeps it there while the
// page scrolls or resizes, and returns a cleanup.
import { arrow, autoPlacement, autoUpdate, computePosition, flip, offset, platform, shift } from '@floating-ui/dom';

const GAP_PX = 12;
const EDGE_PADDING_PX = 8;
const SIDES = { top: 'bottom', right: 'left', bottom: 'top', left: 'right' };

/** Floating UI's placement for a guide's `placement` ("auto" lets it choose). */
function placementOptions(placement) {
  const wanted = typeof placement === 'string' ? placement : 'auto';
  if (wanted.startsWith('auto')) {
    const alignment = wanted.split('-')[1]; // auto-start / auto-end
    return { placement: undefined, chooser: autoPlacement(alignment ? { alignment } : {}) };
  }
  return { placement: wanted, chooser: flip() };
}

/**
 * The element's box in the top-level viewport: a target inside same-origin
 * frames is offset by each frame's position and border.
 */
export function viewportRect(element) {
  const rect = element.getBoundingClientRect();
  let { left, top } = rect;
  let frame = element.ownerDocument.defaultView.frameElement;
  while (frame) {
    const frameRect = frame.getBoundingClientRect();
    left += frameRect.left + frame.clientLeft;
    top += frameRect.top + frame.clientTop;
    frame = frame.ownerDocument.defaultView.frameElement;
  }
  return { left, top, width: rect.width, height: rect.height };
}

function intersect(a, b) {
  return { left: Math.max(a.left, b.left), top: Math.max(a.top, b.top), right: Math.min(a.right, b.right), bottom: Math.min(a.bottom, b.bottom) };
}

/**
 * The part of `element`'s document that can show it, in that document's
 * viewport coordinates: its clipping ancestors (overflow, with Floating UI's
 * rules for fixed and absolute boxes) and the document's viewport.
 */
function clipInOwnDocument(element) {
  const view = element.ownerDocument.documentElement;
  const viewport = { left: 0, top: 0, right: view.clientWidth, bottom: view.clientHeight };
  try {
    // The DOM platform's own clipping rules; it keeps its ancestor cache on `this`.
    const clip = { ...platform, _c: new Map() }.getClippingRect({ element, boundary: 'clippingAncestors', rootBoundary: 'viewport', strategy: 'fixed' });
    return { left: clip.x, top: clip.y, right: clip.x + clip.width, bottom: clip.y + clip.height };
  } catch {
    return viewport; // a Floating UI without this method: the viewport alone
  }
}

/**
 * The part of `element` a person can see, in the top-level viewport, or null
 * when none. A target in a same-origin frame is clipped by its own document,
 * then by the frame's box within the parent document (and that frame's own
 * clipping ancestors), recursively up to the top. (Floating UI's hide
 * middleware compares the target's top-level coordinates with the frame's own
 * viewport: a target in a frame placed mid-page was called hidden.)
 */
export function visibleRect(element) {
  const own = element.getBoundingClientRect();
  let rect = { left: own.left, top: own.top, right: own.right, bottom: own.bottom };
  let inner = element;
  for (;;) {
    rect = intersect(rect, clipInOwnDocument(inner));
    if (rect.right < rect.left || rect.bottom < rect.top) return null;
    const frame = inner.ownerDocument.defaultView.frameElement;
    if (!frame) return rect;
    const box = frame.getBoundingClientRect();
    const dx = box.left + frame.clientLeft;
    const dy = box.top + frame.clientTop;
    rect = { left: rect.left + dx, top: rect.top + dy, right: rect.right + dx, bottom: rect.bottom + dy };
    inner = frame;
  }
}

/** Scrolls the target (and the frames holding it) into view when it is off screen. */
export function revealTarget(element) {
  const rect = viewportRect(element);
  const view = window;
  const offScreen = rect.top < 0 || rect.left < 0 || rect.top + rect.height > view.innerHeight || rect.left + rect.width > view.innerWidth;
  if (!offScreen) return;
  let frame = element.ownerDocument.defaultView.frameElement;
  while (frame) {
    frame.scrollIntoView({ block: 'center', inline: 'nearest' });
    frame = frame.ownerDocument.defaultView.frameElement;
  }
  element.scrollIntoView({ block: 'center', inline: 'nearest' });
}

function placeArrow(arrowElement, finalPlacement, data) {
  if (!arrowElement || !data) return;
  const side = SIDES[finalPlacement.split('-')[0]];
  Object.assign(arrowElement.style, {
    left: data.x != null ? `${data.x}px` : '',
    top: data.y != null ? `${data.y}px` : '',
    right: '',
    bottom: '',
    [side]: '-6px',
  });
}

/**
 * Anchors `floating` to `reference` with offset, flip (or auto placement),
 * shift and arrow, and keeps it anchored. `onMove(rect)` receives the
 * target's viewport box after each update (the spotlight follows it).
 * @returns {() => void} cleanup
 */
export function anchor({ reference, floating, arrowElement, placement, onMove }) {
  const { placement: initial, chooser } = placementOptions(placement);
  const middleware = [offset(GAP_PX), chooser, shift({ padding: EDGE_PADDING_PX })];
  if (arrowElement) middleware.push(arrow({ element: arrowElement, padding: EDGE_PADDING_PX }));
  let stopped = false;
  async function update() {
    const result = await computePosition(reference, floating, { strategy: 'fixed', placement: initial, middleware });
    if (stopped) return;
    Object.assign(floating.style, { left: `${result.x}px`, top: `${result.y}px` });
    floating.dataset.placement = result.placement;
    placeArrow(arrowElement, result.placement, result.middlewareData.arrow);
    const hidden = visibleRect(reference) === null;
    floating.style.visibility = hidden ? 'hidden' : 'visible';
    if (onMove) onMove(viewportRect(reference), hidden);
  }
  // A target in another document (a frame) is followed frame by frame: the
  // ancestor scroll listeners cannot see scrolling across documents.
  const acrossFrames = reference.ownerDocument !== floating.ownerDocument;
  const stopUpdating = autoUpdate(reference, floating, update, { animationFrame: acrossFrames });
  return function unanchor() {
    stopped = true;
    stopUpdating();
  };
}
