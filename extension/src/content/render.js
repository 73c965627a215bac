// Drawing: one host element `<div data-waymark>` on documentElement with an
// open shadow root; inside it the step dialog, its arrow and the optional
// spotlight. DOM is built with createElement and text nodes only.
import { appendPlan } from './body.js';
import { OVERLAY_CSS } from './styles.js';
import { keepOnTop, preparePopoverHost } from './toplayer.js';

// Inline styles set through the CSSOM are not subject to the page's CSP, and
// !important on the host beats whatever the page says about `div`.
const HOST_STYLE = [
  ['all', 'initial'],
  ['position', 'fixed'],
  ['top', '0'],
  ['left', '0'],
  ['width', '0'],
  ['height', '0'],
  ['overflow', 'visible'],
  ['z-index', '2147483647'],
  ['display', 'block'],
];

let idCounter = 0;

/** Constructable stylesheets are not blocked by the page's CSP; a <style> made with textContent is the fallback. */
function applyStyles(root, css) {
  try {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(css);
    root.adoptedStyleSheets = [sheet];
  } catch {
    const style = root.ownerDocument.createElement('style');
    style.textContent = css;
    root.appendChild(style);
  }
}

/**
 * Creates the host and its shadow root, in the top layer where the browser has one.
 * @returns {{host: HTMLElement, root: ShadowRoot, raise: () => void, destroy: () => void}}
 *   `raise` puts the host back on top when the page opened a modal dialog,
 *   a popover or fullscreen after it (toplayer.js).
 */
export function createHost(doc = document) {
  const host = doc.createElement('div');
  host.setAttribute('data-waymark', '');
  for (const [property, value] of HOST_STYLE) host.style.setProperty(property, value, 'important');
  preparePopoverHost(host);
  const root = host.attachShadow({ mode: 'open' });
  applyStyles(root, OVERLAY_CSS);
  doc.documentElement.appendChild(host);
  const onTop = keepOnTop(host, doc);
  onTop.raise();
  return {
    host,
    root,
    raise: onTop.raise,
    destroy() {
      onTop.stop();
      host.remove();
    },
  };
}

function element(doc, tag, className, text) {
  const node = doc.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.appendChild(doc.createTextNode(text));
  return node;
}

function button(doc, label, className, onClick) {
  const node = element(doc, 'button', className, label);
  node.type = 'button';
  node.addEventListener('click', onClick);
  return node;
}

/**
 * Renders one step.
 * @param {ShadowRoot} root
 * @param {{title: string, plan: any[], index: number, total: number, back: boolean,
 *          next: boolean, done: boolean, modal: boolean, label: string}} view
 * @param {{onClose, onBack, onNext, onDone}} actions
 * @returns {{dialog: HTMLElement, arrow: HTMLElement, destroy: () => void}}
 */
export function renderStep(root, view, actions) {
  const doc = root.ownerDocument;
  const titleId = `wm-title-${++idCounter}`;
  const dialog = element(doc, 'div', view.modal ? 'wm-dialog wm-modal' : 'wm-dialog');
  dialog.setAttribute('role', 'dialog');
  dialog.setAttribute('aria-modal', 'false');
  dialog.setAttribute('aria-labelledby', titleId);
  dialog.tabIndex = -1;

  const close = button(doc, '\u00d7', 'wm-close', actions.onClose);
  close.setAttribute('aria-label', 'Close');
  const title = element(doc, 'h2', 'wm-title', view.title || view.label || 'Guide');
  title.id = titleId;
  const body = appendPlan(doc, element(doc, 'div', 'wm-body'), view.plan);

  const footer = element(doc, 'div', 'wm-footer');
  footer.appendChild(element(doc, 'span', 'wm-progress', `${view.index + 1} of ${view.total}`));
  // An author previewing a file must not mistake it for the published guide.
  if (view.preview) footer.appendChild(element(doc, 'span', 'wm-preview', 'Preview'));
  if (view.back) footer.appendChild(button(doc, 'Back', 'wm-button', actions.onBack));
  if (view.next) footer.appendChild(button(doc, 'Next', 'wm-button wm-primary', actions.onNext));
  if (view.done) footer.appendChild(button(doc, 'Done', 'wm-button wm-primary', actions.onDone));

  const arrow = element(doc, 'div', 'wm-arrow');
  dialog.append(close, title, body, footer, arrow);

  const backdrop = view.modal && view.spotlight ? element(doc, 'div', 'wm-backdrop') : null;
  if (backdrop) root.appendChild(backdrop);
  root.appendChild(dialog);
  return {
    dialog,
    arrow,
    destroy() {
      dialog.remove();
      if (backdrop) backdrop.remove();
    },
  };
}

/** The spotlight: a hole over the target, the rest of the page dimmed. */
export function renderSpotlight(root) {
  const spot = element(root.ownerDocument, 'div', 'wm-spotlight');
  root.appendChild(spot);
  const PAD = 6;
  return {
    move(rect, hidden) {
      spot.style.display = hidden ? 'none' : 'block';
      Object.assign(spot.style, {
        left: `${rect.left - PAD}px`,
        top: `${rect.top - PAD}px`,
        width: `${rect.width + 2 * PAD}px`,
        height: `${rect.height + 2 * PAD}px`,
      });
    },
    destroy: () => spot.remove(),
  };
}
