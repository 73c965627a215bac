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

import { guideKeysDiffer, MANAGED_GRACE_MS, pickManaged, provisionalManaged } from '../src/background/config.js';
import { installFakeChrome } from './fake-chrome.js';

const LOCAL = { backendUrl: 'http://local.test', token: 't', user: 'u1', role: 'employee' };

test('pickManaged keeps only the non-empty strings of the configuration keys', () => {
  assert.deepEqual(pickManaged({ backendUrl: 'https://p.test', token: '', role: 7, other: 'x' }), {
    backendUrl: 'https://p.test',
  });
  assert.deepEqual(pickManaged(undefined), {});
});

test('while the policy store starts: the remembered answer, else none, if a backend is left', () => {
  assert.deepEqual(provisionalManaged({ role: 'manager' }, LOCAL), { role: 'manager' });
  assert.deepEqual(provisionalManaged(undefined, LOCAL), {}); // never answered: local alone
  assert.deepEqual(provisionalManaged(undefined, { backendUrl: 'http://x' }), {});
  assert.deepEqual(provisionalManaged({ backendUrl: 'https://p.test' }, {}), { backendUrl: 'https://p.test' });
  // Nothing names a backend: only the policy store could, so wait for it.
  assert.equal(provisionalManaged(undefined, {}), null);
  assert.equal(provisionalManaged({ role: 'manager' }, { token: 't' }), null);
});

test('only backendUrl, token and role of a late policy answer change the guides', () => {
  assert.equal(guideKeysDiffer(undefined, {}), false);
  assert.equal(guideKeysDiffer({}, { user: 'someone' }), false);
  assert.equal(guideKeysDiffer(undefined, { backendUrl: 'https://p.test' }), true);
  assert.equal(guideKeysDiffer({ role: 'a' }, { role: 'b' }), true);
  assert.equal(guideKeysDiffer({ token: 'x', role: '' }, { token: 'x' }), false);
});

/** A fresh config.js (its own module state) over a fake chrome whose policy store answers when told. */
async function withSlowPolicyStore(local) {
  const fake = installFakeChrome();
  for (const [key, value] of Object.entries(local)) fake.local.set(key, value);
  let answer;
  fake.chrome.storage.managed.get = () => new Promise((resolve) => (answer = resolve));
  const config = await import(`../src/background/config.js?case=${Math.random()}`);
  return { ...fake, config, answer: (value) => answer(value) };
}

async function timed(promise) {
  const started = performance.now();
  const value = await promise;
  return { value, ms: performance.now() - started };
}

test('readConfig does not wait for a policy store that is still starting (browser start)', async () => {
  const { config, local, answer } = await withSlowPolicyStore(LOCAL);
  const first = await timed(config.readConfig());
  assert.deepEqual(first.value.config, LOCAL);
  assert.ok(first.ms < MANAGED_GRACE_MS + 200, `${first.ms} ms`);
  // A read that already outlasted the grace is not waited for again.
  const second = await timed(config.readConfig());
  assert.ok(second.ms < MANAGED_GRACE_MS / 2, `${second.ms} ms`);
  answer({ role: 'manager' }); // the store comes up, with a policy
  await new Promise((resolve) => setTimeout(resolve, 10));
  assert.deepEqual(local.get('waymark.managed'), { role: 'manager' });
  const live = await config.readConfig();
  assert.equal(live.config.role, 'manager');
  assert.deepEqual(live.managedKeys, ['role']);
});

test('readConfig uses the remembered policy while the store starts', async () => {
  const { config } = await withSlowPolicyStore({ ...LOCAL, 'waymark.managed': { role: 'manager' } });
  const { config: merged, managedKeys } = await config.readConfig();
  assert.equal(merged.role, 'manager');
  assert.deepEqual(managedKeys, ['role']);
});

test('readConfig waits for the policy store when nothing else names a backend', async () => {
  const { config, answer } = await withSlowPolicyStore({ user: 'u1' });
  let done = null;
  config.readConfig().then((value) => (done = value));
  await new Promise((resolve) => setTimeout(resolve, MANAGED_GRACE_MS + 50));
  assert.equal(done, null);
  answer({ backendUrl: 'https://policy.test/' });
  await new Promise((resolve) => setTimeout(resolve, 10));
  assert.equal(done.config.backendUrl, 'https://policy.test');
});
