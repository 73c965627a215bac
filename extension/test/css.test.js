import assert from 'node:assert/strict';
import { test } from 'node:test';
import { attributeSelector, escapeIdentifier, escapeIdentifierFallback, quoteString } from '../src/content/pick/css.js';

test('identifiers are escaped as CSS.escape does (values taken from Chromium)', () => {
  const expected = {
    ':r3:': '\\:r3\\:',
    '123abc': '\\31 23abc',
    '-1a': '-\\31 a',
    '-': '\\-',
    'a b': 'a\\ b',
    'form:j_id12': 'form\\:j_id12',
    'new-report': 'new-report',
    'café': 'café',
    'a\u0001b': 'a\\1 b',
    'a\u0000b': 'a\ufffdb',
    '#x.y[z]': '\\#x\\.y\\[z\\]',
  };
  for (const [name, escaped] of Object.entries(expected)) {
    assert.equal(escapeIdentifierFallback(name), escaped, name);
    assert.equal(escapeIdentifier(name), escaped, name); // node: the fallback
  }
});

test('attribute values are double-quoted strings with quotes, backslashes and controls escaped', () => {
  assert.equal(quoteString('New report'), '"New report"');
  assert.equal(quoteString('say "hi"'), '"say \\"hi\\""');
  assert.equal(quoteString('a\\b'), '"a\\\\b"');
  assert.equal(quoteString('line\nbreak'), '"line\\a break"');
  assert.equal(attributeSelector('data-testid', "it's"), '[data-testid="it\'s"]');
});
