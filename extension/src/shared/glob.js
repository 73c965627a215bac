// URL globs as docs/contract-notes.md defines them: `*` matches any run of
// characters (including `/`, `?` and `#`), every other character is literal,
// and the glob must match the whole URL. Done without RegExp so an author's
// glob can never become a pathological pattern.

/**
 * @param {string} glob
 * @param {string} text
 * @returns {boolean}
 */
export function globMatch(glob, text) {
  if (typeof glob !== 'string' || typeof text !== 'string') return false;
  const parts = glob.split('*');
  if (parts.length === 1) return glob === text;
  const first = parts[0];
  const last = parts[parts.length - 1];
  if (!text.startsWith(first)) return false;
  if (text.length < first.length + last.length) return false;
  if (!text.endsWith(last)) return false;
  // The middle pieces must appear in order between the fixed head and tail;
  // taking the leftmost occurrence of each is always safe with a bare `*`.
  let cursor = first.length;
  const tailStart = text.length - last.length;
  for (const piece of parts.slice(1, -1)) {
    const found = text.indexOf(piece, cursor);
    if (found === -1 || found + piece.length > tailStart) return false;
    cursor = found + piece.length;
  }
  return true;
}

/** True when any glob in the list matches. */
export function anyGlobMatches(globs, text) {
  return Array.isArray(globs) && globs.some((glob) => globMatch(glob, text));
}
