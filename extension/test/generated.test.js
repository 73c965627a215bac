import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { generatedBy, isStableClass, isStateClass, looksGenerated } from '../src/content/pick/generated.js';

// Shared with tests/test_selectors.py, which checks the backend's warnings on the same names.
const CASES = JSON.parse(readFileSync(new URL('../../tests/fixtures/generated_identifiers.json', import.meta.url), 'utf8'));

test('every generated name in the shared fixture looks generated, with what made it', () => {
  for (const name of CASES.generated) {
    assert.ok(looksGenerated(name), name);
    assert.equal(typeof generatedBy(name), 'string', name);
  }
});

test('framework names are named after the same makers as the backend', () => {
  assert.equal(generatedBy(':r3:'), "React's useId");
  assert.equal(generatedBy('ember123'), 'Ember');
  assert.equal(generatedBy('css-1x2y3z'), 'CSS-in-JS (emotion, styled-components, JSS)');
  assert.equal(generatedBy('Button__root__a1b2c'), 'CSS modules');
  assert.equal(generatedBy('mui-123'), "a component library's counter");
});

test('no stable name in the shared fixture looks generated', () => {
  for (const name of CASES.stable) assert.equal(generatedBy(name), null, name);
});

test('state classes are not stable; styling variants are not either', () => {
  for (const name of ['active', 'is-open', 'has-error', 'Mui-selected', 'tab--active', 'ng-dirty', 'focus-visible', 'disabled']) {
    assert.ok(isStateClass(name), name);
    assert.equal(isStableClass(name), false, name);
  }
  for (const name of ['hover:bg-blue-500', 'w-[12px]', 'w-1/2', 'css-1x2y3z', '']) assert.equal(isStableClass(name), false, name);
  for (const name of ['toolbar', 'btn-primary', 'row-action', 'openings', 'nav__item']) assert.ok(isStableClass(name), name);
});
