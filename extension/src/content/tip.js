// An open tip: `data-kind=tip`, `role=dialog` named by its title, its body
// built from body_nodes (body.js), and Close. Whether it takes focus is the
// caller's choice (tips.js): never when it opened because a field got focus.
import { appendPlan, stepBodyPlan } from './body.js';
import { button, element } from './host.js';

let idCounter = 0;

export function renderTip(root, tip, { preview, onClose }) {
  const doc = root.ownerDocument;
  const card = element(doc, 'div', 'wm-dialog wm-tip');
  const title = element(doc, 'h2', 'wm-title', tip.title || 'Tip');
  title.id = `wm-tip-${++idCounter}`;
  card.dataset.kind = 'tip';
  card.setAttribute('role', 'dialog');
  card.setAttribute('aria-modal', 'false');
  card.setAttribute('aria-labelledby', title.id);
  card.tabIndex = -1;
  const close = button(doc, '\u00d7', 'wm-close', onClose);
  close.setAttribute('aria-label', 'Close');
  card.append(close, title, appendPlan(doc, element(doc, 'div', 'wm-body'), stepBodyPlan(tip)));
  if (preview) card.appendChild(element(doc, 'span', 'wm-preview', 'Preview'));
  root.appendChild(card);
  return card;
}
