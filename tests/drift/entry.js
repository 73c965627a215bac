// The page side of the drift corpus (tests/drift/corpus.py), bundled by
// esbuild into one script and added to each fixture page: the extension's own
// picker (buildTarget) and resolution (findTarget, with and without the
// descriptions healing reads), nothing else.
import { matchedBy, scoreCandidate } from '../../extension/src/content/heal.js';
import { buildTarget } from '../../extension/src/content/pick/selector.js';
import { findTarget, isVisible, searchRoots } from '../../extension/src/content/targets.js';

function find(selector) {
  for (const root of searchRoots(document)) {
    const element = root.querySelector(selector);
    if (element) return element;
  }
  return null;
}

/**
 * Where the selectors failed: the healing score of the right element and of the
 * best other visible element, so that the threshold and the margin are measured.
 */
function diagnose(target, name) {
  const others = [];
  let right = null;
  let rightElement = null;
  for (const root of searchRoots(document)) {
    for (const element of root.querySelectorAll('*')) {
      const text = element.textContent.length > 400 ? '' : element.textContent;
      const score = scoreCandidate(target.describe, { element, text }, true);
      if (element.__driftId === name) [right, rightElement] = [score, element];
      else others.push([element, score]);
    }
  }
  let other = 0;
  for (const [element, score] of others) {
    // Inside or around the right element is the same place on the page (heal.js skips those too).
    const samePlace = rightElement && (rightElement.contains(element) || element.contains(rightElement));
    if (score > other && !samePlace && isVisible(element)) other = score;
  }
  return { right, other };
}

function verdict(result, name) {
  if (!result.element) return 'missing';
  return result.element.__driftId === name ? 'right' : 'wrong';
}

/** Today's target: what the picker gave before descriptions (and healing) existed. */
function withoutDescriptions(target) {
  const { describe, ...rest } = target;
  return rest;
}

window.waymarkDrift = {
  searchRoots,
  find,
  findTarget,
  /** Pick each [name, ground-truth selector] with the real picker; marks the element with __driftId. */
  pick(specs) {
    const picked = {};
    for (const [name, selector] of specs) {
      const element = find(selector);
      if (!element) throw new Error(`drift corpus: ${selector} matches nothing on ${location.pathname}`);
      element.__driftId = name;
      picked[name] = buildTarget(element).target;
    }
    return picked;
  },
  /** Resolve every target now: today's matching and the new one, each right / wrong / missing. */
  resolve(targets) {
    const out = {};
    for (const [name, target] of Object.entries(targets)) {
      const today = findTarget(document, withoutDescriptions(target));
      const started = performance.now();
      const now = findTarget(document, target);
      out[name] = {
        old: verdict(today, name), new: verdict(now, name), ms: performance.now() - started,
        matched_by: now.element ? matchedBy(now, target) : null,
        score: now.healed ? now.healed.score : null, candidates: now.candidates || null,
        diagnosis: now.healed || now.candidates ? diagnose(target, name) : null,
      };
    }
    return out;
  },
};
