import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inputSatisfies, urlSatisfies } from '../src/content/advance.js';

test('input: the value must match the pattern', () => {
  const amount = '^[0-9]+([.,][0-9]{1,2})?$';
  assert.equal(inputSatisfies(amount, '12.50'), true);
  assert.equal(inputSatisfies(amount, '12.5x'), false);
  assert.equal(inputSatisfies(amount, ''), false);
});

test('input without a usable pattern: any non-empty value', () => {
  assert.equal(inputSatisfies(undefined, 'a'), true);
  assert.equal(inputSatisfies('', '  '), false);
  assert.equal(inputSatisfies('([', 'x'), true, 'an invalid pattern falls back');
});

test('url: the glob sees the fragment', () => {
  assert.equal(urlSatisfies({ on: 'url', url: '*#/active' }, 'https://a.test/list#/active'), true);
  assert.equal(urlSatisfies({ on: 'url', url: '*#/active' }, 'https://a.test/list'), false);
  assert.equal(urlSatisfies({ on: 'click' }, 'https://a.test/'), false);
});

test('events are heard on the target\'s shadow root (open or closed), else on its document', async () => {
  const { listeningScope } = await import('../src/content/advance.js');
  const doc = { nodeType: 9 };
  const shadow = { nodeType: 11, host: {} };
  const inShadow = { ownerDocument: doc, getRootNode: () => shadow };
  const inDocument = { ownerDocument: doc, getRootNode: () => doc };
  assert.equal(listeningScope(inShadow), shadow);
  assert.equal(listeningScope(inDocument), doc);
  assert.equal(listeningScope({ ownerDocument: doc }), doc);
});

test('input: a form field\'s value, or a contenteditable element\'s text', async () => {
  const { typedValue } = await import('../src/content/advance.js');
  assert.equal(typedValue({ value: '12.50' }), '12.50');
  assert.equal(typedValue({ isContentEditable: true, innerText: 'Hello team' }), 'Hello team');
  assert.equal(typedValue({ isContentEditable: true, textContent: 'no layout' }), 'no layout');
  assert.equal(typedValue({ isContentEditable: false, innerText: 'label' }), '');
  assert.ok(inputSatisfies('^Hello', typedValue({ isContentEditable: true, innerText: 'Hello team' })));
});
