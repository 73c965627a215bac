// The run state machine, pure: (state, action, clock+url) -> new state,
// events to report, and whether the run ended. main.js performs the effects.
//
//   showing step i --shown--------> step_shown (once per arrival at step i)
//   step i --completed-----------> step_completed(duration_ms) -> step i+1
//                                  (last step: + guide_completed, ended "completed")
//   step i --back (i > 0)--------> step_back -> step i-1
//   step i --dismissed(reason)---> guide_dismissed, ended "dismissed"
//   step i --missing-------------> target_missing; optional: skip to i+1
//                                  (past the last: guide_completed), else ended "broken"
import { makeEvent } from '../shared/events.js';

export const DISMISS_REASONS = ['close_button', 'escape', 'replaced', 'other'];

/** A step's advance rule; a step without one advances with the Next button. */
export function advanceOf(step) {
  return (step && step.advance) || { on: 'next' };
}

export function isLastStep(guide, index) {
  return index >= guide.steps.length - 1;
}

/** Which buttons the step shows besides Close. */
export function stepButtons(guide, index) {
  const byButton = advanceOf(guide.steps[index]).on === 'next';
  const last = isLastStep(guide, index);
  return { back: index > 0, next: byButton && !last, done: byButton && last };
}

function moveTo(run, guide, index) {
  const step = guide.steps[index];
  return { ...run, step_index: index, step_id: step ? step.id : undefined, step_started_at: null };
}

function eventFor(type, run, guide, ctx, extra) {
  const stepIndex = run.step_index;
  return makeEvent(type, run, { step: guide.steps[stepIndex], stepIndex, url: ctx.url, now: ctx.now, extra });
}

function finishOrMove(run, guide, ctx, events) {
  if (isLastStep(guide, run.step_index)) {
    events.push(makeEvent('guide_completed', run, { url: ctx.url, now: ctx.now }));
    return { run, events, ended: 'completed' };
  }
  return { run: moveTo(run, guide, run.step_index + 1), events, ended: null };
}

const transitions = {
  shown(run, guide, ctx, action) {
    if (run.shown_index === run.step_index) return { run, events: [], ended: null }; // back after a reload
    const shownRun = { ...run, shown_index: run.step_index, step_started_at: ctx.now };
    // `match`: how the target was found (matched_by, and score + healed_target when healed).
    return { run: shownRun, events: [eventFor('step_shown', shownRun, guide, ctx, action.match)], ended: null };
  },
  completed(run, guide, ctx) {
    const duration = run.step_started_at ? Math.max(0, ctx.now - run.step_started_at) : 0;
    const events = [eventFor('step_completed', run, guide, ctx, { duration_ms: duration })];
    return finishOrMove(run, guide, ctx, events);
  },
  back(run, guide, ctx) {
    if (run.step_index <= 0) return { run, events: [], ended: null };
    const events = [eventFor('step_back', run, guide, ctx)];
    return { run: { ...moveTo(run, guide, run.step_index - 1), shown_index: -1 }, events, ended: null };
  },
  dismissed(run, guide, ctx, action) {
    const reason = DISMISS_REASONS.includes(action.reason) ? action.reason : 'other';
    return { run, events: [eventFor('guide_dismissed', run, guide, ctx, { reason })], ended: 'dismissed' };
  },
  missing(run, guide, ctx, action) {
    const extra = { wait_ms: action.wait_ms, selectors: action.selectors };
    if (action.candidates && action.candidates.length) extra.candidates = action.candidates; // healing refused these
    const events = [eventFor('target_missing', run, guide, ctx, extra)];
    if (guide.steps[run.step_index].optional) return finishOrMove(run, guide, ctx, events);
    return { run, events, ended: 'broken' };
  },
};

/**
 * @param {{run: object, guide: object}} state
 * @param {{type: 'shown'|'completed'|'back'|'dismissed'|'missing', reason?, wait_ms?, selectors?,
 *   candidates?, match?}} action
 * @param {{now: number, url: string}} ctx
 * @returns {{run: object, events: object[], ended: null|'completed'|'dismissed'|'broken'}}
 */
export function reduce({ run, guide }, action, ctx) {
  const transition = transitions[action.type];
  if (!transition) throw new Error(`unknown run action ${action.type}`);
  return transition(run, guide, ctx, action);
}
