// The overlay (the ~15 KB part) enters a tab only when something is to be
// shown there, and the picker only when an author asks; loader.js alone runs
// on every page.

/**
 * Injects a bundled file into the tab's top frame.
 * @returns {Promise<{injected: boolean, error?: string}>}
 */
export async function injectFile(tabId, file) {
  try {
    await chrome.scripting.executeScript({ target: { tabId, frameIds: [0] }, files: [file] });
    return { injected: true };
  } catch (error) {
    // Pages no extension may script (chrome://, the web store, a PDF viewer) end here.
    return { injected: false, error: String(error && error.message ? error.message : error) };
  }
}

/** Injects overlay.js into the top frame; running it again only re-syncs. */
export async function injectOverlay(tabId) {
  const { injected, error } = await injectFile(tabId, 'overlay.js');
  if (!injected) console.warn('Waymark: cannot inject the overlay', tabId, error);
  return injected;
}
