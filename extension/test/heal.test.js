import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeElement } from '../src/content/pick/describe.js';
import { HEAL_MARGIN, HEAL_THRESHOLD, healTarget, matchedBy, pathSimilarity, textSimilarity } from '../src/content/heal.js';
import { findTarget, searchRoots } from '../src/content/targets.js';
import { env, fakeDocument, h } from './fake-dom.js';

function page(save) {
  return fakeDocument(h('main', {}, h('form', { 'aria-label': 'Expense' },
    h('div', { class: 'actions' }, h('button', { type: 'button', class: 'btn' }, 'Cancel'), save))));
}

test('text similarity: equal words 1, a slight rewording high, another word low', () => {
  assert.equal(textSimilarity('New  Report', 'new report'), 1);
  assert.equal(textSimilarity('Inbox 3', 'Inbox 4'), 1, 'numbers are not part of a name');
  assert.ok(textSimilarity('Save', 'Save now') >= 0.75);
  assert.ok(textSimilarity('Submit report', 'Submit the report') > 0.8);
  assert.ok(textSimilarity('Save', 'Delete') < 0.2);
  assert.equal(textSimilarity('', 'x'), 0);
});

test('the ancestor chain is aligned: an inserted or removed wrapper costs little', () => {
  const recorded = [{ tag: 'div', classes: ['actions'] }, { tag: 'form', attrs: { 'aria-label': 'Expense' } }, { tag: 'main' }];
  assert.equal(pathSimilarity(recorded, recorded), 1);
  const inserted = [{ tag: 'span' }, ...recorded];
  assert.ok(pathSimilarity(recorded, inserted) > 0.9, 'one wrapper inserted next to the element');
  const removed = [recorded[1], recorded[2]];
  assert.ok(pathSimilarity(recorded, removed) >= 0.66);
  const elsewhere = [{ tag: 'aside', attrs: { 'aria-label': 'Help' } }, { tag: 'section' }];
  assert.ok(pathSimilarity(recorded, elsewhere) < 0.3);
});

test('a renamed element is healed by its descriptions when the selector finds nothing', () => {
  const original = h('button', { 'data-action': 'save', class: 'btn primary', type: 'submit' }, 'Save report');
  const described = describeElement(original);
  page(original);
  const redesigned = h('button', { 'data-action': 'save', class: 'Button_x7Kq9', type: 'submit' }, h('svg', {}), 'Save report');
  const doc = page(redesigned);
  const target = { selector: 'button.primary', text: 'Save report', describe: described };
  const result = findTarget(doc, target, env);
  assert.equal(result.element, redesigned);
  assert.ok(result.healed.score >= HEAL_THRESHOLD, result.healed.score);
  assert.equal(matchedBy(result, target), 'healed');
  assert.equal(matchedBy({ selector: 'button.primary' }, target), 'selector');
  assert.equal(matchedBy({ selector: '#other' }, target), 'fallback');
});

test('two look-alikes: the target stays missing, with both candidates and their scores', () => {
  const original = h('button', { class: 'btn primary' }, 'Save');
  const described = describeElement(original);
  page(original);
  const twin = () => h('button', { class: 'btn' }, 'Save');
  const doc = fakeDocument(h('main', {}, h('form', { 'aria-label': 'Expense' }, h('div', { class: 'actions' }, twin(), twin()))));
  const result = findTarget(doc, { selector: 'button.primary', describe: described }, env);
  assert.equal(result.element, null);
  assert.equal(result.candidates.length, 2);
  assert.ok(Math.abs(result.candidates[0].score - result.candidates[1].score) < HEAL_MARGIN);
  assert.equal(result.candidates[0].label, 'button.btn');
});

test('a hand-written target without descriptions is resolved exactly as before', () => {
  const doc = page(h('button', { class: 'btn' }, 'Save'));
  const result = findTarget(doc, { selector: 'button.primary' }, env);
  assert.deepEqual(result, { element: null, selector: null, selectors: [{ selector: 'button.primary', matches: 0 }] });
  assert.equal(healTarget(searchRoots(doc), { selector: 'x' }, env), null);
});

test('nothing like the element on the page: missing, with the low scores', () => {
  const original = h('button', { 'data-testid': 'save', 'aria-label': 'Save report' }, 'Save');
  const described = describeElement(original);
  page(original);
  const doc = fakeDocument(h('nav', {}, h('a', { href: '/help' }, 'Help')));
  const result = findTarget(doc, { selector: '[data-testid="save"]', describe: described }, env);
  assert.equal(result.element, null);
  assert.ok(result.candidates.every((candidate) => candidate.score < HEAL_THRESHOLD));
});
