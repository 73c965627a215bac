import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bodyPlan, plainTextPlan, safeHref, stepBodyPlan } from '../src/content/body.js';

test('only http, https and mailto links survive', () => {
  assert.equal(safeHref('https://a.test/x'), 'https://a.test/x');
  assert.equal(safeHref('mailto:help@a.test'), 'mailto:help@a.test');
  assert.equal(safeHref('javascript:alert(1)'), null);
  assert.equal(safeHref(' JavaScript:alert(1)'), null);
  assert.equal(safeHref('data:text/html,<b>'), null);
  assert.equal(safeHref('/relative'), null);
  assert.equal(safeHref(42), null);
});

test('a link with an unsafe href keeps only its text', () => {
  const plan = bodyPlan([{ tag: 'p', children: ['See ', { tag: 'a', href: 'javascript:x()', children: ['this'] }] }]);
  assert.deepEqual(plan, [{ tag: 'p', children: ['See ', 'this'] }]);
});

test('allowed tags are kept, unknown tags are unwrapped, attributes are dropped', () => {
  const plan = bodyPlan([
    { tag: 'p', children: ['Click ', { tag: 'strong', children: ['New'] }, { tag: 'br', children: ['x'] }] },
    { tag: 'script', children: ['alert(1)'] },
    { tag: 'img', src: 'x', onerror: 'alert(1)', children: [] },
    { tag: 'a', href: 'https://a.test', onclick: 'x', children: ['docs'] },
    null,
    7,
  ]);
  assert.deepEqual(plan, [
    { tag: 'p', children: ['Click ', { tag: 'strong', children: ['New'] }, { tag: 'br', children: [] }] },
    'alert(1)',
    { tag: 'a', href: 'https://a.test/', children: ['docs'] },
  ]);
});

test('plain bodies become paragraphs of text, never markup', () => {
  assert.deepEqual(plainTextPlan('One <b>x</b>\n\nTwo'), [
    { tag: 'p', children: ['One <b>x</b>'] },
    { tag: 'p', children: ['Two'] },
  ]);
  assert.deepEqual(stepBodyPlan({}), []);
  assert.deepEqual(stepBodyPlan({ body: 'x', body_nodes: ['y'] }), ['y']);
});

test('deep nesting is cut off instead of recursing forever', () => {
  let node = 'leaf';
  for (let i = 0; i < 100; i += 1) node = { tag: 'em', children: [node] };
  const plan = bodyPlan([node]);
  let depth = 0;
  for (let n = plan[0]; n && n.children; n = n.children[0]) depth += 1;
  assert.ok(depth <= 17);
});
