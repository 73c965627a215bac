import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildTarget, isStableHref, ownSelectors, targetText } from '../src/content/pick/selector.js';
import { findTarget, searchRoots } from '../src/content/targets.js';
import { env, fakeDocument, frame, h } from './fake-dom.js';

// The selector choice alone: describe.js's descriptions are tested in describe.test.js.
const pick = (doc, element) => buildTarget(element, { topDocument: doc, ...env, describe: false });

/** What the overlay does with a target: the element findTarget resolves each selector to. */
function resolvedBy(doc, target) {
  const selectors = [target.selector, ...(target.fallbacks || [])];
  return selectors.map((selector) => findTarget(doc, { selector, text: target.text }, env).element);
}

function assertResolves(doc, element, target) {
  for (const [index, found] of resolvedBy(doc, target).entries()) {
    assert.equal(found, element, `selector ${index} of ${JSON.stringify(target)} finds another element`);
  }
}

test('a test hook wins, with the text and up to two fallbacks that find the same element', () => {
  const button = h('button', { 'data-testid': 'new-report', id: 'new-report', class: 'btn primary' }, 'New report');
  const doc = fakeDocument(h('main', {}, h('button', { class: 'btn' }, 'Cancel'), button));
  const { target, warnings } = pick(doc, button);
  assert.deepEqual(target, {
    selector: '[data-testid="new-report"]',
    text: 'New report',
    fallbacks: ['#new-report', 'button.primary'],
  });
  assert.deepEqual(warnings, []);
  assertResolves(doc, button, target);
});

test('stable attributes in order: test hooks, id, name, aria-label, role, placeholder, title, href, classes', () => {
  const element = h('a', {
    'data-qa': 'q', id: 'main-link', name: 'n', 'aria-label': 'Go home', role: 'link', placeholder: 'p',
    title: 'Home', href: '/home', class: 'nav-link active',
  });
  assert.deepEqual(ownSelectors(element), [
    '[data-qa="q"]', '#main-link', 'a[name="n"]', 'a[aria-label="Go home"]', '[role="link"][aria-label="Go home"]',
    'a[placeholder="p"]', 'a[title="Home"]', 'a[href="/home"]', 'a.nav-link',
  ]);
});

test('generated ids and hashed classes are never used', () => {
  const button = h('button', { id: ':r3:', class: 'css-1x2y3z Button__root__a1b2c' }, 'Save draft');
  const doc = fakeDocument(h('form', { 'aria-label': 'Draft' }, h('button', {}, 'Preview'), button));
  const { target } = pick(doc, button);
  const written = JSON.stringify(target);
  for (const name of [':r3:', 'r3', 'css-1x2y3z', 'Button__root']) assert.ok(!written.includes(name), written);
  assert.equal(target.text, 'Save draft');
  assertResolves(doc, button, target);
});

test('a form field is named by its name, without text', () => {
  const input = h('input', { id: 'mui-42', name: 'amount', class: 'css-1x2y3z' });
  const doc = fakeDocument(h('form', {}, h('input', { name: 'date' }), input));
  assert.deepEqual(pick(doc, input).target, { selector: 'input[name="amount"]' });
});

test('two identical buttons told apart by their text', () => {
  const approve = h('button', { class: 'btn' }, 'Approve');
  const reject = h('button', { class: 'btn' }, 'Reject');
  const doc = fakeDocument(h('div', { class: 'toolbar' }, approve, reject));
  const { target, warnings } = pick(doc, reject);
  assert.equal(target.selector, 'button.btn');
  assert.equal(target.text, 'Reject');
  assert.deepEqual(warnings, []);
  assertResolves(doc, reject, target);
  assertResolves(doc, approve, pick(doc, approve).target);
});

test('two identical buttons told apart by a stable ancestor', () => {
  const first = h('button', { class: 'row-action' }, 'Archive');
  const second = h('button', { class: 'row-action' }, 'Archive');
  const doc = fakeDocument(
    h('section', { 'data-testid': 'inbox-panel' }, h('h2', {}, 'Inbox'), first),
    h('section', { 'data-testid': 'drafts-panel' }, h('h2', {}, 'Drafts'), second),
  );
  const { target, warnings } = pick(doc, second);
  assert.equal(target.selector, '[data-testid="drafts-panel"] button.row-action');
  assert.deepEqual(warnings, []);
  assertResolves(doc, second, target);
  assert.equal(pick(doc, first).target.selector, '[data-testid="inbox-panel"] button.row-action');
});

test('an element in an open shadow root: the selector is written inside the root, findTarget reaches it', () => {
  const button = h('button', { class: 'approve' }, 'Approve');
  const host = h('acme-card', { 'data-testid': 'card' });
  host.attachShadow(h('div', { class: 'box' }, button));
  const doc = fakeDocument(h('main', {}, host, h('button', { class: 'reject' }, 'Reject')));
  const { target } = pick(doc, button);
  assert.equal(target.selector, 'button.approve');
  assert.ok(!target.selector.includes('card'), 'a selector cannot cross into the shadow root');
  assertResolves(doc, button, target);
});

