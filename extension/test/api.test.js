// The guide fetch against fakes of chrome.storage and fetch: tabs loading at once
// share one request, but only when they ask for the same backend and role.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { installFakeChrome } from './fake-chrome.js';

installFakeChrome();
const { getGuides } = await import('../src/background/api.js');

test('a request in flight is shared by the same role, not handed to another', async () => {
  const asked = [];
  const answers = [];
  globalThis.fetch = (url) => {
    const role = new URL(url).searchParams.get('role');
    asked.push(role);
    return new Promise((resolve) => answers.push(() => resolve({
      status: 200,
      ok: true,
      headers: { get: () => '' },
      json: async () => ({ guides: [{ id: `for-${role}` }] }),
    })));
  };
  const employee = { backendUrl: 'http://backend.test', token: 't', role: 'employee' };
  const manager = { ...employee, role: 'manager' };
  const pending = [getGuides(employee), getGuides(employee), getGuides(manager)];
  await new Promise((resolve) => setTimeout(resolve, 10));
  answers.forEach((answer) => answer());
  const [first, second, other] = await Promise.all(pending);
  assert.deepEqual(asked, ['employee', 'manager']);
  assert.deepEqual([first, second, other].map((guides) => guides[0].id), ['for-employee', 'for-employee', 'for-manager']);
});
