// The popup's author-mode section: "Pick an element" starts the picker in
// the popup's tab (then the popup closes, so the page is free to point at),
// and the last picked target is shown with a Copy button.
import { STORAGE } from '../shared/keys.js';
import { MSG } from '../shared/messages.js';

function describeSource(pick) {
  const when = new Date(pick.picked_at);
  const at = Number.isNaN(when.getTime()) ? '' : ` at ${when.toLocaleTimeString()}`;
  return `Picked on ${pick.url}${at}`;
}

/** The target's keys in the guide format's order: storage hands them back sorted. */
export function inGuideOrder(target) {
  const { selector, text, fallbacks, ...rest } = target;
  const ordered = { selector };
  if (text !== undefined) ordered.text = text;
  if (fallbacks !== undefined) ordered.fallbacks = fallbacks;
  return { ...ordered, ...rest };
}

function showLastPick(pick) {
  const section = document.getElementById('last-pick');
  section.hidden = !pick;
  if (!pick) return;
  document.getElementById('last-pick-json').textContent = JSON.stringify(inGuideOrder(pick.target), null, 2);
  document.getElementById('last-pick-source').textContent = describeSource(pick);
  const warnings = document.getElementById('last-pick-warnings');
  warnings.replaceChildren(
    ...(pick.warnings || []).map((text) => {
      const item = document.createElement('p');
      item.className = 'warning';
      item.textContent = text;
      return item;
    }),
  );
}

async function copyLastPick() {
  const json = document.getElementById('last-pick-json');
  const status = document.getElementById('copy-status');
  try {
    await navigator.clipboard.writeText(json.textContent);
    status.textContent = 'Copied.';
  } catch {
    getSelection().selectAllChildren(json);
    status.textContent = 'Press Ctrl+C to copy.';
  }
}

/** Wires the section; `tabId` is a promise of the tab the popup acts on. */
export async function setUpPicking(tabIdPromise) {
  const button = document.getElementById('pick');
  const error = document.getElementById('pick-error');
  button.addEventListener('click', async () => {
    const tabId = await tabIdPromise;
    const answer = tabId ? await chrome.runtime.sendMessage({ type: MSG.pick, tabId }).catch(() => null) : null;
    if (answer && answer.started) {
      window.close();
      return;
    }
    error.textContent = 'The picker cannot run on this page (the browser keeps extensions off it).';
    error.hidden = false;
  });
  document.getElementById('copy-pick').addEventListener('click', copyLastPick);
  chrome.storage.onChanged.addListener((changes, area) => {
    if (area === 'local' && STORAGE.lastPick in changes) showLastPick(changes[STORAGE.lastPick].newValue);
  });
  const stored = await chrome.storage.local.get(STORAGE.lastPick);
  showLastPick(stored[STORAGE.lastPick]);
}
