// Every chrome.storage key the extension uses, in one place (documented in
// docs/extension.md). The configuration keys are the contract's names and are
// written by the options page, by enterprise policy and by the e2e suite.
export const CONFIG_KEYS = ['backendUrl', 'token', 'user', 'role'];

// Where the help panel's launcher sits, or `off`: options page and policy,
// apart from CONFIG_KEYS because it changes what is drawn, not where guides come from.
export const LAUNCHER_KEY = 'launcher';
// Days between two surveys (dnd.js): options page and policy, apart from
// CONFIG_KEYS because it changes what is drawn, not where guides come from.
export const SURVEY_GAP_KEY = 'surveyGapDays';

export const STORAGE = {
  guideCache: 'waymark.guideCache', // {key, etag, fetchedAt, guides}
  queue: 'waymark.queue', // [event, ...] oldest first
  queueState: 'waymark.queueState', // {attempt, nextAt, batchSize}
  activeRun: 'waymark.activeRun', // the one run in progress, or absent
  history: 'waymark.history', // {[user]: {[guideId]: {started, completed, dismissed, broken}}}
  managed: 'waymark.managed', // the policy store's last answer, used while it starts (config.js)
  lastPick: 'waymark.lastPick', // author mode: {target, warnings, url, picked_at} of the last picked element
  preview: 'waymark.preview', // author mode: the guide being previewed, as served (preview.js)
  authorToken: 'waymark.authorToken', // author mode: the author token preview checks guides with
  outreach: 'waymark.outreach', // {[user]: {docs: {[id]: {shown, acted, answered, dismissed, last_*_at}}, last_survey_at}} (dnd.js)
  onScreen: 'waymark.onScreen', // {id, tabId, at}: the one nudge or survey on screen, across tabs
};

export const ALARM = {
  flush: 'waymark.flush',
  sweep: 'waymark.sweep',
};
