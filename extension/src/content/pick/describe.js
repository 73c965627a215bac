// The element picker's second record of an element: several independent
// descriptions of it (`target.describe`, version 1, docs/guides.md "How a
// target survives a redesign"), from which heal.js finds it again after a
// redesign broke the selector. Authors never write it by hand.
//
//   {"v": 1, "tag": "button",
//    "attrs": {"data-testid": "save", "name": "…", "aria-label": "…", "title": "…",
//              "data-action": "save", "href": "/reports", "type": "submit", …},
//    "role": "button",          explicit or implicit ARIA role
//    "name": "Save report",     accessible name (aria-labelledby, aria-label, label, alt, text, title)
//    "label": "Amount",         a form field's <label>
//    "text": "Save report",     visible text
//    "classes": ["btn-primary"],class names that do not look generated or state-like
//    "path": [{"tag", "attrs", "role", "classes"}, …],  ancestors nearest first (6 at most)
//    "siblings": ["Cancel"]}    names of the neighbouring elements
//
// What lasts, and what does not: attributes only when a person chose them
// (looksGenerated), classes only when stable (isStableClass), and no text
// keeps a count, number, date, time or amount ("Inbox 15" is recorded as
// "Inbox"; "15" as nothing): those change with every message that arrives.
// Empty descriptions are left out, so the field stays small.
//
// Pure: the DOM is only read, so node's test runner drives it with the fake DOM.
import { isStableClass, looksGenerated } from './generated.js';

export const DESCRIBE_VERSION = 1;
export const TEST_ATTRIBUTES = [
  'data-testid', 'data-test-id', 'data-test', 'data-qa', 'data-qa-id', 'data-cy', 'data-automation-id',
  'data-automation', 'data-test-subj', 'data-e2e', 'data-pw', 'data-selenium', 'data-hook',
];
// Attributes that name an element; compared by value (identity) when healing.
export const NAMING_ATTRIBUTES = ['id', 'name', 'href', 'type', 'for', 'role'];
// Attributes that say what an element means in words; compared as text.
export const WORDING_ATTRIBUTES = ['aria-label', 'title', 'placeholder', 'alt'];
const NOT_BEHAVIOUR = /^data-(waymark|reactid|react|v-|styled|emotion|radix-collection|state$|index$|key$|id$|row|col|sort|value$|count$|time|date)/;

const MAX_ATTRS = 14;
const MAX_VALUE = 100;
const MAX_TEXT = 80;
const LONG_TEXT = 200; // more than this is content (a paragraph, a whole panel), not a name
const MAX_PATH = 6;
const MAX_PATH_ATTRS = 5;
const MAX_CLASSES = 6;
const MAX_SIBLINGS = 4;

export function attributeOf(element, name) {
  const value = typeof element.getAttribute === 'function' ? element.getAttribute(name) : null;
  return typeof value === 'string' ? value.trim() : null;
}

export function tagOf(element) {
  return String(element.localName || element.tagName || '').toLowerCase();
}

function collapse(text) {
  return String(text || '').replace(/\s+/g, ' ').trim();
}

// A token with a digit is a count, number, date, time or amount; currency
// signs and lone punctuation go with it.
const VOLATILE_TOKEN = /\d|^[$€£¥₹%#+−-]+$/;

/**
 * The longest run of words without a number in it, so that the result is
 * still a substring of the visible text (targets.js's `text` filter is a
 * "contains"): "Layout Options 6" -> "Layout Options", "15" -> "",
 * "Due 12/03 Submit expenses" -> "Submit expenses".
 */
export function stableText(text) {
  const tokens = collapse(text).split(' ').filter(Boolean);
  let best = [];
  let run = [];
  for (const token of [...tokens, '0']) {
    if (VOLATILE_TOKEN.test(token)) {
      if (run.join(' ').length > best.join(' ').length) best = run;
      run = [];
    } else {
      run.push(token);
    }
  }
  const found = best.join(' ').replace(/^[^\p{L}]+|[^\p{L}.!?)]+$/gu, '');
  return /\p{L}/u.test(found) ? found : '';
}

function cut(text, max = MAX_TEXT) {
  if (text.length <= max) return text;
  const head = text.slice(0, max + 1);
  const space = head.lastIndexOf(' ');
  return (space > max / 2 ? head.slice(0, space) : text.slice(0, max)).trim();
}

