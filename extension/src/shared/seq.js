// A run's `seq` orders its writes: every transition a page applies bumps it,
// so a tab, the worker and storage can tell older news from newer about the
// same run (two tabs may race on one run). The one owner of that comparison.

function seqOf(run) {
  return (run && run.seq) || 0;
}

/** The run after one more write. */
export function nextWrite(run) {
  return { ...run, seq: seqOf(run) + 1 };
}

function sameRun(a, b) {
  return Boolean(a && b && a.run_id === b.run_id);
}

/** `write` is of the same run as `current` and older than it. */
export function isOlderWrite(write, current) {
  return sameRun(write, current) && seqOf(write) < seqOf(current);
}

/** `write` is of the same run as `current` and not newer: nothing in it to take. */
export function isKnownWrite(write, current) {
  return sameRun(write, current) && seqOf(write) <= seqOf(current);
}
