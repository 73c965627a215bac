// The element picker's brain: from one element to a target in guide format
// ({selector, text?, fallbacks?}) that the overlay's own findTarget resolves
// back to that very element.
//
// Candidates are tried from the most stable kind to the least:
//   own     the element's own test hooks, id, name, aria-label, role,
//           placeholder, title, href, classes (never generated or state names)
//   anchored a stable ancestor + one of the above or the tag
//            ('[data-testid="toolbar"] button')
//   tag     the tag alone, told apart by the target's text
//   positional  a tag path with :nth-of-type from the nearest stable ancestor;
//            only when nothing else finds the element, and said in `warnings`
// Each candidate is checked the way findTarget picks: over the document, open
// shadow roots and same-origin frames (searchRoots), the first visible match
// whose text contains `text` must be the element. A CSS selector cannot cross
// a shadow or frame boundary, so every selector is written relative to the
// element's own root (its shadow root or frame document), which findTarget
// searches as if it were the page.
//
// Pure: the DOM is only read, through the element and `options`, so node's
// test runner drives it with a small fake DOM.
import { isVisible as pageIsVisible, queryAll, searchRoots, textMatches, visibleText as pageVisibleText } from '../targets.js';
import { attributeSelector, escapeIdentifier } from './css.js';
import { attributeNames, describeElement, isBehaviourAttribute, stableText } from './describe.js';
import { isStableClass, looksGenerated } from './generated.js';

/** Attributes teams add for their own tests: the most stable hooks a page has. */
export const TEST_ATTRIBUTES = [
  'data-testid',
  'data-test-id',
  'data-test',
  'data-qa',
  'data-qa-id',
  'data-cy',
  'data-automation-id',
  'data-automation',
  'data-test-subj',
  'data-e2e',
  'data-pw',
  'data-selenium',
  'data-hook',
];

const TEXT_MAX = 60; // characters of text in a target, cut at a word
const LONG_TEXT = 160; // longer visible text is content that changes, not a label
const MAX_VALUE = 100; // attribute values longer than this are content, not names
const MAX_FALLBACKS = 2;
const MAX_ANCHORS = 4; // nearest ancestors tried as anchors
const ANCHORS_PER_ANCESTOR = 2;
const PARTS_PER_ELEMENT = 3;
const BUTTON_INPUT_TYPES = ['button', 'submit', 'reset'];

const OWN = 0;
const ANCHORED = 1;
const TAG = 2;
const POSITIONAL = 3;

function attribute(element, name) {
  const value = typeof element.getAttribute === 'function' ? element.getAttribute(name) : null;
  return typeof value === 'string' ? value.trim() : '';
}

// localName keeps an SVG element's case (foreignObject), which type selectors need.
function localName(element) {
  return element.localName || String(element.tagName || '').toLowerCase();
}

function tagSelector(element) {
  return escapeIdentifier(localName(element));
}

function isFormField(element) {
  const tag = localName(element);
  if (tag === 'textarea' || tag === 'select') return true;
  return tag === 'input' && !BUTTON_INPUT_TYPES.includes(attribute(element, 'type').toLowerCase());
}

/** An attribute value a person chose and that names the element (not content, not generated). */
function isNameLike(value) {
  return value !== '' && value.length <= MAX_VALUE && !looksGenerated(value);
}

