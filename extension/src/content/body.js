// A step's body: `body_nodes` from the server (docs/contract-notes.md) turned
// into a plan, then into DOM with createElement and text nodes only. The plan
// is pure data so node's test runner can check the filtering; nothing here
// ever parses HTML.

const ALLOWED_TAGS = new Set(['p', 'strong', 'em', 'code', 'pre', 'ul', 'ol', 'li', 'a', 'br']);
const SAFE_PROTOCOLS = new Set(['http:', 'https:', 'mailto:']);
const MAX_DEPTH = 16;

/** The href when it is an http, https or mailto URL; otherwise null. */
export function safeHref(href) {
  if (typeof href !== 'string') return null;
  try {
    const url = new URL(href.trim());
    return SAFE_PROTOCOLS.has(url.protocol) ? url.href : null;
  } catch {
    return null; // relative or malformed: there is no base we could trust
  }
}

/**
 * Filters body_nodes into a plan: strings, and {tag, href?, children} with
 * allowed tags only. An unknown tag keeps its content without the tag; a
 * link with an unsafe href keeps only its text.
 */
export function bodyPlan(nodes, depth = 0) {
  const plan = [];
  for (const node of Array.isArray(nodes) ? nodes : []) {
    if (typeof node === 'string') {
      plan.push(node);
      continue;
    }
    if (!node || typeof node !== 'object') continue;
    const children = depth < MAX_DEPTH ? bodyPlan(node.children, depth + 1) : [];
    if (!ALLOWED_TAGS.has(node.tag)) {
      plan.push(...children);
    } else if (node.tag === 'a') {
      const href = safeHref(node.href);
      if (href) plan.push({ tag: 'a', href, children });
      else plan.push(...children);
    } else {
      plan.push({ tag: node.tag, children: node.tag === 'br' ? [] : children });
    }
  }
  return plan;
}

/** A body without body_nodes (an unpublished preview): paragraphs of plain text. */
export function plainTextPlan(text) {
  if (typeof text !== 'string' || text.trim() === '') return [];
  return text
    .split(/\n\s*\n/)
    .map((paragraph) => paragraph.trim())
    .filter(Boolean)
    .map((paragraph) => ({ tag: 'p', children: [paragraph] }));
}

/** The plan for a step: its body_nodes, else its body as plain text. */
export function stepBodyPlan(step) {
  return Array.isArray(step.body_nodes) ? bodyPlan(step.body_nodes) : plainTextPlan(step.body);
}

/** Builds DOM nodes for a plan into `parent`. */
export function appendPlan(doc, parent, plan) {
  for (const item of plan) {
    if (typeof item === 'string') {
      parent.appendChild(doc.createTextNode(item));
      continue;
    }
    const element = doc.createElement(item.tag);
    if (item.tag === 'a') {
      element.href = item.href;
      element.target = '_blank';
      element.rel = 'noopener noreferrer';
    }
    appendPlan(doc, element, item.children);
    parent.appendChild(element);
  }
  return parent;
}
