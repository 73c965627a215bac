// The overlay (the ~15 KB part) enters a tab only when something is to be
// shown there; loader.js alone runs on every page.

/** Injects overlay.js into the top frame; running it again only re-syncs. */
export async function injectOverlay(tabId) {
  try {
    await chrome.scripting.executeScript({ target: { tabId, frameIds: [0] }, files: ['overlay.js'] });
    return true;
  } catch (error) {
    // Pages the extension may not script (chrome://, the web store) end here.
    console.warn('Waymark: cannot inject the overlay', tabId, error);
    return false;
  }
}
