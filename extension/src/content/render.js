// Drawing: one host element `<div data-waymark>` on documentElement with an
// open shadow root; inside it the step dialog, its arrow and the optional
// spotlight. DOM is built with createElement and text nodes only.
import { appendPlan } from './body.js';
import { button, createShadowHost, element } from './host.js';
import { HELP_CSS, OVERLAY_CSS } from './styles.js';

let idCounter = 0;

/**
 * Creates the overlay's host and its shadow root (host.js).
 * @returns {{host: HTMLElement, root: ShadowRoot, raise: () => void, destroy: () => void}}
 */
export function createHost(doc = document) {
  return createShadowHost(doc, { css: OVERLAY_CSS + HELP_CSS });
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
