// Options page: the four configuration keys in chrome.storage.local, and a
// note on each key an administrator's policy overrides (managed storage wins).
//
// The form fills at once from chrome.storage.local and the policy store's last
// answer (remembered there by the worker), then again when the policy store
// itself answers: that takes ~3 s after every browser start (config.js).
import { CONFIG_KEYS, LAUNCHER_KEY, STORAGE, SURVEY_GAP_KEY } from '../shared/keys.js';
import { MSG } from '../shared/messages.js';
import './preview.js'; // author mode

// The Help button's corner (`launcher`) is kept and overridden the same way;
// the survey gap has its own field (fillSurveyGap).
const KEYS = [...CONFIG_KEYS, LAUNCHER_KEY];

const form = document.getElementById('options');
const saved = document.getElementById('saved');
const statusList = document.getElementById('status');

async function managedValues() {
  try {
    return (await chrome.storage.managed.get([...KEYS, SURVEY_GAP_KEY])) || {};
  } catch {
    return {};
  }
}

async function load() {
  const local = await chrome.storage.local.get([...KEYS, STORAGE.managed]);
  const remembered = local[STORAGE.managed] || {};
  fill(local, remembered);
  const live = await managedValues();
  // Refill only on a change, so as not to overwrite what someone typed meanwhile.
  if (KEYS.some((key) => (remembered[key] || '') !== (live[key] || ''))) fill(local, live);
  fillSurveyGap((await chrome.storage.local.get(SURVEY_GAP_KEY))[SURVEY_GAP_KEY], live[SURVEY_GAP_KEY]);
}

/** The survey gap (dnd.js): a number, set here unless a policy sets it. */
function fillSurveyGap(local, fromPolicy) {
  const input = form.elements[SURVEY_GAP_KEY];
  const managed = fromPolicy !== undefined && fromPolicy !== '';
  input.value = managed ? String(fromPolicy) : local === undefined ? '' : String(local);
  input.disabled = managed;
  form.querySelector(`[data-managed-for="${SURVEY_GAP_KEY}"]`).hidden = !managed;
}

function fill(local, managed) {
  for (const key of KEYS) {
    const input = form.elements[key];
    const fromPolicy = typeof managed[key] === 'string' && managed[key] !== '';
    input.value = fromPolicy ? (key === 'token' ? '••••••••' : managed[key]) : local[key] || '';
    if (key === LAUNCHER_KEY && !input.value) input.value = 'bottom-right'; // the default, and what an unknown value means
    input.disabled = fromPolicy;
    form.querySelector(`[data-managed-for="${key}"]`).hidden = !fromPolicy;
  }
}

async function save(event) {
  event.preventDefault();
  const values = {};
  for (const key of KEYS) {
    const input = form.elements[key];
    if (!input.disabled) values[key] = input.value.trim();
  }
  const gap = form.elements[SURVEY_GAP_KEY];
  if (!gap.disabled) values[SURVEY_GAP_KEY] = gap.value.trim();
  await chrome.storage.local.set(values);
  saved.textContent = 'Saved.';
  setTimeout(() => (saved.textContent = ''), 2000);
  showStatus();
}

function row(term, value) {
  const dt = document.createElement('dt');
  dt.textContent = term;
  const dd = document.createElement('dd');
  dd.textContent = value;
  statusList.append(dt, dd);
}

async function showStatus() {
  const status = await chrome.runtime.sendMessage({ type: MSG.status }).catch(() => null);
  statusList.replaceChildren();
  if (!status || status.error) {
    row('Service worker', 'not reachable');
    return;
  }
  row('Events waiting', String(status.queued));
  const retry = status.queueState && status.queueState.nextAt > Date.now();
  row('Next retry', retry ? new Date(status.queueState.nextAt).toLocaleTimeString() : 'none pending');
  row('Guides cached', status.guides ? `${status.guides.count} (fetched ${new Date(status.guides.fetchedAt).toLocaleTimeString()})` : 'none');
  row('Set by policy', status.managedKeys.length ? status.managedKeys.join(', ') : 'nothing');
}

async function flushNow() {
  saved.textContent = 'Sending…';
  const answer = await chrome.runtime.sendMessage({ type: MSG.flush }).catch(() => null);
  saved.textContent = answer && !answer.error ? `${answer.queued} still waiting.` : 'Could not send.';
  showStatus();
}

form.addEventListener('submit', save);
document.getElementById('flush').addEventListener('click', flushNow);
chrome.storage.onChanged.addListener((changes) => {
  if (KEYS.some((key) => key in changes)) load();
});
load();
showStatus();
