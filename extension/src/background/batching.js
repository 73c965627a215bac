// Pure rules of the event queue: what goes in the next batch, what a server
// answer removes, how long to wait after a failure. queue.js does the I/O.

export const MAX_BATCH = 50;
export const BASE_DELAY_MS = 2000;
export const MAX_DELAY_MS = 5 * 60 * 1000;
/** The queue is bounded so a backend that never comes back cannot fill the disk. */
export const MAX_QUEUED = 10000;

/** The oldest events, at most `size` of them. */
export function nextBatch(queue, size = MAX_BATCH) {
  return queue.slice(0, Math.max(1, Math.min(size, MAX_BATCH)));
}

/** Statuses after which the server has the final word on an event. */
const SETTLED = new Set(['stored', 'duplicate', 'rejected']);

/**
 * Removes the events the server settled. An event the answer does not mention
 * stays queued for the next try: only an explicit verdict drops it.
 * @returns {{queue: object[], settled: object[], rejected: object[]}}
 */
export function applyResults(queue, results) {
  const verdicts = new Map();
  for (const result of Array.isArray(results) ? results : []) {
    if (result && SETTLED.has(result.status)) verdicts.set(result.id, result);
  }
  const settled = [];
  const rejected = [];
  const remaining = [];
  for (const event of queue) {
    const verdict = verdicts.get(event.id);
    if (!verdict) {
      remaining.push(event);
      continue;
    }
    settled.push(event);
    if (verdict.status === 'rejected') rejected.push({ event, errors: verdict.errors });
  }
  return { queue: remaining, settled, rejected };
}

/**
 * What an HTTP status of POST /events means for the batch:
 * - 'results': per-event verdicts in the body;
 * - 'split': the server refused the batch as a whole (too large or malformed):
 *   send smaller batches to find the one event it refuses;
 * - 'retry': try the same batch later (network, 5xx, 401/403 until the
 *   token is fixed, 429).
 */
export function classifyStatus(status) {
  if (status >= 200 && status < 300) return 'results';
  if (status === 400 || status === 413) return 'split';
  return 'retry';
}

/** Exponential backoff with full jitter: random in [delay/2, delay]. */
export function backoffDelay(attempt, random = Math.random) {
  const ceiling = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (ceiling / 2) * random());
}

/**
 * The queue state after a failed send. A 'split' halves the batch size; at a
 * batch of one the server has refused that single event outright, which we
 * count as its rejection (see `isSingleRefusal`).
 */
export function afterFailure(state, kind, now, random = Math.random) {
  const attempt = (state.attempt || 0) + 1;
  const batchSize = kind === 'split' ? Math.max(1, Math.floor((state.batchSize || MAX_BATCH) / 2)) : state.batchSize || MAX_BATCH;
  // A split is retried at once with the smaller batch; anything else waits.
  const nextAt = kind === 'split' ? now : now + backoffDelay(attempt, random);
  return { attempt: kind === 'split' ? state.attempt || 0 : attempt, nextAt, batchSize };
}

/** The server refused a batch holding exactly one event: that event is poison. */
export function isSingleRefusal(kind, batch) {
  return kind === 'split' && batch.length === 1;
}

/** After a successful answer: no backoff, batch size grows back to the maximum. */
export function afterSuccess() {
  return { attempt: 0, nextAt: 0, batchSize: MAX_BATCH };
}

/** Appends events, dropping the oldest past the bound and any id already queued. */
export function enqueueEvents(queue, events) {
  const known = new Set(queue.map((event) => event.id));
  const merged = queue.concat(events.filter((event) => event && event.id && !known.has(event.id)));
  return merged.length > MAX_QUEUED ? merged.slice(merged.length - MAX_QUEUED) : merged;
}
