// Tips, validation and the help panel: the pure rules behind what they draw
// and report (the drawing itself is covered in e2e/test_tips.py).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { installFakeChrome } from './fake-chrome.js';

installFakeChrome();
const { afterCheck, checksOn, fieldValue, passes } = await import('../src/content/validation.js');
const { linkHref, panelItems, searchHelp } = await import('../src/content/panel.js');
const { surfacesKey } = await import('../src/content/surfaces.js');
const { surfacesForPage, surfacesNeedOverlay } = await import('../src/background/help.js');
const { launcherCorner } = await import('../src/background/config.js');
const { decide, documentsForPage, guidesForPage, kindOf } = await import('../src/background/guides.js');
const { stampWho } = await import('../src/shared/events.js');

const AMOUNT = { pattern: '^[0-9]+([.,][0-9]{1,2})?$', required: true, message: 'Use a dot or a comma for cents' };

test('a value passes when it matches the pattern; empty fails only when required', () => {
  assert.equal(passes(AMOUNT, '12.50'), true);
  assert.equal(passes(AMOUNT, '12,5'), true);
  assert.equal(passes(AMOUNT, '12.505'), false);
  assert.equal(passes(AMOUNT, 'twelve'), false);
  assert.equal(passes(AMOUNT, '   '), false);
  assert.equal(passes({ pattern: '^\\d+$' }, ''), true); // optional and empty: nothing to check
  assert.equal(passes({ required: true }, 'anything'), true);
  assert.equal(passes({ pattern: '([' }, 'x'), true); // an invalid pattern never blocks anyone
});

test('patterns are JavaScript regular expressions (lookbehind works)', () => {
  assert.equal(passes({ pattern: '(?<=EUR )\\d+' }, 'EUR 12'), true);
  assert.equal(passes({ pattern: '^CC-\\d{4}$' }, 'CC-1234'), true);
  assert.equal(passes({ pattern: '^CC-\\d{4}$' }, 'cc-1234'), false);
});

test('a field fails once, passes once: events only on the changes', () => {
  assert.deepEqual(afterCheck('untouched', false), { state: 'failing', event: 'validation_failed' });
  assert.deepEqual(afterCheck('failing', false), { state: 'failing', event: null });
  assert.deepEqual(afterCheck('failing', true), { state: 'passing', event: 'validation_passed' });
  assert.deepEqual(afterCheck('untouched', true), { state: 'passing', event: null });
  assert.deepEqual(afterCheck('passing', false), { state: 'failing', event: 'validation_failed' });
});

test('blur always checks; typing checks only a field that failed', () => {
  assert.equal(checksOn('focusout', 'untouched'), true);
  assert.equal(checksOn('input', 'untouched'), false);
  assert.equal(checksOn('input', 'passing'), false);
  assert.equal(checksOn('input', 'failing'), true);
  assert.equal(checksOn('change', 'failing'), true);
  assert.equal(checksOn('pointerover', 'failing'), false);
});

test('what a check reads: value, a checkbox only when ticked, a rich-text editor its text', () => {
  assert.equal(fieldValue({ value: '12.50' }), '12.50');
  assert.equal(fieldValue({ type: 'checkbox', checked: false, value: 'on' }), '');
  assert.equal(fieldValue({ type: 'checkbox', checked: true, value: 'yes' }), 'yes');
  assert.equal(fieldValue({ isContentEditable: true, innerText: 'Lunch with a client' }), 'Lunch with a client');
});

test('resource links open only http, https, mailto and tel URLs', () => {
  assert.equal(linkHref('https://intranet.example.com/faq'), 'https://intranet.example.com/faq');
  assert.equal(linkHref('tel:+33123456789'), 'tel:+33123456789');
  assert.equal(linkHref('mailto:finance@example.com'), 'mailto:finance@example.com');
  assert.equal(linkHref('javascript:alert(1)'), null);
  assert.equal(linkHref(' JavaScript:alert(1)'), null);
  assert.equal(linkHref('data:text/html,<b>x</b>'), null);
  assert.equal(linkHref('/relative/path'), null);
  assert.equal(linkHref(undefined), null);
});

const RESOURCES = {
  id: 'expenses-help', kind: 'resources', version: 2, title: 'Help with expenses',
  links: [
    { title: 'Expense policy FAQ', url: 'https://intranet.example.com/faq', description: 'Limits, receipts, per diem' },
    { title: 'Call the finance hotline', url: 'tel:+33123456789' },
    { title: 'Sneaky', url: 'javascript:alert(1)' },
  ],
};

test('the panel lists guides, then tips, then the safe links', () => {
  const items = panelItems({
    guides: [{ id: 'submit', title: 'Submit an expense', description: 'Four steps' }],
    tips: [{ title: 'Amount', text: 'As on the receipt' }],
    resources: [RESOURCES],
  });
  assert.deepEqual(items.map((item) => [item.section, item.title]), [
    ['Guides', 'Submit an expense'], ['Tips', 'Amount'], ['Links', 'Expense policy FAQ'], ['Links', 'Call the finance hotline']]);
  assert.deepEqual(items.slice(2).map((item) => item.index), [0, 1]);
});

test('search: every word, in the title or the description, case ignored', () => {
  const items = panelItems({ guides: [{ id: 'g', title: 'Submit an expense', description: 'Four steps' }], resources: [RESOURCES] });
  assert.deepEqual(searchHelp(items, 'per DIEM').map((item) => item.title), ['Expense policy FAQ']);
  assert.deepEqual(searchHelp(items, 'expense').map((item) => item.title), ['Submit an expense', 'Expense policy FAQ']);
  assert.deepEqual(searchHelp(items, 'mileage'), []);
  assert.equal(searchHelp(items, '  ').length, items.length);
});

