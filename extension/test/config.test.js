import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mergeConfig } from '../src/background/config.js';

test('managed policy wins key by key over local storage', () => {
  const { config, managedKeys } = mergeConfig(
    { backendUrl: 'https://policy.test/', token: '' },
    { backendUrl: 'http://local.test', token: 't', user: 'u1', role: 'employee' },
  );
  assert.deepEqual(config, { backendUrl: 'https://policy.test', token: 't', user: 'u1', role: 'employee' });
  assert.deepEqual(managedKeys, ['backendUrl']);
});

test('missing values are empty strings; non-strings are ignored', () => {
  const { config } = mergeConfig(undefined, { token: 42 });
  assert.deepEqual(config, { backendUrl: '', token: '', user: '', role: '' });
});
