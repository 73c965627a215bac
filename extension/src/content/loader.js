// The only script on every page. It asks the worker whether anything belongs
// here and otherwise does nothing at all: no DOM observation, no listeners on
// the page. The worker injects overlay.js when something does.
// Deliberately free of imports so it stays a few hundred bytes.
(() => {
  const PAGE = 'waymark:page';
  const NAVIGATED = 'waymark:navigated';

  function askWorker() {
    try {
      chrome.runtime.sendMessage({ type: PAGE, url: location.href }).catch(() => {});
    } catch {
      // The extension was reloaded or removed: this orphaned loader stays quiet.
    }
  }

  // The worker hears history and fragment changes through webNavigation and
  // forwards them; the overlay, once injected, takes over following them.
  chrome.runtime.onMessage.addListener((message) => {
    if (!message || message.type !== NAVIGATED) return;
    const overlay = globalThis.waymarkOverlay;
    if (overlay) overlay.navigated(location.href);
    else askWorker();
  });

  askWorker();
})();
