import assert from 'node:assert/strict';
import { test } from 'node:test';
import { observeDeep, recheckLateRoots, searchRoots } from '../src/content/roots.js';

// The tracker's bookkeeping with a fake MutationObserver: the test hands it
// the records a browser would. Hidden tab: slices run on timers.
let observerCallback = null;
globalThis.MutationObserver = class {
  constructor(callback) {
    observerCallback = callback;
  }
  observe() {}
  disconnect() {}
};
const nextSlice = () => new Promise((resolve) => setTimeout(resolve, 40));

function fakeRoot(elements = []) {
  return {
    nodeType: 11,
    isConnected: true,
    all: elements,
    querySelectorAll(selector) {
      assert.equal(selector, '*');
      return this.all;
    },
    addEventListener() {},
    removeEventListener() {},
  };
}
const element = (localName, extra = {}) => ({ nodeType: 1, localName, tagName: localName.toUpperCase(), isConnected: true, shadowRoot: null, ...extra, querySelectorAll: () => [] });

test('roots are tracked from added and removed nodes, and late shadow roots are found', async () => {
  const doc = { ...fakeRoot(), nodeType: 9, visibilityState: 'hidden', documentElement: {} };
  const changes = [];
  const stop = observeDeep(doc, () => changes.push('change'));
  assert.deepEqual(searchRoots(doc), [doc]);

  const shadow = fakeRoot();
  const host = element('div', { shadowRoot: shadow });
  const late = element('fx-late');
  observerCallback([{ type: 'childList', addedNodes: [host, late], removedNodes: [] }]);
  await nextSlice();
  assert.deepEqual(searchRoots(doc), [doc, shadow], 'the added host is scanned, not the whole page');
  assert.ok(changes.length >= 1, 'watchers are told');

  const lateRoot = fakeRoot();
  late.shadowRoot = lateRoot; // attached later: no mutation says so
  assert.equal(recheckLateRoots(doc), true);
  assert.deepEqual(searchRoots(doc), [doc, shadow, lateRoot]);
  assert.equal(recheckLateRoots(doc), false, 'found once');

  host.isConnected = false;
  const removed = [];
  const stopDetach = observeDeep(doc, () => {}, { onRemoved: () => removed.push('now') });
  observerCallback([{ type: 'childList', addedNodes: [], removedNodes: [host] }]);
  assert.deepEqual(removed, ['now'], 'removals are told in the observer callback itself');
  assert.deepEqual(searchRoots(doc), [doc, lateRoot], 'the removed host\'s root is dropped');
  stopDetach();
  stop();
  // Nobody watches any more: a search walks the page itself.
  doc.all = [host, late];
  host.isConnected = true;
  assert.deepEqual(searchRoots(doc), [doc, shadow, lateRoot]);
});
