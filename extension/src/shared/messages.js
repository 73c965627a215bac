// Message types between loader, overlay, popup and service worker.
// The protocol is described in docs/extension.md.
export const MSG = {
  page: 'waymark:page', // loader -> worker: {url} -> {inject}
  navigated: 'waymark:navigated', // worker -> tab: {url} (history/fragment change)
  sync: 'waymark:sync', // overlay -> worker: {url, quiet} -> {guide, run} | {}
  transition: 'waymark:transition', // overlay -> worker: {run, events, ended}
  events: 'waymark:events', // anyone -> worker: {events}
  surfaces: 'waymark:surfaces', // overlay -> worker: {url} -> {tips, resources, guides, launcher} (help.js)
  popupList: 'waymark:popup-list', // popup -> worker: {tabId} -> {guides, active}
  start: 'waymark:start', // popup -> worker: {tabId, guideId}; the help panel sends {guideId} for its own tab
  flush: 'waymark:flush', // tests/options -> worker: send the queue now
  previewLoad: 'waymark:preview-load', // options -> worker: {text, fileName} -> {ok, errors, warnings, preview, tabs}
  previewStop: 'waymark:preview-stop', // options -> worker: {} -> {stopped}
  previewStatus: 'waymark:preview-status', // options -> worker: {} -> {preview}
  status: 'waymark:status', // options -> worker: {config, managed, queued, cache}
  pick: 'waymark:pick', // popup -> worker: {tabId} -> {started}; injects picker.js (author mode)
  outreach: 'waymark:outreach', // overlay -> worker: a nudge or survey {op, ...} (outreach.js)
  picked: 'waymark:picked', // picker -> worker: {target, warnings, url} -> {stored}
};
