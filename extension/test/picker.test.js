import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startPicker, storePick } from '../src/background/picker.js';
import { deepestAt, pickable } from '../src/content/pick/pointer.js';
import { buildTarget } from '../src/content/pick/selector.js';
import { installFakeChrome } from './fake-chrome.js';
import { env, fakeDocument, h } from './fake-dom.js';

test('the worker keeps the last pick, stamped, and refuses one without a selector', async () => {
  const { local } = installFakeChrome();
  const target = { selector: '[data-testid="x"]', text: 'X' };
  assert.deepEqual(await storePick({ target, warnings: ['w'], url: 'https://a.example/p' }), { stored: true });
  const stored = local.get('waymark.lastPick');
  assert.deepEqual(stored.target, target);
  assert.deepEqual(stored.warnings, ['w']);
  assert.equal(stored.url, 'https://a.example/p');
  assert.ok(!Number.isNaN(Date.parse(stored.picked_at)));
  assert.ok((await storePick({ target: { selector: '' } })).error);
  assert.deepEqual(local.get('waymark.lastPick').target, target, 'a refused pick leaves the last one');
});

test('the picker is injected into the top frame only; a page that cannot be scripted says so', async () => {
  const { chrome } = installFakeChrome();
  const calls = [];
  chrome.scripting = {
    executeScript: async (details) => {
      calls.push(details);
      if (details.target.tabId === 2) throw new Error('Cannot access a chrome:// URL');
    },
  };
  assert.deepEqual(await startPicker(1), { started: true });
  assert.deepEqual(calls[0], { target: { tabId: 1, frameIds: [0] }, files: ['picker.js'] });
  assert.deepEqual(await startPicker(2), { started: false, error: 'Cannot access a chrome:// URL' });
});

test('the pointer reaches into a shadow root the event path stops at, and not past its host', () => {
  const inner = { localName: 'button' };
  const root = { elementFromPoint: (x) => (x < 100 ? inner : outside) };
  const outside = { localName: 'body', getRootNode: () => 'document' };
  inner.getRootNode = () => root;
  const host = { localName: 'acme-pay', shadowRoot: root };
  assert.equal(deepestAt(host, 10, 10), inner);
  assert.equal(deepestAt(host, 500, 0), host, 'a point outside the host (a keyboard click) stays on the host');
});

test('a pick on the icon or label inside a button is a pick of the button; a far container is not', () => {
  const path = { localName: 'path', namespaceURI: 'http://www.w3.org/2000/svg' };
  const svg = { localName: 'svg', namespaceURI: 'http://www.w3.org/2000/svg' };
  const label = { localName: 'span', namespaceURI: 'http://www.w3.org/1999/xhtml' };
  const button = { localName: 'button', namespaceURI: 'http://www.w3.org/1999/xhtml', parentElement: null };
  path.parentElement = svg;
  svg.parentElement = button;
  label.parentElement = button;
  const closest = function closest() {
    for (let node = this; node; node = node.parentElement) if (node.localName === 'button') return node;
    return null;
  };
  for (const node of [path, svg, label, button]) node.closest = closest;
  assert.equal(pickable(path), button);
  assert.equal(pickable(label), button);
  let deep = label;
  for (let level = 0; level < 5; level += 1) deep = { localName: 'div', parentElement: deep, closest };
  assert.equal(pickable(deep), deep);
});

test('fallbacks that only narrow a chosen selector are skipped: they break together', () => {
  const button = h('button', { 'data-testid': 'go', class: 'btn primary' }, 'Go');
  const doc = fakeDocument(h('div', { class: 'bar' }, h('button', { class: 'btn' }, 'Stop'), button));
  const { target } = buildTarget(button, { topDocument: doc, ...env, describe: false });
  assert.deepEqual(target, { selector: '[data-testid="go"]', text: 'Go', fallbacks: ['button.primary', 'button.btn'] });
});
