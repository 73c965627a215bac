import assert from 'node:assert/strict';
import { test } from 'node:test';
import { anyGlobMatches, globMatch } from '../src/shared/glob.js';

test('a glob without * matches only the identical URL', () => {
  assert.equal(globMatch('https://a.test/x', 'https://a.test/x'), true);
  assert.equal(globMatch('https://a.test/x', 'https://a.test/x/'), false);
});

test('* matches any run of characters, including / ? and #', () => {
  assert.equal(globMatch('https://expenses.example.com/*', 'https://expenses.example.com/reports/new?x=1#top'), true);
  assert.equal(globMatch('*/admin/*', 'https://expenses.example.com/admin/users'), true);
  assert.equal(globMatch('*#/active', 'https://app.test/list#/active'), true);
  assert.equal(globMatch('*#/active', 'https://app.test/list#/active/2'), false);
});

test('the glob must match the whole URL', () => {
  assert.equal(globMatch('https://a.test/*', 'http://a.test/'), false);
  assert.equal(globMatch('*/reports', 'https://a.test/reports/new'), false);
  assert.equal(globMatch('https://a.test/reports/new*', 'https://a.test/reports/new'), true);
});

test('every other character is literal (no regex, no ? wildcard)', () => {
  assert.equal(globMatch('https://a.test/?q=(x)', 'https://a.test/?q=(x)'), true);
  assert.equal(globMatch('https://a.test/.', 'https://a.test/x'), false);
  assert.equal(globMatch('https://a.test/a?c', 'https://a.test/abc'), false);
});

test('pieces must not overlap the head or tail', () => {
  assert.equal(globMatch('ab*ba', 'aba'), false);
  assert.equal(globMatch('a*b*c', 'abc'), true);
  assert.equal(globMatch('a*b*c', 'acb'), false);
  assert.equal(globMatch('*', ''), true);
});

test('anyGlobMatches over a list; non-strings never match', () => {
  assert.equal(anyGlobMatches(['x', 'https://*'], 'https://a'), true);
  assert.equal(anyGlobMatches([], 'https://a'), false);
  assert.equal(anyGlobMatches(undefined, 'https://a'), false);
  assert.equal(globMatch(null, 'x'), false);
});
