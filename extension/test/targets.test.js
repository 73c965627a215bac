import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findTarget, searchRoots, selectorsOf, textMatches } from '../src/content/targets.js';

// A tiny fake of the DOM: a root answers querySelectorAll from a table of
// selector -> elements; '*' lists its elements (for shadow hosts and frames).
function fakeRoot(table, all = Object.values(table).flat()) {
  return {
    querySelectorAll(selector) {
      if (selector === '*') return all;
      if (selector.startsWith('!')) throw new SyntaxError('bad selector');
      return table[selector] || [];
    },
  };
}
const el = (name, { visible = true, text = '', ...rest } = {}) => ({ name, visible, text, tagName: 'DIV', ...rest });
const env = { isVisible: (e) => e.visible, visibleText: (e) => e.text };

test('selectors are tried in order: selector, then fallbacks', () => {
  assert.deepEqual(selectorsOf({ selector: '#a', fallbacks: ['#b', '', '#c'] }), ['#a', '#b', '#c']);
  assert.deepEqual(selectorsOf(undefined), []);
});

test('the first selector with a usable element wins, with per-selector counts', () => {
  const b = el('b');
  const root = fakeRoot({ '#a': [], '#b': [b], '#c': [el('c')] });
  const result = findTarget(root, { selector: '#a', fallbacks: ['#b', '#c'] }, env);
  assert.equal(result.element, b);
  assert.equal(result.selector, '#b');
  assert.deepEqual(result.selectors, [
    { selector: '#a', matches: 0 },
    { selector: '#b', matches: 1 },
  ]);
});

test('invisible elements are skipped; the text filter ignores case and spacing', () => {
  const hidden = el('hidden', { visible: false, text: 'New report' });
  const other = el('other', { text: 'Delete' });
  const right = el('right', { text: '  NEW\n report ' });
  const root = fakeRoot({ button: [hidden, other, right] });
  assert.equal(findTarget(root, { selector: 'button', text: 'New report' }, env).element, right);
  assert.equal(textMatches('Save draft', 'save'), true);
  assert.equal(textMatches('Save', ''), true);
});

test('nothing usable: element null and every selector reported, invalid ones as 0', () => {
  const root = fakeRoot({ '.x': [el('x', { visible: false })] });
  const result = findTarget(root, { selector: '.x', fallbacks: ['!bad', '.y'] }, env);
  assert.equal(result.element, null);
  assert.deepEqual(result.selectors, [
    { selector: '.x', matches: 1 },
    { selector: '!bad', matches: 0 },
    { selector: '.y', matches: 0 },
  ]);
});

test('open shadow roots and same-origin frames are searched, the document first', () => {
  const inShadow = el('in-shadow');
  const inFrame = el('in-frame');
  const shadow = fakeRoot({ '.t': [inShadow] });
  const frameDoc = fakeRoot({ '.t': [inFrame] });
  const host = el('host', { shadowRoot: shadow });
  const frame = el('frame', { tagName: 'IFRAME', contentDocument: frameDoc });
  const crossOrigin = { tagName: 'IFRAME', get contentDocument() { throw new Error('cross-origin'); } };
  const own = { tagName: 'DIV', hasAttribute: (a) => a === 'data-waymark', shadowRoot: fakeRoot({ '.t': [el('ours')] }) };
  const doc = fakeRoot({}, [host, frame, crossOrigin, own]);
  assert.deepEqual(searchRoots(doc), [doc, shadow, frameDoc]);
  const result = findTarget(doc, { selector: '.t' }, env);
  assert.equal(result.element, inShadow);
  assert.deepEqual(result.selectors, [{ selector: '.t', matches: 2 }]);
  const onlyFrame = findTarget(doc, { selector: '.t', text: 'x' }, { ...env, visibleText: (e) => (e === inFrame ? 'x' : '') });
  assert.equal(onlyFrame.element, inFrame);
});

test('closed shadow roots of custom elements are searched through chrome.dom, other elements are not asked', () => {
  const inClosed = el('in-closed');
  const closed = fakeRoot({ '.t': [inClosed] });
  const custom = el('custom', { localName: 'acme-pay' });
  const plain = el('plain', { localName: 'div' });
  const asked = [];
  globalThis.chrome = { dom: { openOrClosedShadowRoot: (element) => (asked.push(element), element === custom ? closed : null) } };
  try {
    const doc = fakeRoot({}, [plain, custom]);
    assert.deepEqual(searchRoots(doc), [doc, closed]);
    assert.deepEqual(asked, [custom]);
    assert.equal(findTarget(doc, { selector: '.t' }, env).element, inClosed);
  } finally {
    delete globalThis.chrome;
  }
});

test('a click is matched along its composed path against the target description, not the element found', async () => {
  const { matchesTarget, targetInPath } = await import('../src/content/targets.js');
  const element = (classes, text = '') => ({
    nodeType: 1,
    text,
    matches: (selector) => {
      if (selector.startsWith('!')) throw new SyntaxError('bad selector');
      return classes.includes(selector);
    },
  });
  const env = { visibleText: (e) => e.text };
  const found = element(['button.approve'], 'Approve'); // replaced by the page since
  const replacement = element(['button.approve'], 'Approve');
  const row = element(['tr']);
  const target = { selector: '!bad', fallbacks: ['button.approve'], text: 'approve' };
  assert.equal(matchesTarget(replacement, target, env), true);
  assert.equal(matchesTarget(element(['button.approve'], 'Reject'), target, env), false, 'the text filter applies');
  assert.equal(matchesTarget(row, target, env), false);
  assert.equal(matchesTarget({ nodeType: 3 }, target, env), false);
  const click = (path) => ({ composedPath: () => path });
  const inner = { nodeType: 1, text: 'Approve', matches: () => false }; // a span inside the button
  assert.equal(targetInPath(click([inner, replacement, row]), { selector: 'button.approve' }, found), replacement);
  assert.equal(targetInPath(click([row]), { selector: 'button.approve' }, found), null);
  assert.equal(targetInPath(click([found, row]), { selector: '#gone' }, found), found, 'the element found still counts');
});
