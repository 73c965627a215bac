// Author mode's element picker: injected into a tab's top frame by the
// worker (waymark:pick). A box follows the element under the pointer, in
// open shadow roots and same-origin frames too, labelled with the selector a
// pick would give; a click picks it (the page never sees that click), Esc
// cancels. The result dialog shows the target in guide format, ready to
// paste, and the worker keeps it as waymark.lastPick for the popup.
import { MSG } from '../shared/messages.js';
import { buildTarget } from './pick/selector.js';
import { deepestAt, eventElement, pickable } from './pick/pointer.js';
import { createHighlight, createPickerHost, renderResult } from './pick/view.js';
import { viewportRect } from './position.js';
import { observeDeep, searchRoots } from './targets.js';

// Everything a click is made of, and what the page could act on: while
// picking none of it reaches the page.
const SWALLOWED = ['pointerdown', 'mousedown', 'pointerup', 'mouseup', 'click', 'dblclick', 'auxclick', 'contextmenu'];
const LISTENED = [...SWALLOWED, 'pointermove', 'keydown', 'scroll', 'resize'];

function createPicker() {
  const ui = createPickerHost(document);
  const highlight = createHighlight(ui.root);
  const windows = new Set(); // the top window and every same-origin frame's window
  let mode = 'picking'; // 'picking' | 'result'
  let current = null; // the element under the pointer, or the one picked
  let result = null;
  let panel = null;
  let labelRequest = 0;
  let label = { element: null, text: null }; // the selector shown for an element, built once per element

  function isOwnEvent(event) {
    return typeof event.composedPath === 'function' && event.composedPath().includes(ui.host);
  }

  /** The label: the selector a click would give, built on the next frame (the pointer may move on first). */
  function requestLabel() {
    if (label.element === current) return;
    cancelAnimationFrame(labelRequest);
    labelRequest = requestAnimationFrame(() => {
      if (mode !== 'picking' || !current) return;
      const { target } = buildTarget(current);
      label = { element: current, text: target.text ? `${target.selector}  "${target.text}"` : target.selector };
      redraw();
    });
  }

  function redraw() {
    if (!current || !current.isConnected) {
      highlight.hide();
      return;
    }
    const picking = mode === 'picking';
    highlight.show(viewportRect(current), picking && label.element === current ? label.text : null);
    if (picking) requestLabel();
  }

  /** What a pick at this event would take: the element under the pointer, made pickable. */
  function candidateOf(event) {
    const element = eventElement(event); // null on Waymark's own tooltip: nothing to pick there
    return element ? pickable(deepestAt(element, event.clientX, event.clientY)) : null;
  }

  function hover(event) {
    const candidate = candidateOf(event);
    if (!candidate || candidate === current) return;
    current = candidate;
    redraw();
  }

  function swallow(event) {
    event.preventDefault();
    event.stopImmediatePropagation();
    if (event.type !== 'click') return;
    const candidate = candidateOf(event);
    if (candidate) pick(candidate);
  }

  function onKey(event) {
    if (event.key !== 'Escape') return;
    // In the result dialog Esc closes it; elsewhere on the page it is the page's key again.
    if (mode === 'result' && !isOwnEvent(event)) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    destroy();
  }

  function onEvent(event) {
    if (event.type === 'scroll' || event.type === 'resize') return redraw();
    if (event.type === 'keydown') return onKey(event);
    if (mode !== 'picking' || isOwnEvent(event)) return;
    if (event.type === 'pointermove') return hover(event);
    swallow(event);
  }

  function listenTo(win) {
    if (!win || windows.has(win)) return;
    windows.add(win);
    // Capture on the window: the first listener an event meets, before the page's own.
    for (const type of LISTENED) win.addEventListener(type, onEvent, true);
  }

  /** Same-origin frames get the pointer's events themselves, so each one is listened to as well. */
  function listenToFrames() {
    for (const root of searchRoots(document)) {
      if (root.defaultView) listenTo(root.defaultView);
    }
  }

  function showResult() {
    const rect = viewportRect(current);
    const lowerHalf = rect.top + rect.height / 2 > window.innerHeight / 2;
    panel = renderResult(ui.root, result, { onCopy: copy, onPickAnother: pickAnother, onClose: destroy }, { top: lowerHalf });
    panel.focus();
  }

  function pick(element) {
    if (!element) return;
    current = element;
    cancelAnimationFrame(labelRequest);
    result = buildTarget(element);
    mode = 'result';
    highlight.showHint(false);
    redraw();
    showResult();
    report(result);
  }

  function report({ target, warnings }) {
    try {
      chrome.runtime.sendMessage({ type: MSG.picked, target, warnings, url: location.href }).catch(() => {});
    } catch {
      // The extension was reloaded: the dialog still shows the target to copy.
    }
  }

  async function copy() {
    const text = JSON.stringify(result.target, null, 2);
    try {
      await navigator.clipboard.writeText(text); // absent on http: pages, refused without focus
      panel.say('Copied.');
    } catch {
      panel.selectJson();
      panel.say('Press Ctrl+C (\u2318C on a Mac) to copy the selected target.');
    }
  }

  function pickAnother() {
    if (panel) panel.destroy();
    panel = null;
    result = null;
    current = null;
    label = { element: null, text: null }; // the page may have changed since
    mode = 'picking';
    highlight.hide();
    highlight.showHint(true);
  }

  const stopObserving = observeDeep(document, () => {
    listenToFrames();
    ui.raise(); // above a modal dialog the page opens, usable inside it
  }); // frames that load later
  listenTo(window);
  listenToFrames();

  function destroy() {
    cancelAnimationFrame(labelRequest);
    stopObserving();
    for (const win of windows) {
      for (const type of LISTENED) win.removeEventListener(type, onEvent, true);
    }
    windows.clear();
    ui.destroy();
    delete globalThis.waymarkPicker;
  }

  return { restart: pickAnother, destroy };
}

// Injected again (the popup's button pressed twice): start over, one picker per page.
if (globalThis.waymarkPicker) globalThis.waymarkPicker.restart();
else globalThis.waymarkPicker = createPicker();
