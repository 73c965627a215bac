// A handle on the worker for the e2e suite and DevTools: a worker cannot
// send runtime messages to itself, so tests evaluating code in it call these.
//   await waymark.flush()        send queued events now (ignores backoff) -> events still queued
//   await waymark.refreshGuides() drop the guide cache so the next page fetches
import { clearGuideCache } from './api.js';
import { flush, queuedCount } from './queue.js';

globalThis.waymark = {
  async flush() {
    await flush({ force: true });
    return queuedCount();
  },
  refreshGuides: clearGuideCache,
  queuedCount,
};
