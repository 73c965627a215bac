// Wakes the queue: at install and browser start, on the retry alarm, on a
// periodic sweep (a safety net if a retry alarm was lost), and when the
// configuration changes (a fixed token or backend should be tried at once).
import { ALARM, STORAGE } from '../shared/keys.js';
import { clearGuideCache } from './api.js';
import { guideKeysDiffer } from './config.js';
import { flush } from './queue.js';

const SWEEP_MINUTES = 1;

function flushQuietly(options) {
  flush(options).catch((error) => console.warn('Waymark: flush failed', error));
}

async function ensureSweep() {
  const existing = await chrome.alarms.get(ALARM.sweep);
  if (!existing) await chrome.alarms.create(ALARM.sweep, { periodInMinutes: SWEEP_MINUTES });
}

chrome.runtime.onInstalled.addListener(() => {
  ensureSweep();
  flushQuietly();
});

chrome.runtime.onStartup.addListener(() => {
  ensureSweep();
  flushQuietly();
});

chrome.alarms.onAlarm.addListener((alarm) => {
  if (alarm.name === ALARM.flush || alarm.name === ALARM.sweep) flushQuietly();
});

chrome.storage.onChanged.addListener((changes, area) => {
  if (area !== 'local' && area !== 'managed') return;
  // Only a new backend, token or role changes which guides apply.
  const guidesChanged =
    ['backendUrl', 'token', 'role'].some((key) => key in changes) ||
    // The policy store answered late (browser start) with something else than
    // what config.js went on with meanwhile: as if the policy had changed.
    (area === 'local' &&
      STORAGE.managed in changes &&
      guideKeysDiffer(changes[STORAGE.managed].oldValue, changes[STORAGE.managed].newValue));
  if (guidesChanged) clearGuideCache().then(() => flushQuietly({ force: true }));
});
