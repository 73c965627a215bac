// What the picker draws: one host `<div data-waymark="picker">` with an open
// shadow root holding the highlight box, its selector label, a hint and,
// after a pick, the result dialog. DOM is built with createElement and text
// nodes only (never innerHTML), as render.js does for the overlay.
import { button, createShadowHost, element } from '../host.js';
import { PICKER_CSS } from './styles.js';

const OWN_EVENTS = ['pointerdown', 'mousedown', 'pointerup', 'mouseup', 'click', 'dblclick', 'auxclick', 'contextmenu', 'keydown', 'keyup', 'keypress', 'focusin', 'focusout'];

/** @returns {{host: HTMLElement, root: ShadowRoot, raise: () => void, destroy: () => void}} (host.js) */
export function createPickerHost(doc = document) {
  // A click on Copy must not look like a click on the page to it (a page
  // that closes its menus on any mousedown would close the one being picked
  // from): our own events stop at the host on their way out.
  const stopOwnEvents = (host) => {
    for (const type of OWN_EVENTS) host.addEventListener(type, (event) => event.stopPropagation());
  };
  return createShadowHost(doc, { name: 'picker', css: PICKER_CSS, setup: stopOwnEvents });
}

const LABEL_GAP_PX = 4;
const LABEL_HEIGHT_PX = 22;

/** The box over the element under the pointer, its selector label and the hint at the top. */
export function createHighlight(root) {
  const doc = root.ownerDocument;
  const box = element(doc, 'div', 'wp-box');
  const label = element(doc, 'div', 'wp-label');
  const hint = element(doc, 'div', 'wp-hint', 'Waymark: click the element a step or a tip should point at. Esc cancels.');
  root.append(box, label, hint);
  return {
    /** Moves the box over `rect` (top viewport coordinates); `text` null hides the label. */
    show(rect, text) {
      Object.assign(box.style, {
        display: 'block',
        left: `${rect.left}px`,
        top: `${rect.top}px`,
        width: `${rect.width}px`,
        height: `${rect.height}px`,
      });
      label.style.display = text ? 'block' : 'none';
      if (!text) return;
      label.replaceChildren(doc.createTextNode(text));
      const above = rect.top - LABEL_HEIGHT_PX - LABEL_GAP_PX;
      label.style.top = `${above >= 0 ? above : rect.top + rect.height + LABEL_GAP_PX}px`;
      label.style.left = `${Math.max(0, rect.left)}px`;
    },
    hide() {
      box.style.display = 'none';
      label.style.display = 'none';
    },
    showHint(visible) {
      hint.style.display = visible ? 'block' : 'none';
    },
  };
}

/**
 * The result dialog: the target as pretty JSON, its warnings, Copy, Pick
 * another and Close.
 * @param {{target: object, warnings: string[]}} result
 * @param {{onCopy, onPickAnother, onClose}} actions
 * @param {{top: boolean}} where  top: keep clear of an element in the lower half
 */
export function renderResult(root, result, actions, where = { top: false }) {
  const doc = root.ownerDocument;
  const panel = element(doc, 'div', where.top ? 'wp-panel wp-top' : 'wp-panel');
  panel.setAttribute('role', 'dialog');
  panel.setAttribute('aria-label', 'Waymark target');
  panel.tabIndex = -1;
  const close = button(doc, '\u00d7', 'wp-close', actions.onClose);
  close.setAttribute('aria-label', 'Close');
  const title = element(doc, 'h2', 'wp-title', 'Target for a step or a tip');
  const json = element(doc, 'pre', 'wp-json', JSON.stringify(result.target, null, 2));
  const warnings = result.warnings.map((text) => element(doc, 'p', 'wp-warning', text));
  const status = element(doc, 'span', 'wp-status');
  status.setAttribute('role', 'status');
  const copy = button(doc, 'Copy', 'wp-button wp-primary', actions.onCopy);
  const again = button(doc, 'Pick another', 'wp-button', actions.onPickAnother);
  const footer = element(doc, 'div', 'wp-actions');
  footer.append(copy, again, status);
  panel.append(close, title, json, ...warnings, footer);
  root.appendChild(panel);
  return {
    panel,
    focus: () => copy.focus({ preventScroll: true }),
    say: (text) => status.replaceChildren(doc.createTextNode(text)),
    /** Selects the JSON so Ctrl+C copies it when the clipboard API is refused. */
    selectJson() {
      const selection = doc.getSelection();
      if (!selection) return;
      const range = doc.createRange();
      range.selectNodeContents(json);
      selection.removeAllRanges();
      selection.addRange(range);
    },
    destroy: () => panel.remove(),
  };
}
