// Which element the pointer is on, across shadow roots and same-origin
// frames, and what a pick there means.
import { shadowRootOf } from '../targets.js';

// What a step usually points at: a pointer on the icon or the label inside
// a button means the button.
const INTERACTIVE = [
  'a[href]', 'button', 'input', 'select', 'textarea', 'label', 'summary',
  '[role="button"]', '[role="link"]', '[role="tab"]', '[role="menuitem"]', '[role="option"]',
  '[role="checkbox"]', '[role="radio"]', '[role="switch"]',
].join(', ');
const INTERACTIVE_DEPTH = 3; // a far-away clickable ancestor is a container, not the thing
const SVG_NS = 'http://www.w3.org/2000/svg';

function isWaymarkHost(node) {
  return node && node.nodeType === 1 && node.hasAttribute('data-waymark');
}

/** The element an event happened on: composedPath reaches into open shadow roots. Null on Waymark's own UI. */
export function eventElement(event) {
  const path = typeof event.composedPath === 'function' ? event.composedPath() : [event.target];
  if (path.some(isWaymarkHost)) return null;
  return path.find((node) => node && node.nodeType === 1) || null;
}

const MAX_SHADOW_DEPTH = 32;

/**
 * The innermost element at (x, y) below `element`, through shadow roots:
 * composedPath already reaches into open ones, but from outside a closed
 * root (custom elements; targets.js reaches them with
 * chrome.dom.openOrClosedShadowRoot) it stops at the host.
 */
export function deepestAt(element, x, y) {
  let node = element;
  for (let depth = 0; node && depth < MAX_SHADOW_DEPTH; depth += 1) {
    const root = shadowRootOf(node);
    const inner = root && typeof root.elementFromPoint === 'function' ? root.elementFromPoint(x, y) : null;
    // A point outside the host (a click from the keyboard has 0, 0) hits something outside the root.
    if (!inner || inner === node || inner.getRootNode() !== root) break;
    node = inner;
  }
  return node;
}

function distance(from, to) {
  let steps = 0;
  for (let node = from; node && node !== to; node = node.parentElement) steps += 1;
  return steps;
}

/** What a pick of `element` means: out of an SVG icon, then to a nearby button or link. */
export function pickable(element) {
  let node = element;
  while (node && node.namespaceURI === SVG_NS && node.parentElement) node = node.parentElement;
  const interactive = node && typeof node.closest === 'function' ? node.closest(INTERACTIVE) : null;
  return interactive && distance(node, interactive) <= INTERACTIVE_DEPTH ? interactive : node;
}
