import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeElement, isBehaviourAttribute, stableText } from '../src/content/pick/describe.js';
import { buildTarget, targetText } from '../src/content/pick/selector.js';
import { env, fakeDocument, h } from './fake-dom.js';

test('stable text keeps no count, number, date, time or amount', () => {
  assert.equal(stableText('Layout Options 6'), 'Layout Options');
  assert.equal(stableText('15'), '');
  assert.equal(stableText('Inbox (3)'), 'Inbox');
  assert.equal(stableText('Due 12/03/2026 Submit expenses'), 'Submit expenses');
  assert.equal(stableText('Total $12.50'), 'Total');
  assert.equal(stableText('Meeting at 10:30 with the team'), 'with the team');
  assert.equal(stableText('New report'), 'New report');
  assert.equal(stableText('Résumé à jour'), 'Résumé à jour');
});

test('the picked text is stable too, and still a substring of what the element shows', () => {
  const badge = h('a', { class: 'nav-link', 'data-bs-toggle': 'dropdown' }, h('i', { class: 'bi bi-bell' }), h('span', { class: 'badge' }, '15'));
  const menu = h('a', { href: '/layout' }, 'Layout Options', h('span', { class: 'badge' }, '6'));
  assert.equal(targetText(badge), '');
  assert.equal(targetText(menu), 'Layout Options');
  assert.ok(menu.innerText.includes(targetText(menu)));
});

test('behaviour attributes are data-* names of what an element does, not content', () => {
  assert.ok(isBehaviourAttribute('data-widget', 'pushmenu'));
  assert.ok(isBehaviourAttribute('data-bs-toggle', 'dropdown'));
  assert.ok(isBehaviourAttribute('data-lte-toggle', ''));
  assert.ok(!isBehaviourAttribute('data-id', 'x'));
  assert.ok(!isBehaviourAttribute('data-count', '15'));
  assert.ok(!isBehaviourAttribute('data-row', 'a'));
  assert.ok(!isBehaviourAttribute('data-user', '12345'));
  assert.ok(!isBehaviourAttribute('data-testid', 'save'), 'test ids are recorded as test ids');
  assert.ok(!isBehaviourAttribute('data-title', 'two words'));
});

test('a distinctive attribute beats a position', () => {
  const search = h('a', { class: 'nav-link', 'data-widget': 'navbar-search', href: '#', role: 'button' }, h('i', { class: 'fas fa-search' }));
  const full = h('a', { class: 'nav-link', 'data-widget': 'fullscreen', href: '#', role: 'button' }, h('i', { class: 'fas fa-expand' }));
  const doc = fakeDocument(h('nav', {}, h('ul', { class: 'navbar-nav ms-auto' }, h('li', { class: 'nav-item' }, search), h('li', { class: 'nav-item' }, full))));
  const { target, warnings } = buildTarget(search, { topDocument: doc, ...env });
  assert.equal(target.selector, 'a[data-widget="navbar-search"]');
  assert.deepEqual(warnings, []);
});

test('describe records independent descriptions, without volatile or generated parts', () => {
  const save = h('button', { 'data-testid': 'save', class: 'btn btn-primary css-1x2y3z4 is-active', type: 'submit', 'aria-label': 'Save report', 'data-action': 'save', id: ':r3:' }, 'Save', h('span', { class: 'count' }, '3'));
  const form = h('form', { 'aria-label': 'Expense', class: 'expense-form' },
    h('div', { class: 'actions' }, h('button', { type: 'button' }, 'Cancel'), save));
  fakeDocument(h('main', {}, form));
  assert.deepEqual(describeElement(save), {
    v: 1, tag: 'button',
    attrs: { 'data-testid': 'save', type: 'submit', 'aria-label': 'Save report', 'data-action': 'save' },
    role: 'button', name: 'Save report', text: 'Save', classes: ['btn', 'btn-primary'],
    path: [{ tag: 'div', classes: ['actions'] }, { tag: 'form', attrs: { 'aria-label': 'Expense' }, classes: ['expense-form'] },
      { tag: 'main' }],
    siblings: ['Cancel'],
  });
});

test('a form field is described by its label and name, never by what was typed', () => {
  const amount = h('input', { name: 'amount', id: 'amount', type: 'text', $value: '12.50' });
  const label = h('label', { for: 'amount' }, 'Amount');
  const doc = fakeDocument(h('form', {}, label, amount));
  amount.getRootNode = () => doc;
  const described = describeElement(amount);
  assert.equal(described.label, 'Amount');
  assert.equal(described.name, 'Amount');
  assert.equal(described.text, undefined);
  assert.deepEqual(described.attrs, { id: 'amount', name: 'amount', type: 'text' });
  assert.equal(described.role, 'textbox');
});