/** A link target that names a place, not one record or one session. */
export function isStableHref(href) {
  if (!href || href.length > 120 || /^(javascript|data|blob):/i.test(href)) return false;
  if (href === '#' || href.includes('?')) return false; // queries carry ids, tokens, tracking
  const path = href.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*/i, ''); // the host may be anything
  return path.split(/[/#]/).every((segment) => !/^\d+$/.test(segment) && !looksGenerated(segment));
}

function collapse(text) {
  return String(text || '').replace(/\s+/g, ' ').trim();
}

function cutAtWord(text, max) {
  if (text.length <= max) return text;
  const head = text.slice(0, max + 1);
  const space = head.lastIndexOf(' ');
  return (space > max / 2 ? head.slice(0, space) : text.slice(0, max)).trim();
}

/**
 * The `text` of a target: what the element shows, collapsed and cut at a
 * word, or '' for form fields (their value is what the employee types) and
 * for long text (content, not a label). Never a count, number, date, time or
 * amount: "Layout Options 6" gives "Layout Options", a badge "15" gives ''
 * (describe.js stableText), since those change with every message.
 */
export function targetText(element) {
  if (isFormField(element)) return '';
  const rendered = typeof element.innerText === 'string' ? element.innerText : element.textContent;
  const text = collapse(rendered || (localName(element) === 'input' ? element.value : ''));
  if (!text || text.length > LONG_TEXT) return '';
  return cutAtWord(stableText(text), TEXT_MAX);
}

const ICON_CLASS = /^(bi|fa|fas|far|fab|mdi|icon|glyphicon|ti|ri|lni|feather|material-icons)(-[a-z0-9-]+)?$|-icon$/;

/** `i.bi-bell-fill`: the icon children of an element, by their most specific icon class. */
function iconClasses(element) {
  const found = [];
  for (const child of element.children || []) {
    const childTag = localName(child);
    if (!['i', 'svg', 'span', 'img'].includes(childTag) || collapse(child.textContent)) continue;
    const classes = attribute(child, 'class').split(/\s+/).filter((name) => ICON_CLASS.test(name) && isStableClass(name));
    const specific = classes.sort((a, b) => b.length - a.length)[0];
    if (specific && specific.includes('-')) found.push(`${escapeIdentifier(childTag)}.${escapeIdentifier(specific)}`);
  }
  return found.slice(0, 2);
}

/** data-* attributes naming a behaviour (data-toggle="dropdown", data-widget="pushmenu"). */
function behaviourAttributes(element) {
  return attributeNames(element)
    .filter((name) => !TEST_ATTRIBUTES.includes(name))
    .map((name) => [name, attribute(element, name)])
    .filter(([name, value]) => isBehaviourAttribute(name, value));
}

/** Selectors made of the element's own stable attributes, most stable first. */
export function ownSelectors(element) {
  const tag = tagSelector(element);
  const found = [];
  const add = (selector) => {
    if (!found.includes(selector)) found.push(selector);
  };
  const named = (name) => {
    const value = attribute(element, name);
    return isNameLike(value) ? value : '';
  };
  for (const name of TEST_ATTRIBUTES) {
    if (named(name)) add(attributeSelector(name, named(name)));
  }
  if (named('id')) add(`#${escapeIdentifier(named('id'))}`);
  if (named('name')) add(tag + attributeSelector('name', named('name')));
  if (named('aria-label')) add(tag + attributeSelector('aria-label', named('aria-label')));
  // Distinctive attributes before any position: a behaviour, alone or with the
  // element's title or label ('a[data-widget="pushmenu"]', '[data-bs-toggle="dropdown"][title="Alerts"]').
  const behaviours = behaviourAttributes(element);
  for (const [name, value] of behaviours) add(tag + (value ? attributeSelector(name, value) : `[${name}]`));
  for (const [name, value] of behaviours) {
    const own = value ? attributeSelector(name, value) : `[${name}]`;
    for (const wording of ['title', 'aria-label', 'aria-controls']) {
      if (named(wording)) add(tag + own + attributeSelector(wording, named(wording)));
    }
  }
  if (named('aria-controls')) add(tag + attributeSelector('aria-controls', named('aria-controls')));
  // An icon-only control is named by its icon ('a[data-bs-toggle="dropdown"]:has(> i.bi-bell-fill)').
  for (const icon of iconClasses(element)) {
    const has = `:has(> ${icon})`;
    add(tag + has);
    for (const [name, value] of behaviours) add(tag + (value ? attributeSelector(name, value) : `[${name}]`) + has);
  }
  if (named('role') && named('aria-label')) add(attributeSelector('role', named('role')) + attributeSelector('aria-label', named('aria-label')));
  if (named('placeholder')) add(tag + attributeSelector('placeholder', named('placeholder')));
  if (named('title')) add(tag + attributeSelector('title', named('title')));
  if (tag === 'a' && isStableHref(attribute(element, 'href'))) add(`a${attributeSelector('href', attribute(element, 'href'))}`);
  const classes = attribute(element, 'class').split(/\s+/).filter(isStableClass);
  for (const name of classes) add(`${tag}.${escapeIdentifier(name)}`);
  if (classes.length > 1) add(`${tag}.${escapeIdentifier(classes[0])}.${escapeIdentifier(classes[1])}`);
  return found;
}

/** Ancestors in the element's own root (a selector cannot reach past a shadow root or a frame). */
function ancestorsOf(element) {
  const ancestors = [];
  for (let node = element.parentElement; node; node = node.parentElement) ancestors.push(node);
  return ancestors;
}

/** '[data-testid="toolbar"] button': the nearest stable ancestors, each with the element's parts. */
function anchoredSelectors(element) {
  const parts = [...ownSelectors(element).slice(0, PARTS_PER_ELEMENT), tagSelector(element)];
  const anchors = ancestorsOf(element)
    .map((ancestor) => ownSelectors(ancestor).slice(0, ANCHORS_PER_ANCESTOR))
    .filter((selectors) => selectors.length > 0)
    .slice(0, MAX_ANCHORS);
  return anchors.flatMap((selectors) => selectors.flatMap((anchor) => parts.map((part) => `${anchor} ${part}`)));
}

/** One step of a tag path: the tag, with :nth-of-type when siblings share it. */
function pathStep(node) {
  const parent = node.parentElement;
  if (!parent) return tagSelector(node);
  const sameTag = [...parent.children].filter((child) => localName(child) === localName(node));
  return sameTag.length > 1 ? `${tagSelector(node)}:nth-of-type(${sameTag.indexOf(node) + 1})` : tagSelector(node);
}

function pathFrom(ancestor, element) {
  const steps = [];
  for (let node = element; node && node !== ancestor; node = node.parentElement) steps.unshift(pathStep(node));
  return steps;
}

/** The nearest ancestor with a selector that matches it alone, with that selector. */
function nearestUniqueAnchor(element, context) {
  for (const ancestor of ancestorsOf(element)) {
    const selector = ownSelectors(ancestor).find((candidate) => {
      const matched = queryAll(context.roots, candidate);
      return matched.length === 1 && matched[0] === ancestor;
    });
    if (selector) return { ancestor, selector };
  }
  return null;
}

/** Last resort: tag paths, from the nearest unique ancestor, else the shortest path that works. */
function positionalSelectors(element, context) {
  const candidates = [];
  const anchor = nearestUniqueAnchor(element, context);
  if (anchor) candidates.push(`${anchor.selector} > ${pathFrom(anchor.ancestor, element).join(' > ')}`);
  const fullPath = pathFrom(null, element);
  for (let length = 1; length <= fullPath.length; length += 1) candidates.push(fullPath.slice(-length).join(' > '));
  return candidates;
}

/**
 * How well `selector` finds the element, as findTarget would: null when it
 * finds another (or none); level 0 when the element is its only visible
 * match, 1 when `text` tells it apart, 2 when it is merely the first of several.
 */
function assess(selector, context) {
  const matched = queryAll(context.roots, selector);
  if (!matched.includes(context.element)) return null;
  const visible = matched.filter(context.isVisible);
  const usable = visible.filter((candidate) => textMatches(context.visibleText(candidate), context.text));
  if (usable[0] !== context.element) return null;
  const level = visible.length === 1 ? 0 : usable.length === 1 ? 1 : 2;
  return { level, usable: usable.length };
}

function topDocumentOf(element) {
  let doc = element.ownerDocument;
  while (doc && doc.defaultView && doc.defaultView.frameElement) doc = doc.defaultView.frameElement.ownerDocument;
  return doc;
}

function makeContext(element, options) {
  const topDocument = options.topDocument || topDocumentOf(element);
  const isVisible = options.isVisible || pageIsVisible;
  const seen = new Map(); // visibility costs a layout read: once per element per build
  return {
    element,
    roots: options.roots || searchRoots(topDocument),
    text: targetText(element),
    visibleText: options.visibleText || pageVisibleText,
    isVisible(candidate) {
      if (!seen.has(candidate)) seen.set(candidate, Boolean(isVisible(candidate)));
      return seen.get(candidate);
    },
  };
}

/** "First of several" is a position in disguise: it breaks when the order changes. */
function isPositional(found) {
  return found.group === POSITIONAL || found.level === 2;
}

function rank(found) {
  return [isPositional(found) ? 1 : 0, found.level === 2 ? 1 : 0, found.group, found.level, found.order];
}

function compareRanks(a, b) {
  const left = rank(a);
  const right = rank(b);
  for (let index = 0; index < left.length; index += 1) {
    if (left[index] !== right[index]) return left[index] - right[index];
  }
  return 0;
}

function warningsFor(best) {
  if (!best) {
    return ['No selector finds this element again (it is hidden, or the page has no way to tell it apart); check the target on the page.'];
  }
  if (best.group === POSITIONAL) {
    return ["Positional selector: nothing stable about the element (attributes, classes, text) tells it apart, so any layout change breaks this target. Ask the page's developers for a data-testid."];
  }
  if (best.level === 2) {
    return [`The selector matches ${best.usable} elements and this one is the first: a change in their order points the target at another. Ask the page's developers for a data-testid.`];
  }
  return [];
}

/**
 * Fallbacks that fail for other reasons than the selector before them: one
 * that merely wraps a chosen selector ('div.box [data-testid="x"]' after
 * '[data-testid="x"]') breaks together with it. Never positional ones: after
 * a layout change they silently point at another element, and a missing
 * target is reported where a wrong one is not.
 */
function chooseFallbacks(best, others) {
  const chosen = best ? [best.selector] : [];
  for (const candidate of others) {
    if (chosen.length > MAX_FALLBACKS) break;
    if (isPositional(candidate) || chosen.some((selector) => narrows(candidate.selector, selector))) continue;
    chosen.push(candidate.selector);
  }
  return chosen.slice(1);
}

/** The simple selectors a selector is made of: 'div.box button.x' -> div, .box, button, .x. */
function simpleParts(selector) {
  return selector.split(/\s+|>|(?=[.#[:])/).filter(Boolean);
}

/** `candidate` only adds conditions to `chosen` ('button.btn.primary' to 'button.primary'), so it breaks with it. */
function narrows(candidate, chosen) {
  const parts = new Set(simpleParts(candidate));
  return simpleParts(chosen).every((part) => parts.has(part));
}

/**
 * A target for `element` in guide format, and any warnings about it.
 * @param {Element} element
 * @param {{topDocument?: Document, roots?: object[], isVisible?: Function, visibleText?: Function,
 *   describe?: boolean}} [options]
 *   defaults: the element's top-level document and targets.js's own tests;
 *   `describe: false` leaves out the descriptions healing needs (describe.js)
 * @returns {{target: {selector: string, text?: string, fallbacks?: string[], describe?: object}, warnings: string[]}}
 */
export function buildTarget(element, options = {}) {
  const context = makeContext(element, options);
  const found = [];
  const consider = (group, selectors) => {
    for (const selector of selectors) {
      if (found.some((known) => known.selector === selector)) continue;
      const verdict = assess(selector, context);
      if (verdict) found.push({ selector, group, order: found.length, ...verdict });
    }
  };
  const wellFound = () => found.filter((candidate) => !isPositional(candidate)).length;
  consider(OWN, ownSelectors(element));
  if (wellFound() <= MAX_FALLBACKS) consider(ANCHORED, anchoredSelectors(element));
  if (context.text) consider(TAG, [tagSelector(element)]);
  if (wellFound() === 0) consider(POSITIONAL, positionalSelectors(element, context));
  found.sort(compareRanks);
  const [best] = found;
  const target = { selector: best ? best.selector : pathFrom(null, element).join(' > ') };
  if (context.text) target.text = context.text;
  const fallbacks = chooseFallbacks(best, found.slice(1));
  if (fallbacks.length) target.fallbacks = fallbacks;
  if (options.describe !== false) target.describe = describeElement(element);
  return { target, warnings: warningsFor(best) };
}
