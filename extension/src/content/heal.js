// Healing a target after a redesign: when its selector and fallbacks find no
// usable element, score the page's elements against the descriptions the
// picker recorded (`target.describe`, pick/describe.js) and take the best one
// only when it is clearly the one: its score at least HEAL_THRESHOLD and
// HEAL_MARGIN ahead of the next visible candidate. Otherwise the target stays
// missing, with the top candidates' scores for the report. Never a guess
// between two look-alikes.
//
// Each feature weighs by how well it survives a redesign (WEIGHTS): test hooks
// and behaviour attributes outlast wording, wording outlasts classes, and the
// position in the page counts least. The ancestor chain is aligned, not
// compared level by level, so an inserted or removed wrapper costs little.
// The score is the weighted share of the recorded features the candidate has
// (0..1); features the picker did not record do not count either way.
//
// Cost: nothing while the selector works (targets.js calls this only after
// every selector failed). When it runs, one pass over the page's elements
// without layout reads (textContent, attributes), then a visibility check for
// the few best ones only.
import {
  accessibleName, ancestorsOf, attributeOf, describeAncestor, describeElement, isFormField, labelText,
  quickText, roleOf, siblingNames, stableAttributes, stableClasses, stableText, tagOf, TEST_ATTRIBUTES,
} from './pick/describe.js';
import { buildTarget } from './pick/selector.js';

// Measured on the drift corpus (tests/benchmarks/bench_drift.py, 81 cases where
// every selector failed): the right element led the best other visible one in
// 80 (median lead 0.29, p10 0.07); in the one case it did not, another led by
// 0.015. A margin of 0.12 keeps a wide berth from that (18 cases refused,
// reported missing); healed ones scored 0.485 and up.
export const HEAL_THRESHOLD = 0.45;
export const HEAL_MARGIN = 0.12;
const CONFLICT_BELOW = 0.3; // a test hook this unlike the recorded one is another element's
const TIE = 0.02; // scores this close describe the element equally well
const MAX_TIE_BREAK = 30;
const TOP_CANDIDATES = 3;
const VISIBILITY_CHECKS = 12; // best-scored candidates checked for visibility, at most
const PATH_SLACK = 3; // extra candidate ancestors looked at (inserted wrappers)
const WRAPPER_COST = 0.08; // per inserted ancestor skipped in the alignment

const WEIGHTS = {
  test: 6, id: 3, name: 3, href: 2, for: 1, type: 0.5, role: 1.5,
  'aria-label': 2.5, title: 2, placeholder: 2, alt: 1.5, behaviour: 3,
  accName: 3, label: 2.5, text: 3, tag: 1.5, classes: 1, path: 2.5, siblings: 1,
};
const WORDING = ['aria-label', 'title', 'placeholder', 'alt'];
const CLICKABLE_TAGS = new Set(['a', 'button', 'summary', 'label']);
const CLICKABLE_ROLES = new Set(['button', 'link', 'menuitem', 'tab', 'option', 'switch', 'checkbox', 'radio']);

// -- text similarity -------------------------------------------------------------

function normal(text) {
  return stableText(String(text || '')).toLowerCase().replace(/\s+/g, ' ').trim();
}

function bigrams(text) {
  const grams = new Map();
  for (let index = 0; index < text.length - 1; index += 1) {
    const gram = text.slice(index, index + 2);
    grams.set(gram, (grams.get(gram) || 0) + 1);
  }
  return grams;
}

/** 0..1: 1 for the same words (case, spacing, numbers aside); "Save" vs "Save now" ~0.75. */
export function textSimilarity(a, b) {
  const left = normal(a);
  const right = normal(b);
  if (!left || !right) return 0;
  if (left === right) return 1;
  if (left.length < 2 || right.length < 2) return 0;
  const x = bigrams(left);
  const y = bigrams(right);
  let shared = 0;
  for (const [gram, count] of x) shared += Math.min(count, y.get(gram) || 0);
  const dice = (2 * shared) / (left.length - 1 + right.length - 1);
  const contained = left.includes(right) || right.includes(left) ? 0.75 : 0;
  return Math.max(dice, contained);
}

/** Same identifier: 1; a renamed one ("save-btn" -> "save-button") keeps part of it. */
function valueSimilarity(recorded, found) {
  if (found === null || found === undefined) return 0;
  if (recorded === found) return 1;
  return 0.5 * textSimilarity(recorded.replace(/[-_]+/g, ' '), found.replace(/[-_]+/g, ' '));
}

/**
 * A test hook names one element: the same one 1, a renamed one part of it,
 * and another element's hook counts against (a look-alike with its own test id
 * is another element, however alike it looks).
 */
function testHookSimilarity(recorded, found) {
  if (found === null || found === undefined) return 0;
  const similarity = valueSimilarity(recorded, found);
  return similarity >= CONFLICT_BELOW ? similarity : -0.5;
}

function jaccard(a, b) {
  if (!a.length || !b.length) return 0;
  const right = new Set(b);
  const shared = a.filter((item) => right.has(item)).length;
  return shared / (a.length + b.length - shared);
}

