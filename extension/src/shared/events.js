// Builds events in the shape of PRODUCT.md "Events, version 1". Pure: the
// caller passes the clock and the URL so tests can pin them.

/**
 * @param {string} type one of the seven event types
 * @param {{guide_id: string, version: number, run_id: string}} run
 * @param {{step?: {id?: string}, stepIndex?: number, url: string, now: number, extra?: object}} ctx
 */
export function makeEvent(type, run, { step, stepIndex, url, now, extra } = {}) {
  const event = {
    id: crypto.randomUUID(),
    type,
    guide_id: run.guide_id,
    guide_version: run.version,
    run_id: run.run_id,
    url,
    at: new Date(now).toISOString(),
  };
  if (stepIndex !== undefined && stepIndex !== null) {
    event.step_index = stepIndex;
    // Published guides always carry step ids; the index keeps an event
    // well-formed for a hand-loaded preview that forgot one.
    event.step_id = (step && step.id) || `step-${stepIndex}`;
  }
  return Object.assign(event, extra);
}

/** What people searched for in the help panel is reported without saying who (PRODUCT.md). */
export const ANONYMOUS_TYPES = new Set(['panel_search']);

/** Adds who sent an event (the worker knows; pages do not): the user, unless the type is anonymous, and the role. */
export function stampWho(event, { user, role }) {
  const who = ANONYMOUS_TYPES.has(event.type) ? {} : { user };
  if (role) who.role = role;
  const stamped = { ...who, ...event };
  if (ANONYMOUS_TYPES.has(event.type)) delete stamped.user; // not even when a page put one in
  return stamped;
}
