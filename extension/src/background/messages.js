// The worker's message handler: one small function per message type
// (the protocol is in docs/extension.md).
import { STORAGE } from '../shared/keys.js';
import { MSG } from '../shared/messages.js';
import { readConfig } from './config.js';
import { injectOverlay } from './inject.js';
import { startPicker, storePick } from './picker.js';
import { kindOf } from './guides.js';
import { surfacesFor, surfacesNeedOverlay } from './help.js';
import { decideForPage, manualGuidesFor, startById, syncPage } from './pages.js';
import { enqueue, flush, queuedCount } from './queue.js';
import { describePreview, getPreview, parseGuideText, startPreview, stopPreview, validateOnService } from './preview.js';
import { applyTransition, replaceActiveRun } from './runs.js';

const handlers = {
  async [MSG.page]({ url }, sender) {
    const decision = await decideForPage(url);
    // A run to show, or tips, or something for the help panel to list.
    const wanted = decision.kind !== 'none' || surfacesNeedOverlay(await surfacesFor(url));
    const inject = wanted && Boolean(sender.tab);
    if (inject) await injectOverlay(sender.tab.id);
    return { inject };
  },
  [MSG.sync]: ({ url, quiet }) => syncPage(url, Array.isArray(quiet) ? quiet : []),
  [MSG.surfaces]: ({ url }) => surfacesFor(url),
  async [MSG.transition](message) {
    const { config } = await readConfig();
    return applyTransition(message, { user: config.user });
  },
  async [MSG.events]({ events }) {
    await enqueue(events);
    return { queued: true };
  },
  async [MSG.popupList]({ tabId }) {
    const tab = await chrome.tabs.get(tabId);
    return { url: tab.url, ...(await manualGuidesFor(tab.url || '')) };
  },
  async [MSG.start]({ tabId, guideId, source }, sender) {
    // The popup names the tab; the help panel asks for the tab it is in.
    const tab = tabId === undefined && sender.tab ? sender.tab : await chrome.tabs.get(tabId);
    const run = await startById(guideId, tab.url || '', source);
    if (run) await injectOverlay(tab.id);
    return { started: Boolean(run), run };
  },
  async [MSG.flush]() {
    await flush({ force: true });
    return { queued: await queuedCount() };
  },
  [MSG.pick]: ({ tabId }) => startPicker(tabId),
  [MSG.picked]: (message) => storePick(message),
  async [MSG.previewLoad]({ text, fileName }) {
    const parsed = parseGuideText(text, fileName);
    if (parsed.errors.length) return { ok: false, errors: parsed.errors, warnings: [] };
    const { config } = await readConfig();
    const authorToken = (await chrome.storage.local.get(STORAGE.authorToken))[STORAGE.authorToken];
    const checked = await validateOnService(config, authorToken, parsed.document);
    if (!checked.ok) return { ok: false, errors: checked.errors, warnings: checked.warnings };
    // A guide's preview takes the place of the run in progress; tips are drawn beside it.
    if (kindOf(checked.served) === 'guide') await replaceActiveRun(undefined); // no url to report: the run was elsewhere
    const { preview, tabs } = await startPreview(checked.served);
    return { ok: true, errors: [], warnings: checked.warnings, preview: describePreview(preview), tabs };
  },
  [MSG.previewStop]: () => stopPreview(),
  async [MSG.previewStatus]() {
    return { preview: describePreview(await getPreview()) };
  },
  async [MSG.status]() {
    const { config, managedKeys } = await readConfig();
    const stored = await chrome.storage.local.get([STORAGE.guideCache, STORAGE.queueState]);
    const cache = stored[STORAGE.guideCache];
    return {
      config: { ...config, token: config.token ? '••••' : '' },
      managedKeys,
      queued: await queuedCount(),
      queueState: stored[STORAGE.queueState] || null,
      guides: cache ? { count: cache.guides.length, fetchedAt: cache.fetchedAt, etag: cache.etag } : null,
    };
  },
};

chrome.runtime.onMessage.addListener((message, sender, sendResponse) => {
  const handler = message && handlers[message.type];
  if (!handler) return false;
  Promise.resolve()
    .then(() => handler(message, sender))
    .then(sendResponse, (error) => {
      console.error('Waymark: message failed', message.type, error);
      sendResponse({ error: String(error && error.message ? error.message : error) });
    });
  return true; // answer asynchronously
});
