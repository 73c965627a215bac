// Names (ids, class names, attribute values) that a framework or a build made
// up and that change between builds or page loads. A target built on one
// breaks with the next release of the page, so the picker never uses them.
//
// FRAMEWORK mirrors GENERATED in backend/waymark/selectors.py, pattern for
// pattern, so the picker avoids exactly what `waymark guides validate` warns
// about; tests/fixtures/generated_identifiers.json holds the cases both sides
// are tested against. (Python's \d also matches non-ASCII digits; ids with
// those are not worth a difference.) RANDOM goes further than the backend:
// tokens that only look random (hex hashes, uuids, long numbers, digit/letter
// soup) are too risky to pick even though no known framework is named.

const FRAMEWORK = [
  ["React's useId", /:[rR][0-9a-zA-Z]*:/],
  ['Ember', /^ember\d+$/],
  ['JSF', /(^|:)j_id/],
  ['Ext JS', /^ext-(gen|comp|element)-?\d+/],
  ["a component library's counter", /^(mat|cdk|mui|react-select|headlessui|radix|downshift|gwt-uid|yui|rc-[a-z]+)[-_].*\d+/],
  [
    'CSS-in-JS (emotion, styled-components, JSS)',
    /^(css|jss|emotion)-[a-z0-9]*\d[a-z0-9]*(-|$)|^sc-(?=[a-z0-9]*[A-Z])[a-zA-Z0-9]{5,}$|^jss\d+$|^makeStyles-.+-\d+$/,
  ],
  ['CSS modules', /__[A-Za-z0-9-]*\d[A-Za-z0-9-]*$/],
];

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;
const SEGMENT_SEPARATORS = /[-_:.\/]+/;

/** How often a word switches between digits, lower case and upper case letters. */
function classSwitches(word) {
  const kind = (char) => (/[0-9]/.test(char) ? 'd' : /[a-z]/.test(char) ? 'l' : /[A-Z]/.test(char) ? 'u' : 'o');
  let switches = 0;
  for (let index = 1; index < word.length; index += 1) {
    if (kind(word[index]) !== kind(word[index - 1])) switches += 1;
  }
  return switches;
}

/** One dash/underscore-separated part of a name that reads as a hash or a record number. */
function randomLookingSegment(segment) {
  const digits = (segment.match(/[0-9]/g) || []).length;
  if (/^[0-9]{5,}$/.test(segment)) return true; // a record id or a timestamp
  if (/^[0-9a-f]{8,}$/i.test(segment) && digits > 0) return true; // a hex hash
  // "x7Kq9ZpL2", "1xk2abc": letters and digits shuffled together. Words with
  // one number in them ("section2Title", "mp3player", "h264") stay readable.
  return segment.length >= 5 && digits >= 2 && /[a-z]/i.test(segment) && classSwitches(segment) >= 3;
}

/** What made `name` up (a short phrase), or null when it reads as written by a person. */
export function generatedBy(name) {
  const text = String(name || '');
  if (!text) return null;
  for (const [maker, pattern] of FRAMEWORK) {
    if (pattern.test(text)) return maker;
  }
  if (UUID.test(text)) return 'a uuid';
  if (text.split(SEGMENT_SEPARATORS).some(randomLookingSegment)) return 'a hash or counter (random-looking)';
  return null;
}

export function looksGenerated(name) {
  return generatedBy(name) !== null;
}

// Classes that say what state an element is in, not what it is: they come and
// go as the employee hovers, opens or selects, so a target built on one finds
// nothing a moment later.
const STATE_WORDS =
  'active|selected|open|opened|closed|hover|hovered|focus|focused|focus-visible|focus-within|disabled|enabled|' +
  'checked|unchecked|expanded|collapsed|visible|hidden|show|shown|current|loading|loaded|pressed|highlighted|' +
  'dragging|dirty|pristine|touched|untouched|valid|invalid|error|pending';
const STATE_CLASS = new RegExp(`^(is|has)-|^ng-|(^|[-_])(${STATE_WORDS})$`, 'i');

export function isStateClass(name) {
  return STATE_CLASS.test(String(name || ''));
}

/** A class name a person wrote to say what the element is (usable in a selector). */
export function isStableClass(name) {
  // Tailwind variants and arbitrary values (hover:bg-x, w-[12px], w-1/2) are styling, not meaning.
  return Boolean(name) && !/[:[\]/@!]/.test(name) && !looksGenerated(name) && !isStateClass(name);
}