/** Short stable text, or '' (too long means content, not a name). */
function shortStable(text) {
  const collapsed = collapse(text);
  if (!collapsed || collapsed.length > LONG_TEXT) return '';
  return cut(stableText(collapsed));
}

/** An attribute value a person chose to name the element. */
function isNameLike(value) {
  return typeof value === 'string' && value.length <= MAX_VALUE && !looksGenerated(value);
}

function isStableHref(href) {
  if (!href || href.length > 120 || /^(javascript|data|blob):/i.test(href) || href.includes('?')) return false;
  const path = href.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*/i, '');
  return path.split(/[/#]/).every((segment) => !/^\d+$/.test(segment) && !looksGenerated(segment));
}

/** A data-* attribute naming a behaviour (data-toggle="dropdown", data-widget="pushmenu"), not content. */
export function isBehaviourAttribute(name, value) {
  if (!name.startsWith('data-') || TEST_ATTRIBUTES.includes(name) || NOT_BEHAVIOUR.test(name)) return false;
  return value === '' || (isNameLike(value) && !/\d{2,}/.test(value) && !/\s/.test(value.trim()));
}

export function attributeNames(element) {
  if (typeof element.getAttributeNames === 'function') return element.getAttributeNames();
  if (element.attributes instanceof Map) return [...element.attributes.keys()]; // the tests' fake DOM
  return [];
}

/** The element's lasting attributes: test hooks, names, wording, behaviours. */
export function stableAttributes(element, max = MAX_ATTRS) {
  const attrs = {};
  const add = (name, value) => {
    if (name.length > 60 || value === null || value === undefined) return; // the guide format's bounds
    if (Object.keys(attrs).length < max) attrs[name] = value;
  };
  for (const name of TEST_ATTRIBUTES) {
    const value = attributeOf(element, name);
    if (isNameLike(value) && value) add(name, value);
  }
  for (const name of ['id', 'name', 'for', 'role', 'type']) {
    const value = attributeOf(element, name);
    if (value && isNameLike(value)) add(name, value);
  }
  const href = attributeOf(element, 'href');
  if (tagOf(element) === 'a' && isStableHref(href)) add('href', href);
  for (const name of WORDING_ATTRIBUTES) {
    const value = shortStable(attributeOf(element, name) || '');
    if (value) add(name, value);
  }
  for (const name of attributeNames(element)) {
    const value = attributeOf(element, name);
    if (!(name in attrs) && isBehaviourAttribute(name, value)) add(name, value);
  }
  return attrs;
}

const IMPLICIT_ROLES = {
  button: 'button', select: 'combobox', textarea: 'textbox', nav: 'navigation', form: 'form',
  main: 'main', header: 'banner', footer: 'contentinfo', aside: 'complementary', ul: 'list', ol: 'list',
  li: 'listitem', table: 'table', tr: 'row', img: 'img', dialog: 'dialog', summary: 'button',
  h1: 'heading', h2: 'heading', h3: 'heading', h4: 'heading', h5: 'heading', h6: 'heading',
};
const INPUT_ROLES = {
  checkbox: 'checkbox', radio: 'radio', range: 'slider', number: 'spinbutton', search: 'searchbox',
  button: 'button', submit: 'button', reset: 'button', image: 'button',
};

/** The explicit role, else the one HTML gives the element. */
export function roleOf(element) {
  const explicit = attributeOf(element, 'role');
  if (explicit) return explicit.split(/\s+/)[0].slice(0, 60);
  const tag = tagOf(element);
  if (tag === 'a') return attributeOf(element, 'href') !== null ? 'link' : '';
  if (tag === 'input') return INPUT_ROLES[(attributeOf(element, 'type') || 'text').toLowerCase()] || 'textbox';
  return IMPLICIT_ROLES[tag] || '';
}

export function isFormField(element) {
  const tag = tagOf(element);
  if (tag === 'textarea' || tag === 'select') return true;
  return tag === 'input' && !['button', 'submit', 'reset', 'image'].includes((attributeOf(element, 'type') || '').toLowerCase());
}

/** Text without a layout read (healing scores thousands of elements). */
export function quickText(element) {
  const text = element.textContent;
  return typeof text === 'string' ? text : '';
}

function rootOf(element) {
  return typeof element.getRootNode === 'function' ? element.getRootNode() : null;
}

function byId(element, id) {
  const root = rootOf(element);
  return root && typeof root.getElementById === 'function' ? root.getElementById(id) : null;
}

/** The text of a form field's <label>: label[for=id] in its root, else the label around it. */
export function labelText(element) {
  if (!isFormField(element)) return '';
  const id = attributeOf(element, 'id');
  const root = rootOf(element);
  if (id && root && typeof root.querySelectorAll === 'function') {
    for (const label of root.querySelectorAll('label')) {
      if (attributeOf(label, 'for') === id) return shortStable(quickText(label));
    }
  }
  for (let node = element.parentElement; node; node = node.parentElement) {
    if (tagOf(node) === 'label') return shortStable(quickText(node));
  }
  return '';
}

/** A simplified accessible name (the parts of accname that last). */
export function accessibleName(element, text = quickText(element)) {
  const labelledBy = attributeOf(element, 'aria-labelledby');
  if (labelledBy) {
    const joined = labelledBy.split(/\s+/).map((id) => byId(element, id)).filter(Boolean).map(quickText).join(' ');
    if (shortStable(joined)) return shortStable(joined);
  }
  const wording = ['aria-label'].map((name) => shortStable(attributeOf(element, name) || '')).find(Boolean);
  if (wording) return wording;
  if (isFormField(element)) {
    return labelText(element) || shortStable(attributeOf(element, 'placeholder') || '') || shortStable(attributeOf(element, 'title') || '');
  }
  const alt = tagOf(element) === 'img' ? shortStable(attributeOf(element, 'alt') || '') : '';
  return alt || shortStable(text) || shortStable(attributeOf(element, 'title') || '');
}

export function stableClasses(element, max = MAX_CLASSES) {
  return (attributeOf(element, 'class') || '').split(/\s+/).filter((name) => name.length <= 100 && isStableClass(name)).slice(0, max);
}

/** The parent, or the shadow host when the element is at the top of a shadow root. */
export function parentOf(element) {
  if (element.parentElement) return element.parentElement;
  const root = rootOf(element);
  return root && root.host ? root.host : null;
}

function isTopLevel(element) {
  const tag = tagOf(element);
  return !element || tag === 'body' || tag === 'html';
}

/** One ancestor: only what is stable about it. */
export function describeAncestor(element) {
  const entry = { tag: tagOf(element) };
  const attrs = stableAttributes(element, MAX_PATH_ATTRS);
  delete attrs.type;
  if (Object.keys(attrs).length) entry.attrs = attrs;
  const role = attributeOf(element, 'role');
  if (role) entry.role = role.split(/\s+/)[0].slice(0, 60);
  const classes = stableClasses(element, 4);
  if (classes.length) entry.classes = classes;
  return entry;
}

export function ancestorsOf(element, max) {
  const found = [];
  for (let node = parentOf(element); node && !isTopLevel(node) && found.length < max; node = parentOf(node)) found.push(node);
  return found;
}

/** A neighbour's name: what a person would call it. */
function neighbourName(element) {
  return accessibleName(element) || shortStable(attributeOf(element, 'title') || '');
}

export function siblingNames(element, max = MAX_SIBLINGS) {
  const parent = element.parentElement;
  if (!parent) return [];
  const children = [...parent.children];
  const at = children.indexOf(element);
  const near = [...children.slice(Math.max(0, at - 2), at).reverse(), ...children.slice(at + 1, at + 3)];
  const names = [];
  for (const sibling of near) {
    const name = neighbourName(sibling);
    if (name && !names.includes(name) && names.length < max) names.push(cut(name, 60));
  }
  return names;
}

/**
 * The describe field of a target for `element`.
 * @returns {{v: 1, tag: string, attrs?: object, role?: string, name?: string, label?: string,
 *   text?: string, classes?: string[], path?: object[], siblings?: string[]}}
 */
export function describeElement(element) {
  const rendered = typeof element.innerText === 'string' ? element.innerText : quickText(element);
  const description = { v: DESCRIBE_VERSION, tag: tagOf(element) };
  const attrs = stableAttributes(element);
  if (Object.keys(attrs).length) description.attrs = attrs;
  const role = roleOf(element);
  if (role) description.role = role;
  const name = accessibleName(element, rendered);
  if (name) description.name = name;
  const label = labelText(element);
  if (label) description.label = label;
  const text = isFormField(element) ? '' : shortStable(rendered);
  if (text) description.text = text;
  const classes = stableClasses(element);
  if (classes.length) description.classes = classes;
  const path = ancestorsOf(element, MAX_PATH).map(describeAncestor);
  if (path.length) description.path = path;
  const siblings = siblingNames(element);
  if (siblings.length) description.siblings = siblings;
  return description;
}