test('an element in a same-origin frame, with a look-alike in the page before it', () => {
  const inFrame = h('button', { class: 'go' }, 'Go');
  const frameDoc = fakeDocument(h('body', {}, h('div', { 'data-testid': 'upload' }, inFrame)));
  const doc = fakeDocument(h('body', {}, h('button', { class: 'go' }, 'Go'), frame(frameDoc)));
  assert.equal(searchRoots(doc).length, 2);
  const { target } = pick(doc, inFrame);
  assert.equal(target.selector, '[data-testid="upload"] button.go');
  assertResolves(doc, inFrame, target);
});

test('an invisible look-alike before the element does not stop a selector from being unique', () => {
  const hidden = h('button', { 'data-testid': 'save', $hidden: true }, 'Save');
  const shown = h('button', { 'data-testid': 'save' }, 'Save');
  const doc = fakeDocument(h('div', {}, hidden, shown));
  const { target, warnings } = pick(doc, shown);
  assert.equal(target.selector, '[data-testid="save"]');
  assert.deepEqual(warnings, []);
});

test('nothing stable: a positional path from the nearest stable ancestor, with a warning', () => {
  const swatches = [1, 2, 3].map(() => h('span', { class: 'css-9f8e7d' }));
  const doc = fakeDocument(h('ul', { 'data-testid': 'colour-swatches' }, ...swatches.map((swatch) => h('li', {}, swatch))));
  const { target, warnings } = pick(doc, swatches[1]);
  assert.deepEqual(target, { selector: '[data-testid="colour-swatches"] > li:nth-of-type(2) > span' });
  assert.equal(warnings.length, 1);
  assert.match(warnings[0], /^Positional selector/);
  assertResolves(doc, swatches[1], target);
});

test('nothing stable anywhere: the shortest tag path that works', () => {
  const cells = [1, 2].map(() => h('i'));
  const doc = fakeDocument(h('div', {}, h('p', {}, cells[0]), h('p', {}, cells[1])));
  const { target, warnings } = pick(doc, cells[1]);
  assert.equal(target.selector, 'p:nth-of-type(2) > i');
  assert.match(warnings[0], /^Positional/);
  assertResolves(doc, cells[1], target);
});

test('the first of several look-alikes (same selector, same text) is said to depend on order', () => {
  const first = h('button', { class: 'more' }, 'More');
  const doc = fakeDocument(h('div', {}, first, h('button', { class: 'more' }, 'More')));
  const { target, warnings } = pick(doc, first);
  assertResolves(doc, first, target);
  assert.equal(warnings.length, 1);
});

test('the text is collapsed and cut at a word; long content and form fields have none', () => {
  assert.equal(targetText(h('button', {}, '  New\n   report ')), 'New report');
  const long = 'Submit this expense report to your manager for approval before the end of the month';
  const cut = targetText(h('p', {}, long));
  assert.ok(cut.length <= 60 && long.startsWith(cut) && long[cut.length] === ' ', cut);
  assert.equal(targetText(h('p', {}, 'word '.repeat(40))), '');
  assert.equal(targetText(h('textarea', { $value: 'typed' })), '');
  assert.equal(targetText(h('input', { type: 'text', $value: 'typed' })), '');
  assert.equal(targetText(h('input', { type: 'submit', $value: 'Send' })), 'Send');
});

test('attribute values with quotes are quoted so the selector still parses and finds the element', () => {
  const button = h('button', { 'aria-label': 'Say "hi" \\ now' });
  const doc = fakeDocument(h('div', {}, h('button', {}), button));
  const { target } = pick(doc, button);
  assert.equal(target.selector, 'button[aria-label="Say \\"hi\\" \\\\ now"]');
  assertResolves(doc, button, target);
});

test('links by href only when it names a place, not a record, session or script', () => {
  for (const href of ['/reports', 'https://example.com/reports/new', '#/active']) assert.ok(isStableHref(href), href);
  for (const href of ['/reports/48213', '/r/550e8400-e29b-41d4-a716-446655440000', '/x?session=abc', 'javascript:void(0)', '#', '']) {
    assert.equal(isStableHref(href), false, href);
  }
});

test('every element of a busy page gets a target that finds it again, fallbacks included', () => {
  const card = h('acme-card', { id: 'card' });
  card.attachShadow(h('div', {}, h('button', { class: 'approve' }, 'Approve'), h('button', { class: 'approve' }, 'Approve all')));
  const frameDoc = fakeDocument(h('body', {}, h('button', { id: 'attach' }, 'Attach'), h('p', {}, 'No receipt')));
  const doc = fakeDocument(
    h('header', { role: 'banner' }, h('a', { href: '/reports', class: 'nav-link is-active' }, 'Reports'), h('a', { href: '/reports/77' }, 'Report 77')),
    h('main', { id: ':r1:' },
      h('button', { class: 'btn' }, 'Approve'),
      h('ul', { class: 'list' }, h('li', {}, h('span', {}, 'x')), h('li', {}, h('span', {}, 'x')), h('li', {}, h('span', {}, 'y'))),
      h('input', { name: 'q', placeholder: 'Search' }),
      card,
      frame(frameDoc, { title: 'Receipt' })),
  );
  const elements = searchRoots(doc).flatMap((root) => root.querySelectorAll('*'));
  assert.ok(elements.length > 15);
  for (const element of elements) assertResolves(doc, element, pick(doc, element).target);
});
