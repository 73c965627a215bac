// A nudge (kind "nudge"): a banner, modal, toast or pointer with a title, a
// body and actions that start a guide, open a URL or dismiss. It reports
// nudge_shown, nudge_action and nudge_dismissed; the worker keeps the
// person's record (dnd.js) and starts the guide (with the nudge as its source).
import { makeEvent } from '../shared/events.js';
import { appendPlan, safeHref, stepBodyPlan } from './body.js';
import { button } from './host.js';
import { openSurface } from './outreach.js';
import { DEFAULT_WAIT_MS, waitForTarget, watchDetached } from './targets.js';

/** One showing: every event of it shares a run_id, as a guide run's do. */
export function impression(doc) {
  return { guide_id: doc.id, version: doc.version, run_id: crypto.randomUUID() };
}

/**
 * Shows `doc` (a served nudge) through `ctx` (main.js: root, report, done).
 * @returns {{end: (reason: string) => void}} ends it as dismissed with `reason`
 */
export function showNudge(ctx, doc) {
  const nudge = doc.nudge || {};
  const run = impression(doc);
  const preview = Boolean(doc.preview); // an author's preview reports nothing and leaves no record
  const event = (type, extra) => makeEvent(type, run, { url: location.href, now: Date.now(), extra });
  let surface = null;
  let search = null;
  let timer = null;
  let unwatch = () => {};

  function finish(outcome, events, extra) {
    if (search) search.cancel();
    clearTimeout(timer);
    unwatch();
    if (surface) surface.destroy();
    const shown = Boolean(surface);
    surface = null;
    search = null;
    ctx.report({ id: doc.id, outcome: shown ? outcome : null, events: shown ? events : [], end: true, preview, ...extra });
    ctx.done();
  }
  // A guide taking the screen was not the person's choice: reported, but not held against the nudge.
  const dismiss = (reason) => finish(reason === 'replaced' ? null : 'dismissed', [event('nudge_dismissed', { reason })]);

  function act(action, index) {
    const events = [event('nudge_action', { action: { index, label: action.label } })];
    if (action.dismiss) return finish('dismissed', [...events, event('nudge_dismissed', { reason: 'other' })]);
    const href = action.url && safeHref(action.url);
    if (href) window.open(href, '_blank', 'noopener,noreferrer');
    return finish('acted', events, action.start ? { start: action.start } : {});
  }

  function draw(target) {
    search = null;
    surface = openSurface(ctx.root, { kind: 'nudge', style: nudge.style, title: nudge.title || doc.title, target, placement: nudge.placement, onClose: dismiss });
    appendPlan(document, surface.content, stepBodyPlan(nudge));
    (nudge.actions || []).forEach((action, index) => {
      surface.footer.appendChild(button(document, action.label, index ? 'wm-button' : 'wm-button wm-primary', () => act(action, index)));
    });
    ctx.report({ id: doc.id, outcome: 'shown', events: [event('nudge_shown')], preview });
    // A cached nudge leaves at the end of its schedule, even with the service
    // unreachable (an author's preview ignores its schedule).
    const until = Date.parse(doc.schedule && doc.schedule.until) - Date.now();
    if (!preview && until < 2 ** 31) timer = setTimeout(() => finish(null, []), Math.max(0, until));
  }

  /** The page replaced the pointer's target (a re-render): point at the new one, or go. */
  function follow(target) {
    unwatch = watchDetached(document, target, () => {
      search = waitForTarget(document, nudge.target || {}, { waitMs: DEFAULT_WAIT_MS });
      search.promise.then((found) => {
        if (!search || !surface) return;
        search = null;
        if (!found.element) return finish(null, []);
        surface.anchorTo(found.element);
        return follow(found.element);
      });
    });
  }

  if (nudge.style === 'pointer') {
    search = waitForTarget(document, nudge.target || {}, { waitMs: DEFAULT_WAIT_MS });
    // A pointer whose target is not on the page shows nothing (and frees the screen).
    search.promise.then((found) => {
      if (!search) return;
      if (!found.element) return finish(null, []);
      draw(found.element);
      return follow(found.element);
    });
  } else {
    draw(null);
  }
  return { end: (reason) => (surface || search) && dismiss(reason) };
}
