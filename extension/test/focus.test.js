import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ARRIVAL, mayTakeFocus } from '../src/content/focus.js';

const body = { name: 'body' };
const doc = { body, documentElement: { name: 'html' } };
const select = { name: 'fx-select trigger' };
const modal = { name: 'the modal' };
const state = (over) => ({ arrival: ARRIVAL.page, focused: select, doc, modal: null, newModal: false, inTooltip: false, ...over });

test('a step that arrives from the page while a control has focus does not take it', () => {
  assert.equal(mayTakeFocus(state()), false);
  assert.equal(mayTakeFocus(state({ modal, focused: select })), false, 'a control inside the modal the step lives in');
});

test('the tooltip used, a navigation, or focus in the tooltip: the step takes focus', () => {
  assert.equal(mayTakeFocus(state({ arrival: ARRIVAL.tooltip })), true);
  assert.equal(mayTakeFocus(state({ arrival: ARRIVAL.navigation })), true);
  assert.equal(mayTakeFocus(state({ inTooltip: true })), true);
});

test('nothing focused, only the body, or only the modal container: the step takes focus', () => {
  assert.equal(mayTakeFocus(state({ focused: null })), true);
  assert.equal(mayTakeFocus(state({ focused: body })), true);
  assert.equal(mayTakeFocus(state({ focused: modal, modal })), true);
});

test('a step in a modal opened since the previous step takes focus (after the modal settled)', () => {
  assert.equal(mayTakeFocus(state({ modal, newModal: true, focused: select })), true);
});
