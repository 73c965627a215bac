// Author mode's element picker, worker side: picker.js enters a tab only when
// an author asks for it (the popup's "Pick an element"), and the last target
// picked is kept in chrome.storage.local for the popup to show and copy.
import { STORAGE } from '../shared/keys.js';
import { injectFile } from './inject.js';

/** Injects picker.js into the tab's top frame (it reaches same-origin frames itself). */
export async function startPicker(tabId) {
  const { injected, error } = await injectFile(tabId, 'picker.js');
  return injected ? { started: true } : { started: false, error };
}

/** Keeps the picker's result as waymark.lastPick: {target, warnings, url, picked_at}. */
export async function storePick({ target, warnings, url }) {
  if (!target || typeof target.selector !== 'string' || target.selector === '') return { error: 'no target to store' };
  const pick = {
    target,
    warnings: Array.isArray(warnings) ? warnings.map(String) : [],
    url: String(url || ''),
    picked_at: new Date().toISOString(),
  };
  await chrome.storage.local.set({ [STORAGE.lastPick]: pick });
  return { stored: true };
}