const TIPS = { id: 'form-help', kind: 'tips', version: 1, title: 'Form', match: { include: ['https://app.test/new*'] }, tips: [] };
const GUIDE = { id: 'submit', version: 3, title: 'Submit', start: 'manual', match: { include: ['https://app.test/*'] }, steps: [{ id: 's' }] };
const FOR_MANAGERS = { ...RESOURCES, id: 'managers-help', audience: { roles: ['manager'] }, match: { include: ['https://app.test/*'] } };
const CATALOGUE = [GUIDE, TIPS, { ...RESOURCES, match: { include: ['https://app.test/*'] } }, FOR_MANAGERS];

test('kinds: a document without one is a guide; guides and the page decision never take tips or resources', () => {
  assert.equal(kindOf(GUIDE), 'guide');
  assert.equal(kindOf(TIPS), 'tips');
  assert.deepEqual(guidesForPage(CATALOGUE, 'https://app.test/new', 'employee').map((d) => d.id), ['submit']);
  assert.deepEqual(documentsForPage(CATALOGUE, 'https://app.test/new', 'employee', 'resources').map((d) => d.id), ['expenses-help']);
  const autoTips = { ...TIPS, start: 'auto', steps: undefined };
  assert.deepEqual(decide({ guides: [autoTips], url: 'https://app.test/new', role: 'employee', history: {}, now: 0 }), { kind: 'none' });
});

test('a page gets tips, and for its panel the guides and resources of its role', () => {
  const surfaces = surfacesForPage(CATALOGUE, 'https://app.test/new', 'employee', 'bottom-left');
  assert.deepEqual(surfaces.tips.map((d) => d.id), ['form-help']);
  assert.deepEqual(surfaces.resources.map((d) => d.id), ['expenses-help']);
  assert.deepEqual(surfaces.guides, [{ id: 'submit', version: 3, title: 'Submit', description: undefined, start: 'manual' }]);
  assert.equal(surfaces.launcher, 'bottom-left');
  assert.equal(surfacesNeedOverlay(surfaces), true);
});

test('with the launcher off, a page with only a manual guide or links needs no overlay; tips still do', () => {
  const off = surfacesForPage(CATALOGUE, 'https://app.test/list', 'employee', null);
  assert.deepEqual([off.tips, off.resources, off.guides], [[], [], []]);
  assert.equal(surfacesNeedOverlay(off), false);
  assert.equal(surfacesNeedOverlay(surfacesForPage(CATALOGUE, 'https://app.test/new', 'employee', null)), true);
  assert.equal(surfacesNeedOverlay(surfacesForPage(CATALOGUE, 'https://other.test/', 'employee', 'bottom-right')), false);
});

test('the launcher: policy over options page, unknown values are the default, off is off', () => {
  assert.equal(launcherCorner(undefined, undefined), 'bottom-right');
  assert.equal(launcherCorner({}, { launcher: 'top-left' }), 'top-left');
  assert.equal(launcherCorner({ launcher: 'off' }, { launcher: 'top-left' }), null);
  assert.equal(launcherCorner({ launcher: 'sideways' }, { launcher: 'bottom-left' }), 'bottom-left');
  assert.equal(launcherCorner(null, { launcher: 'off' }), null);
});

test('surfaces are redrawn only when the page, a document version or the launcher changes', () => {
  const surfaces = { tips: [TIPS], resources: [], guides: [GUIDE], launcher: 'bottom-right' };
  const key = surfacesKey('https://app.test/new', surfaces);
  assert.equal(surfacesKey('https://app.test/new', { ...surfaces }), key);
  assert.notEqual(surfacesKey('https://app.test/new', { ...surfaces, tips: [{ ...TIPS, version: 2 }] }), key);
  assert.notEqual(surfacesKey('https://app.test/other', surfaces), key);
  assert.notEqual(surfacesKey('https://app.test/new', { ...surfaces, launcher: null }), key);
});

test('panel searches carry no user id, whatever the page sent; other events get the user and role', () => {
  const who = { user: 'u-42', role: 'employee' };
  assert.deepEqual(stampWho({ type: 'panel_search', query: 'mileage', results: 0, user: 'sneaked' }, who),
    { role: 'employee', type: 'panel_search', query: 'mileage', results: 0 });
  assert.deepEqual(stampWho({ type: 'tip_shown' }, who), { user: 'u-42', role: 'employee', type: 'tip_shown' });
  assert.deepEqual(stampWho({ type: 'tip_shown' }, { user: 'u-1', role: '' }), { user: 'u-1', type: 'tip_shown' });
});

test('one host for the step and the other surfaces: made by the first, removed after the last', async () => {
  const { shareHost } = await import('../src/content/host.js');
  const made = [];
  const hosts = shareHost(() => {
    const host = { destroyed: false, destroy() { this.destroyed = true; } };
    made.push(host);
    return host;
  });
  const forStep = hosts.acquire();
  const forTips = hosts.acquire();
  assert.equal(forStep, forTips);
  hosts.release();
  assert.equal(forStep.destroyed, false, 'the tips still draw in it');
  hosts.release();
  assert.equal(forStep.destroyed, true);
  hosts.release(); // one release too many changes nothing
  assert.notEqual(hosts.acquire(), forStep, 'a new host after the last let go');
  assert.equal(made.length, 2);
});