// -- one candidate ---------------------------------------------------------------

function tagSimilarity(recorded, element) {
  const tag = tagOf(element);
  if (tag === recorded.tag) return 1;
  const clickable = (name, role) => CLICKABLE_TAGS.has(name) || CLICKABLE_ROLES.has(role);
  return clickable(recorded.tag, recorded.role) && clickable(tag, roleOf(element)) ? 0.6 : 0;
}

/** Similarity of two ancestors (recorded vs found), 0..1. */
function ancestorSimilarity(recorded, found) {
  let total = 1;
  let got = recorded.tag === found.tag ? 1 : 0;
  for (const [name, value] of Object.entries(recorded.attrs || {})) {
    const weight = TEST_ATTRIBUTES.includes(name) ? 3 : 2;
    total += weight;
    got += weight * valueSimilarity(value, (found.attrs || {})[name]);
  }
  if (recorded.role) {
    total += 1;
    got += recorded.role === found.role ? 1 : 0;
  }
  if (recorded.classes) {
    total += 1;
    got += jaccard(recorded.classes, found.classes || []);
  }
  return got / total;
}

/**
 * How well the found ancestors line up with the recorded ones (nearest first),
 * 0..1: an alignment, so a wrapper inserted costs WRAPPER_COST and a wrapper
 * removed only its own share, instead of shifting every level after it.
 */
export function pathSimilarity(recorded, found) {
  const n = recorded.length;
  const m = found.length;
  if (!n) return 0;
  let previous = new Array(m + 1).fill(0);
  for (let i = 1; i <= n; i += 1) {
    const current = new Array(m + 1).fill(0);
    for (let j = 1; j <= m; j += 1) {
      current[j] = Math.max(
        previous[j], // a recorded ancestor is gone
        current[j - 1] - WRAPPER_COST, // a wrapper was inserted
        previous[j - 1] + ancestorSimilarity(recorded[i - 1], found[j - 1]),
      );
    }
    previous = current;
  }
  return Math.max(0, Math.max(...previous)) / n;
}

/** The neighbours' names, through wrappers: an only child's neighbours are its wrapper's. */
function neighbourNames(element) {
  const names = [...siblingNames(element, 6)];
  let node = element;
  for (let level = 0; level < 2 && node.parentElement && node.parentElement.children.length === 1; level += 1) {
    node = node.parentElement;
    names.push(...siblingNames(node, 6));
  }
  return names;
}

function siblingSimilarity(recorded, element) {
  const names = neighbourNames(element);
  if (!names.length) return 0;
  const each = recorded.map((name) => Math.max(...names.map((found) => textSimilarity(name, found))));
  return each.reduce((sum, value) => sum + value, 0) / recorded.length;
}

/** Cheap facts about a candidate, read once. */
function factsOf(element) {
  const raw = quickText(element);
  const text = raw.length > 400 ? '' : raw; // a container's text is not a name
  return { element, text };
}

/**
 * The candidate's score against the recorded description, 0..1.
 * `deep` adds the ancestors and neighbours (a second pass on the best few).
 */
export function scoreCandidate(recorded, facts, deep = true) {
  const { element, text } = facts;
  let total = 0;
  let got = 0;
  const add = (weight, similarity) => {
    total += weight;
    got += weight * similarity;
  };
  for (const [name, value] of Object.entries(recorded.attrs || {})) {
    const found = attributeOf(element, name);
    if (TEST_ATTRIBUTES.includes(name)) add(WEIGHTS.test, testHookSimilarity(value, found));
    else if (WORDING.includes(name)) add(WEIGHTS[name], textSimilarity(value, found || ''));
    else if (name in WEIGHTS) add(WEIGHTS[name], valueSimilarity(value, found));
    else add(WEIGHTS.behaviour, valueSimilarity(value, found));
  }
  add(WEIGHTS.tag, tagSimilarity(recorded, element));
  if (recorded.role) add(WEIGHTS.role, roleOf(element) === recorded.role ? 1 : 0);
  if (recorded.name) add(WEIGHTS.accName, textSimilarity(recorded.name, accessibleName(element, text)));
  if (recorded.label) add(WEIGHTS.label, textSimilarity(recorded.label, labelText(element)));
  if (recorded.text) add(WEIGHTS.text, isFormField(element) ? 0 : textSimilarity(recorded.text, text));
  if (recorded.classes) add(WEIGHTS.classes, jaccard(recorded.classes, stableClasses(element, 20)));
  if (deep && recorded.path) {
    const found = ancestorsOf(element, recorded.path.length + PATH_SLACK).map(describeAncestor);
    add(WEIGHTS.path, pathSimilarity(recorded.path, found));
  }
  if (deep && recorded.siblings) add(WEIGHTS.siblings, siblingSimilarity(recorded.siblings, element));
  return total ? Math.max(0, got / total) : 0;
}

// -- the page --------------------------------------------------------------------

