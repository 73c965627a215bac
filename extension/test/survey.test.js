// The survey's answer buttons (content/survey.js): pure, no DOM.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { answerOptions, MAX_TEXT } from '../src/content/survey.js';

test('a scale gives one button per value, named by its number', () => {
  assert.deepEqual(answerOptions({ scale: { min: 1, max: 5 } }).map((o) => [o.label, o.answer]), [
    ['1', { value: 1 }], ['2', { value: 2 }], ['3', { value: 3 }], ['4', { value: 4 }], ['5', { value: 5 }],
  ]);
  assert.equal(answerOptions({ scale: { min: 0, max: 10 } }).length, 11, 'NPS');
});

test('choices give one button per label, answered by index', () => {
  assert.deepEqual(answerOptions({ choices: ['Not now', 'Too hard'] }), [
    { label: 'Not now', answer: { choice: 0 } },
    { label: 'Too hard', answer: { choice: 1 } },
  ]);
  assert.deepEqual(answerOptions({}), []);
});

test('free text is capped at 500 characters', () => {
  assert.equal(MAX_TEXT, 500);
});
