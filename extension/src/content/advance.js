// How a step is completed by the employee's own action (advance.on):
// next (the button, handled by main.js), click, input, url, visible.
import { globMatch } from '../shared/glob.js';
import { findTarget, observeDeep, targetInPath } from './targets.js';

/** `input`: the value matches `pattern`; without a (valid) pattern, any non-empty value. */
export function inputSatisfies(pattern, value) {
  const text = value == null ? '' : String(value);
  if (typeof pattern === 'string' && pattern !== '') {
    try {
      return new RegExp(pattern).test(text);
    } catch {
      // An invalid pattern slipped past validation: fall back to "typed something".
    }
  }
  return text.trim() !== '';
}

/**
 * What the employee typed into the target: a form field's value, or the text
 * of a contenteditable element (rich-text editors have no value).
 */
export function typedValue(target) {
  if (target.value !== undefined && target.value !== null) return target.value;
  if (target.isContentEditable) return target.innerText || target.textContent || '';
  return '';
}

/** `url`: the whole URL, fragment included, matches the glob advance.url. */
export function urlSatisfies(advance, href) {
  return Boolean(advance && advance.on === 'url' && globMatch(advance.url, href));
}

/**
 * Where to listen for the target's events: its shadow root when it has one
 * (from outside a closed root, composedPath() leaves out everything inside
 * it), else its document.
 */
export function listeningScope(target) {
  const root = typeof target.getRootNode === 'function' ? target.getRootNode() : null;
  const isShadowRoot = root && root !== target && root.nodeType === 11 && root.host;
  return isShadowRoot ? root : target.ownerDocument;
}

/**
 * Calls `handler(event, element)` for events of `types` on the step's target
 * or inside it. The target is matched along the event's composed path against
 * its description (`target` found earlier, or any element fitting `description`),
 * so a click on the element the page has just put in its place still counts.
 * Listened to in the target's root (from outside a closed shadow root the
 * path stops at its host) and in its document (the page may render the
 * replacement in another root); each event is handled once.
 */
function onTargetEvent(target, description, types, handler) {
  const scopes = new Set([listeningScope(target), target.ownerDocument]);
  const handled = new WeakSet();
  const listener = (event) => {
    if (handled.has(event)) return;
    const element = description ? targetInPath(event, description, target) : event.composedPath().includes(target) && target;
    if (!element) return;
    handled.add(event);
    handler(event, element);
  };
  // Capture, so the page's own handlers cannot stop it from reaching us.
  for (const scope of scopes) for (const type of types) scope.addEventListener(type, listener, true);
  return () => {
    for (const scope of scopes) for (const type of types) scope.removeEventListener(type, listener, true);
  };
}

function watchUrl(advance, win, onAdvance) {
  const check = () => {
    if (urlSatisfies(advance, win.location.href)) onAdvance();
  };
  // The worker also forwards pushState changes (main.js); these two are free.
  win.addEventListener('hashchange', check);
  win.addEventListener('popstate', check);
  return () => {
    win.removeEventListener('hashchange', check);
    win.removeEventListener('popstate', check);
  };
}

function watchVisible(advance, doc, onAdvance) {
  const target = { selector: advance.selector };
  const check = () => findTarget(doc, target).element && onAdvance();
  const stop = observeDeep(doc, check); // watch first: the search then reads the tracker's roots
  if (findTarget(doc, target).element) queueMicrotask(onAdvance);
  return stop;
}

/**
 * Starts watching for the step's advance condition; calls `onAdvance` (at most
 * once). `target` is the resolved element (null for a centred step),
 * `description` the step's target ({selector, fallbacks, text}).
 * @returns {() => void} teardown
 */
export function watchAdvance(advance, { target, description, doc = document, win = window, onAdvance }) {
  let done = false;
  const once = () => {
    if (done) return;
    done = true;
    onAdvance();
  };
  switch (advance.on) {
    case 'click':
      return target ? onTargetEvent(target, description, ['click'], once) : () => {};
    case 'input':
      return target ? onTargetEvent(target, description, ['input', 'change'], (event, element) => inputSatisfies(advance.pattern, typedValue(element)) && once()) : () => {};
    case 'url':
      return watchUrl(advance, win, once);
    case 'visible':
      return watchVisible(advance, doc, once);
    default:
      return () => {}; // 'next': the buttons
  }
}