/** Could this element be the recorded one after a redesign? (Cheap: no layout, no text.) */
function plausible(recorded, element, attributeNamesWanted) {
  const tag = tagOf(element);
  if (tag === recorded.tag) return true;
  const role = roleOf(element);
  if (recorded.role && role === recorded.role) return true;
  if ((CLICKABLE_TAGS.has(recorded.tag) || CLICKABLE_ROLES.has(recorded.role)) && (CLICKABLE_TAGS.has(tag) || CLICKABLE_ROLES.has(role))) {
    return true;
  }
  return attributeNamesWanted.some((name) => attributeOf(element, name) !== null);
}

function contains(a, b) {
  return typeof a.contains === 'function' && a.contains(b);
}

/** A short, text-free label of a candidate for reports: tag and its stable hooks. */
export function candidateLabel(element) {
  const attrs = stableAttributes(element, 3);
  const hooks = Object.entries(attrs)
    .filter(([name]) => !['aria-label', 'title', 'placeholder', 'alt'].includes(name))
    .map(([name, value]) => (name === 'id' ? `#${value}` : `[${name}="${value}"]`));
  const classes = stableClasses(element, 2).map((name) => `.${name}`);
  return `${tagOf(element)}${hooks.join('')}${hooks.length ? '' : classes.join('')}`.slice(0, 200);
}

function round(score) {
  return Math.round(score * 1000) / 1000;
}

/**
 * Heals a target whose selectors found nothing usable.
 * @param {object[]} roots the document, its shadow roots and same-origin frames (targets.searchRoots)
 * @param {{describe?: object}} target
 * @param {{isVisible: Function}} env
 * @returns {null | {element: object|null, score: number, candidates: {score: number, label: string}[]}}
 *   null when the target has no descriptions (hand-written): nothing to heal from
 */
export function healTarget(roots, target, env) {
  const recorded = target && target.describe;
  if (!recorded || recorded.v !== 1 || !recorded.tag) return null;
  const wanted = Object.keys(recorded.attrs || {}).filter((name) => !['type', 'role'].includes(name));
  const shallow = [];
  for (const root of roots) {
    for (const element of root.querySelectorAll('*')) {
      if (typeof element.hasAttribute === 'function' && element.hasAttribute('data-waymark')) continue;
      if (!plausible(recorded, element, wanted)) continue;
      const facts = factsOf(element);
      shallow.push({ facts, score: scoreCandidate(recorded, facts, false) });
    }
  }
  // The deep score (ancestors, neighbours) only for the shallow best.
  shallow.sort((a, b) => b.score - a.score);
  const scored = shallow.slice(0, VISIBILITY_CHECKS * 2).map(({ facts }) => ({ element: facts.element, score: scoreCandidate(recorded, facts, true) }));
  scored.sort((a, b) => b.score - a.score);
  const visible = [];
  let checks = 0;
  for (const candidate of scored) {
    if (visible.length > TOP_CANDIDATES || checks >= VISIBILITY_CHECKS) break;
    // An element inside or around one already taken is the same place on the page.
    if (visible.some((taken) => contains(taken.element, candidate.element) || contains(candidate.element, taken.element))) continue;
    checks += 1;
    if (env.isVisible(candidate.element)) visible.push(candidate);
  }
  const [best, second] = visible;
  const candidates = visible.slice(0, TOP_CANDIDATES).map((c) => ({ score: round(c.score), label: candidateLabel(c.element) }));
  const clear = best && best.score >= HEAL_THRESHOLD && (!second || best.score - second.score >= HEAL_MARGIN);
  return { element: clear ? best.element : null, score: best ? round(best.score) : 0, candidates };
}

/**
 * Among several usable matches of a selector, the one the descriptions say is
 * the target. The selector vouches for each of them, so here the recorded
 * features only break the tie: the best-scored one, unless the best are
 * alike (within TIE), where the first stays the answer as it always was (a
 * list of identical rows picked as "the first of several").
 */
export function preferDescribed(usable, target) {
  const [first] = usable;
  // Dozens of usable matches are a list the picker chose "the first of", not a look-alike.
  if (usable.length < 2 || usable.length > MAX_TIE_BREAK || !target.describe || target.describe.v !== 1) return first;
  const scored = usable.map((element) => ({ element, score: scoreCandidate(target.describe, factsOf(element), true) }));
  const best = scored.reduce((top, candidate) => (candidate.score > top.score ? candidate : top));
  return best.score - scored[0].score > TIE ? best.element : first;
}

/** The healed element's fresh target: what adopting it publishes (a selector by the picker's rules). */
export function freshTarget(element) {
  try {
    return buildTarget(element).target;
  } catch {
    return { selector: tagOf(element), describe: describeElement(element) };
  }
}

/** How a findTarget result found its element: selector, fallback or healed. */
export function matchedBy(result, target) {
  if (result.healed) return 'healed';
  return result.selector === target.selector ? 'selector' : 'fallback';
}

/** The step_shown fields saying how the target was found (docs/contract-notes.md "Events"). */
export function matchReport(result, target) {
  const matched = matchedBy(result, target);
  if (matched !== 'healed') return { matched_by: matched };
  return { matched_by: matched, score: result.healed.score, healed_target: freshTarget(result.element) };
}
