// The help panel: what this page offers this person — its guides (start or
// replay), its tips (open one at its field) and the links of its resources
// documents — with a search box over titles and descriptions.
// `data-kind=panel`, `role=dialog` named by its title; Esc closes it and
// focus goes back to the launcher. Links open only http:, https:, mailto:
// and tel: URLs. The search and filter rules are pure, for node's tests.
import { button, element } from './host.js';

const LINK_PROTOCOLS = new Set(['http:', 'https:', 'mailto:', 'tel:']);

/** The URL a resource link may open, or null. */
export function linkHref(url) {
  try {
    const parsed = new URL(String(url).trim());
    return LINK_PROTOCOLS.has(parsed.protocol) ? parsed.href : null;
  } catch {
    return null;
  }
}

const words = (text) => String(text || '').toLowerCase().split(/\s+/).filter(Boolean);

/** The items a query finds: every word of it appears in the item's title or description (case ignored). */
export function searchHelp(items, query) {
  const wanted = words(query);
  return items.filter((item) => {
    const text = `${item.title || ''} ${item.text || ''}`.toLowerCase();
    return wanted.every((word) => text.includes(word));
  });
}

/**
 * What the panel lists, in order: guides, tips, links (links with an unsafe URL are left out).
 * @returns {{section: string, title: string, text: string, ...}[]}
 */
export function panelItems({ guides = [], tips = [], resources = [] }) {
  const items = guides.map((guide) => ({ section: 'Guides', title: guide.title || guide.id, text: guide.description || '', guide }));
  items.push(...tips.map((tip) => ({ section: 'Tips', title: tip.title, text: tip.text, tip })));
  for (const resources_ of resources) {
    (resources_.links || []).forEach((link, index) => {
      const href = linkHref(link.url);
      if (href) items.push({ section: 'Links', title: link.title || href, text: link.description || '', href, link, index, doc: resources_ });
    });
  }
  return items;
}

const SEARCH_SETTLES_MS = 1000;
let idCounter = 0;

/**
 * Draws the panel. `actions`: onPick(item) for a guide or a tip, onLink(item)
 * when a link opens, onSearch(query, results) once a search settles, onClose().
 * @returns {{panel: HTMLElement, destroy: () => void}}
 */
export function renderPanel(root, { title, corner, items }, actions) {
  const doc = root.ownerDocument;
  const panel = element(doc, 'div', `wm-dialog wm-panel wm-${corner}`);
  const heading = element(doc, 'h2', 'wm-title', title);
  heading.id = `wm-panel-${++idCounter}`;
  panel.dataset.kind = 'panel';
  panel.setAttribute('role', 'dialog');
  panel.setAttribute('aria-modal', 'false');
  panel.setAttribute('aria-labelledby', heading.id);
  const close = button(doc, '\u00d7', 'wm-close', () => actions.onClose());
  close.setAttribute('aria-label', 'Close');
  const search = element(doc, 'input', 'wm-search');
  search.type = 'search';
  search.placeholder = 'Search help';
  search.setAttribute('aria-label', 'Search help');
  const empty = element(doc, 'p', 'wm-empty');
  empty.setAttribute('role', 'status');
  panel.append(close, heading, search);

  const rows = new Map(); // item -> its <li>
  const headings = new Map();
  const lists = new Map();
  for (const item of items) {
    if (!lists.has(item.section)) {
      const sectionHeading = element(doc, 'h3', 'wm-section', item.section);
      const list = element(doc, 'ul', 'wm-list');
      panel.append(sectionHeading, list);
      headings.set(item.section, sectionHeading);
      lists.set(item.section, list);
    }
    const row = element(doc, 'li');
    if (item.href) {
      const link = element(doc, 'a', 'wm-item', item.title);
      link.href = item.href;
      if (item.href.startsWith('http')) link.target = '_blank';
      link.rel = 'noopener noreferrer';
      link.addEventListener('click', () => actions.onLink(item));
      row.appendChild(link);
    } else {
      row.appendChild(button(doc, item.title, 'wm-item', () => actions.onPick(item)));
    }
    if (item.text && !item.tip) row.appendChild(element(doc, 'p', 'wm-note', item.text));
    lists.get(item.section).appendChild(row);
    rows.set(item, row);
  }
  panel.appendChild(empty);

  let timer = null;
  let reported = '';
  const settle = () => {
    clearTimeout(timer);
    const query = search.value.trim();
    if (query && query !== reported) actions.onSearch(query, searchHelp(items, query).length);
    reported = query;
  };
  search.addEventListener('input', () => {
    const found = new Set(searchHelp(items, search.value));
    for (const [item, row] of rows) row.hidden = !found.has(item);
    for (const [section, sectionHeading] of headings) sectionHeading.hidden = ![...found].some((item) => item.section === section);
    empty.textContent = found.size ? '' : `Nothing found for \u201c${search.value.trim()}\u201d.`;
    clearTimeout(timer);
    timer = setTimeout(settle, SEARCH_SETTLES_MS);
  });
  if (!items.length) empty.textContent = 'Nothing here yet.';

  panel.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && event.target === search) settle();
    if (event.key === 'Escape') {
      event.stopPropagation();
      actions.onClose();
    }
    if (event.key !== 'Tab') return;
    // Tab goes round inside the panel while it is open.
    const focusable = [...panel.querySelectorAll('button, input, a')].filter((node) => !node.closest('[hidden]'));
    const edge = event.shiftKey ? focusable[0] : focusable[focusable.length - 1];
    if (root.activeElement === edge) {
      event.preventDefault();
      (event.shiftKey ? focusable[focusable.length - 1] : focusable[0]).focus();
    }
  });
  root.appendChild(panel);
  search.focus({ preventScroll: true });
  return {
    panel,
    destroy() {
      settle(); // a search typed just before closing still counts
      panel.remove();
    },
  };
}
