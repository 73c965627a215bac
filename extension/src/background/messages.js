// The worker's message handler: one small function per message type
// (the protocol is in docs/extension.md).
import { STORAGE } from '../shared/keys.js';
import { MSG } from '../shared/messages.js';
import { readConfig } from './config.js';
import { injectOverlay } from './inject.js';
import { startPicker, storePick } from './picker.js';
import { kindOf } from './guides.js';
import { surfacesFor, surfacesNeedOverlay } from './help.js';
import { mayAskExitSurvey, recordReport, releaseScreen } from './outreach.js';
import { decideForPage, manualGuidesFor, outreachForPage, startById, syncPage } from './pages.js';
import { enqueue, flush, queuedCount } from './queue.js';
import { describePreview, getPreview, parseGuideText, startPreview, stopPreview, validateOnService } from './preview.js';
import { applyTransition, replaceActiveRun } from './runs.js';

const handlers = {
  async [MSG.page]({ url }, sender) {
    const tabId = sender.tab && sender.tab.id;
    if (tabId !== undefined) await releaseScreen(tabId); // a new document: whatever it showed is gone
    const decision = await decideForPage(url);
    // A run to show, tips, something for the help panel to list, or a nudge or survey.
    const wanted = decision.kind !== 'none' || surfacesNeedOverlay(await surfacesFor(url))
      || Boolean(await outreachForPage(decision, { url, tabId, claim: false }));
    const inject = wanted && Boolean(sender.tab);
    if (inject) await injectOverlay(sender.tab.id);
    return { inject };
  },
  [MSG.sync]: ({ url, quiet, outreach }, sender) =>
    syncPage(url, Array.isArray(quiet) ? quiet : [], { tabId: sender.tab && sender.tab.id, outreach: outreach !== false }),
  [MSG.surfaces]: ({ url }) => surfacesFor(url),
  // A nudge or survey: {op: 'report', id, outcome, events, end, start?} or {op: 'exit', guide_id}.
  async [MSG.outreach](message, sender) {
    const { config } = await readConfig();
    const who = { user: config.user, tabId: sender.tab && sender.tab.id, preview: message.preview };
    if (message.op === 'exit') return { ask: await mayAskExitSurvey(message.guide_id, who) };
    await recordReport(message, who);
    if (!message.start) return { started: false };
    const run = await startById(message.start, sender.tab ? sender.tab.url : '', { kind: 'nudge', id: message.id });
    if (run && sender.tab) await injectOverlay(sender.tab.id); // the overlay there syncs and shows the run
    return { started: Boolean(run) };
  },
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
