import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isKnownWrite, isOlderWrite, nextWrite } from '../src/shared/seq.js';

test('nextWrite bumps seq, counting a run without one as 0', () => {
  assert.equal(nextWrite({ run_id: 'r' }).seq, 1);
  assert.equal(nextWrite({ run_id: 'r', seq: 4 }).seq, 5);
});

test('older and known writes compare seq only within one run', () => {
  const current = { run_id: 'r', seq: 3 };
  assert.equal(isOlderWrite({ run_id: 'r', seq: 2 }, current), true);
  assert.equal(isOlderWrite({ run_id: 'r', seq: 3 }, current), false);
  assert.equal(isKnownWrite({ run_id: 'r', seq: 3 }, current), true);
  assert.equal(isKnownWrite({ run_id: 'r', seq: 4 }, current), false);
  assert.equal(isKnownWrite({ run_id: 'other', seq: 1 }, current), false);
  assert.equal(isKnownWrite(null, current), false);
  assert.equal(isKnownWrite({ run_id: 'r' }, null), false);
});
