// The frame nudges and surveys are drawn in, in one of four styles:
//   banner  across the top; the page is pushed down by the banner's height
//           (its fixed-position header too), so its own controls stay usable;
//   modal   centred over a dimmed page; focus is trapped in it and returned;
//   toast   a corner; never takes focus;
//   pointer beside a target, placed by position.js like a step.
// Only the modal takes focus; the others are reached with Tab after the
// page's own controls. Each is role="dialog" with data-kind, labelled by its title, with a Close
// button; DOM is built with createElement and text nodes only.
import { button, element } from './host.js';
import { deepActiveElement } from './keyboard.js';
import { anchor } from './position.js';

let idCounter = 0;
const FOCUSABLE = 'button:not([disabled]), textarea, a[href]';

/**
 * The page's elements a margin on <html> cannot move down: fixed ones at the
 * top of the window (found under our own host along the banner's strip), and
 * sticky ones near the top of the document (a header that sticks once the
 * page scrolls). Sticky headers are looked for three levels deep only: deeper
 * ones are rare, and a full scan of a huge page is not free.
 */
function pinnedAtTop(doc, px) {
  const view = doc.defaultView;
  const found = new Map(); // element -> 'fixed' | 'sticky'
  const width = view.innerWidth;
  for (const x of [4, width / 4, width / 2, (3 * width) / 4, width - 4]) {
    for (const y of [1, px / 2, px - 1]) {
      const below = doc.elementsFromPoint(x, y).find((el) => !el.closest('[data-waymark]'));
      for (let el = below; el && el !== doc.documentElement; el = el.parentElement) {
        if (view.getComputedStyle(el).position === 'fixed') {
          found.set(el, 'fixed');
          break;
        }
      }
    }
  }
  for (const el of doc.querySelectorAll('body > *, body > * > *, body > * > * > *')) {
    const style = view.getComputedStyle(el);
    if (style.position === 'sticky' && parseFloat(style.top) < px) found.set(el, 'sticky');
  }
  return found;
}

/**
 * Shifts the page down by `px`: a margin on <html> moves the flow, a fixed
 * element at the top is translated, a sticky one sticks `px` lower.
 * Inline !important through the CSSOM: beats the page's CSS and its CSP.
 * @returns {() => void} restores what it changed
 */
export function pushPage(doc, px) {
  const undo = [];
  const set = (el, property, value) => {
    const before = el.style.getPropertyValue(property);
    const priority = el.style.getPropertyPriority(property);
    el.style.setProperty(property, value, 'important');
    undo.push(() => (before ? el.style.setProperty(property, before, priority) : el.style.removeProperty(property)));
  };
  const view = doc.defaultView;
  const pinned = pinnedAtTop(doc, px); // before the margin moves what is in the flow
  const html = doc.documentElement;
  set(html, 'margin-top', `${(parseFloat(view.getComputedStyle(html).marginTop) || 0) + px}px`);
  for (const [el, how] of pinned) {
    if (how === 'fixed') set(el, 'translate', `0 ${px}px`);
    else set(el, 'top', `${(parseFloat(view.getComputedStyle(el).top) || 0) + px}px`);
  }
  return () => undo.reverse().forEach((restore) => restore());
}

/**
 * Draws a surface in `root`.
 * @param {{kind: 'nudge'|'survey', style: string, title: string, target?: Element,
 *          placement?: string, onClose: (reason: string) => void}} options
 * @returns {{dialog, content, footer, anchorTo: (target: Element) => void, destroy: () => void}}
 *   `content` and `footer` are for the caller's body and buttons; destroy returns focus.
 */
export function openSurface(root, { kind, style, title, target, placement, onClose }) {
  const doc = root.ownerDocument;
  const styleName = ['banner', 'modal', 'toast', 'pointer'].includes(style) ? style : 'modal';
  const dialog = element(doc, 'div', `wm-dialog wm-${styleName}`);
  dialog.dataset.kind = kind;
  dialog.setAttribute('role', 'dialog');
  dialog.setAttribute('aria-modal', String(styleName === 'modal'));
  dialog.tabIndex = -1;
  const heading = element(doc, 'h2', 'wm-title', title || '');
  heading.id = `wm-o${++idCounter}`;
  dialog.setAttribute('aria-labelledby', heading.id);
  const close = button(doc, '\u00d7', 'wm-close', () => onClose('close_button'));
  close.setAttribute('aria-label', 'Close');
  const content = element(doc, 'div', 'wm-body');
  const footer = element(doc, 'div', 'wm-footer');
  const arrow = element(doc, 'div', 'wm-arrow');
  dialog.append(close, heading, content, footer, arrow);

  const cleanups = [() => dialog.remove()];
  const returnTo = deepActiveElement(doc);
  if (styleName === 'modal') {
    const backdrop = element(doc, 'div', 'wm-backdrop wm-blocking');
    root.appendChild(backdrop);
    cleanups.push(() => backdrop.remove());
  }
  root.appendChild(dialog);
  let unanchor = () => {};
  const anchorTo = (reference) => {
    unanchor();
    unanchor = anchor({ reference, floating: dialog, arrowElement: arrow, placement });
  };
  if (styleName === 'pointer' && target) anchorTo(target);
  cleanups.push(() => unanchor());
  if (styleName === 'banner') {
    let undo = () => {};
    const resized = new ResizeObserver(() => {
      undo();
      undo = pushPage(doc, dialog.getBoundingClientRect().height);
    });
    resized.observe(dialog);
    cleanups.push(() => {
      resized.disconnect();
      undo();
    });
  }

  // Esc closes a modal wherever focus is, the other styles when focus is in them;
  // Tab stays inside a modal.
  const onKey = (event) => {
    const inside = dialog.contains(deepActiveElement(doc));
    if (event.key === 'Escape' && (styleName === 'modal' || inside)) {
      event.stopPropagation();
      onClose('escape');
    } else if (event.key === 'Tab' && styleName === 'modal') {
      const stops = [...dialog.querySelectorAll(FOCUSABLE)];
      const at = stops.indexOf(deepActiveElement(doc));
      const next = event.shiftKey ? (at <= 0 ? stops.length - 1 : at - 1) : (at + 1) % stops.length;
      event.preventDefault();
      if (stops[next]) stops[next].focus();
    }
  };
  doc.defaultView.addEventListener('keydown', onKey, true);
  cleanups.push(() => doc.defaultView.removeEventListener('keydown', onKey, true));
  // Only a modal takes focus: a banner, toast or pointer must not pull someone
  // out of what they are typing (Tab reaches them after the page's own controls).
  if (styleName === 'modal') dialog.focus({ preventScroll: true });

  return {
    dialog,
    content,
    footer,
    anchorTo, // a pointer follows its target when the page re-renders it
    destroy() {
      const hadFocus = dialog.contains(deepActiveElement(doc));
      cleanups.reverse().forEach((cleanup) => cleanup());
      if (hadFocus && returnTo && returnTo.isConnected && returnTo.focus) returnTo.focus({ preventScroll: true });
    },
  };
}
