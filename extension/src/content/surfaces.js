// The surfaces beside a guide's run, one module per kind of served document:
// `tips` documents become tips (tips.js), and what the help panel lists
// (guides, tips, `resources` links) hangs off the launcher (launcher.js,
// panel.js). main.js calls sync() with the run's sync and destroy() with it.
//
// A page view is one document at one URL (fragment aside): its id is the
// `run_id` of the events of tips and links, and a tip is reported shown at
// most once in it. The panel's own events (panel_opened, panel_search) belong
// to no document and no run, and the worker sends searches without a user.
import { makeEvent } from '../shared/events.js';
import { MSG } from '../shared/messages.js';
import { toWorker } from './events.js';
import { renderLauncher } from './launcher.js';
import { panelItems, renderPanel } from './panel.js';
import { showNudge } from './nudge.js';
import { showSurvey } from './survey.js';
import { createTips } from './tips.js';

// Which module draws each kind of served document that is not a guide (a
// guide is main.js's run): `tips` (tips.js) and `resources` (panel.js) are
// drawn together, once per sync, by createSurfaces below; a `nudge`
// (nudge.js) or a `survey` (survey.js) takes the screen alone, one at a
// time, in the host main.js opens from the same shareHost.
const DRAWN_ALONE = { nudge: showNudge, survey: showSurvey }; // kind -> (ctx, doc) => {end(reason)}

/** The drawer of a nudge or survey document (null for any other kind). */
export function drawerOf(kind) {
  return Object.hasOwn(DRAWN_ALONE, kind) ? DRAWN_ALONE[kind] : null;
}

const NOTHING = { tips: [], resources: [], guides: [], launcher: null };

/** What identifies the surfaces drawn: the page, the documents and their versions, the launcher. */
export function surfacesKey(page, surfaces) {
  const docs = [...surfaces.tips, ...surfaces.resources, ...surfaces.guides].map((d) => `${d.id}@${d.version}${d.preview ? 'p' : ''}`);
  return JSON.stringify([page, docs, surfaces.launcher]);
}

export function createSurfaces(hosts) {
  let key = null;
  let page = null;
  let pageView = null;
  let drawn = null; // {host, tips, launcher, panel, surfaces}
  let generation = 0;

  /** Queues an event about `doc` (null: the panel itself); an author's preview is never counted. */
  function send(doc, type, { step, stepIndex, extra } = {}) {
    if (doc && doc.preview) return;
    const event = doc
      ? makeEvent(type, { guide_id: doc.id, version: doc.version, run_id: pageView }, { step, stepIndex, url: location.href, now: Date.now(), extra })
      : { id: crypto.randomUUID(), type, url: location.href, at: new Date().toISOString(), ...extra };
    toWorker({ type: MSG.events, events: [event] });
  }

  function teardown() {
    if (!drawn) return;
    closePanel(false);
    if (drawn.tips) drawn.tips.destroy();
    if (drawn.launcher) drawn.launcher.remove();
    hosts.release();
    drawn = null;
  }

  function closePanel(refocus = true) {
    if (!drawn || !drawn.panel) return;
    drawn.panel.destroy();
    drawn.panel = null;
    drawn.launcher.setAttribute('aria-expanded', 'false');
    if (refocus) drawn.launcher.focus({ preventScroll: true });
  }

  function openPanel() {
    const { surfaces, host } = drawn;
    const items = panelItems({ guides: surfaces.guides, tips: drawn.tips ? drawn.tips.list() : [], resources: surfaces.resources });
    const title = (surfaces.resources[0] && surfaces.resources[0].title) || 'Help';
    drawn.panel = renderPanel(host.root, { title, corner: surfaces.launcher, items }, {
      onClose: () => closePanel(),
      onPick(item) {
        closePanel(false);
        if (item.guide) toWorker({ type: MSG.start, guideId: item.guide.id, source: { kind: 'panel' } });
        else drawn.tips.reveal(item.tip.entry, drawn.launcher);
      },
      onLink: (item) => send(item.doc, 'resource_opened', { step: { id: `link-${item.index}` }, stepIndex: item.index, extra: { resource: { title: item.title, url: item.href } } }),
      onSearch: (query, results) => send(null, 'panel_search', { extra: { query: query.slice(0, 200), results } }),
    });
    drawn.launcher.setAttribute('aria-expanded', 'true');
    send(null, 'panel_opened');
  }

  function draw(surfaces) {
    const host = hosts.acquire();
    drawn = { host, surfaces, tips: null, launcher: null, panel: null };
    if (surfaces.tips.length) {
      drawn.tips = createTips(host, {
        documents: surfaces.tips,
        report: (entry, type, extra) => send(entry.doc, type, { step: entry.tip, stepIndex: entry.index, extra }),
      });
    }
    if (surfaces.launcher) {
      drawn.launcher = renderLauncher(host.root, surfaces.launcher, () => (drawn.panel ? closePanel() : openPanel()));
    }
  }

  return {
    /** Asks the worker what belongs on this page and draws it; the same answer again changes nothing. */
    async sync(url) {
      const mine = ++generation;
      const answer = await toWorker({ type: MSG.surfaces, url });
      if (mine !== generation) return;
      const surfaces = answer && Array.isArray(answer.tips) ? answer : NOTHING;
      const here = url.split('#')[0];
      const next = surfacesKey(here, surfaces);
      if (next === key) return;
      teardown();
      key = next;
      if (here !== page) {
        page = here;
        pageView = crypto.randomUUID();
      }
      const something = surfaces.tips.length || surfaces.resources.length || surfaces.guides.length;
      if (something) draw(surfaces);
    },
    destroy() {
      generation += 1;
      teardown();
      key = null;
    },
  };
}

/** Whether focus is on a tip, a beacon, the launcher or the panel in the shared host (a step's is the run's). */
export function surfaceHasFocus(root) {
  const active = root.activeElement;
  return Boolean(active && active.closest('[data-kind]:not([data-kind=step])'));
}
