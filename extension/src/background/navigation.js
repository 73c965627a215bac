// Single-page route changes: the worker hears them from chrome.webNavigation,
// so nothing in the page is wrapped or polled, and tells the tab's loader.
import { MSG } from '../shared/messages.js';

function tellTab(details) {
  if (details.frameId !== 0) return;
  chrome.tabs.sendMessage(details.tabId, { type: MSG.navigated, url: details.url }, { frameId: 0 }).catch(() => {
    // No loader there (a page the extension may not script): nothing to do.
  });
}

chrome.webNavigation.onHistoryStateUpdated.addListener(tellTab);
chrome.webNavigation.onReferenceFragmentUpdated.addListener(tellTab);
