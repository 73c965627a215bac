// The one way Waymark puts anything on a page: a host element carrying
// `data-waymark` with an open shadow root, kept usable above the page's own
// overlays (toplayer.js). The overlay (render.js) and the element picker
// (pick/view.js) both draw inside one. DOM helpers build with createElement
// and text nodes only.
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
 * Creates a host (`data-waymark` = `name`) and its shadow root, in the top layer where the browser has one.
 * @param {{name?: string, css: string, setup?: (host: HTMLElement) => void}} options
 *   `setup` runs before the host is connected (listeners on the host itself).
 * @returns {{host: HTMLElement, root: ShadowRoot, raise: () => void, modal: () => Element|null, destroy: () => void}}
 *   `raise` puts the host back on top (and back in the page) when the page
 *   opened a modal, a popover or fullscreen after it, or removed it; `modal`
 *   is the page's modal the host lives in (toplayer.js), null when none.
 */
export function createShadowHost(doc, { name = '', css, setup }) {
  const host = doc.createElement('div');
  host.setAttribute('data-waymark', name);
  for (const [property, value] of HOST_STYLE) host.style.setProperty(property, value, 'important');
  preparePopoverHost(host);
  const root = host.attachShadow({ mode: 'open' });
  applyStyles(root, css);
  if (setup) setup(host);
  doc.documentElement.appendChild(host);
  const onTop = keepOnTop(host, doc);
  onTop.raise();
  return {
    host,
    root,
    raise: onTop.raise,
    modal: onTop.modal,
    destroy() {
      onTop.stop();
      host.remove();
    },
  };
}

/** An element with an optional class and text (a text node, never markup). */
export function element(doc, tag, className, text) {
  const node = doc.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.appendChild(doc.createTextNode(text));
  return node;
}

export function button(doc, label, className, onClick) {
  const node = element(doc, 'button', className, label);
  node.type = 'button';
  node.addEventListener('click', onClick);
  return node;
}
