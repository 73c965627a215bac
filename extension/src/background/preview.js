// Author mode: preview a guide from a file before publishing it.
//
// The service checks the file (POST /api/v1/guides/validate with the author
// token) and answers it as it would serve it once published, Markdown bodies
// rendered; so the preview shows exactly what employees will see. The preview
// then takes the place of a published guide with the same id:
// - it starts by itself on the pages it matches, whatever its `start`,
//   `audience` and `frequency` (the author is not its audience);
// - it replaces the run in progress, so it shows at once in open tabs;
// - its runs send no events and leave no history (reports stay the employees');
// - it ends with its run (Done, Close or Esc), or with "Stop preview".
import { postValidation } from './api.js';
import { guideMatchesUrl } from './guides.js';
import { STORAGE } from '../shared/keys.js';
import { injectOverlay } from './inject.js';

/** The guide being previewed, or null. */
export async function getPreview() {
  return (await chrome.storage.local.get(STORAGE.preview))[STORAGE.preview] || null;
}

/** The catalogue as the pages see it: the preview first, in place of its published namesake. */
export function withPreview(guides, preview) {
  if (!preview) return guides;
  return [preview, ...(guides || []).filter((guide) => guide.id !== preview.id)];
}

/** A served guide made into a preview: auto, for everyone, every time, marked. */
export function asPreview(served) {
  const { audience, ...rest } = served;
  return { ...rest, start: 'auto', frequency: 'always', preview: true };
}

/**
 * Parses a guide file's text; a syntax error names the file and where.
 * @returns {{document?: object, errors: {path: string, message: string}[]}}
 */
export function parseGuideText(text, fileName = 'the file') {
  try {
    return { document: JSON.parse(text), errors: [] };
  } catch (error) {
    return { errors: [{ path: '$', message: `${fileName} is not JSON: ${error.message}` }] };
  }
}

function problem(message) {
  return { ok: false, errors: [{ path: '$', message }], warnings: [] };
}

/** Asks the service to check a guide. Never throws: a failure is an answer with errors. */
export async function validateOnService(config, authorToken, document) {
  if (!config.backendUrl) return problem('No backend URL is set: fill it in above and save.');
  if (!authorToken) return problem('Previewing needs an author token (waymark token create --role author).');
  const response = await postValidation(config, authorToken, document);
  if (response.status === 0) return problem(`The service at ${config.backendUrl} did not answer (${response.error}).`);
  const { body } = response;
  if (!response.ok) {
    const message = body && body.error ? body.error.message : `HTTP ${response.status}`;
    return problem(`The service refused the check: ${message}`);
  }
  if (body && body.valid && !body.preview) {
    return problem(`The service at ${config.backendUrl} checks guides but does not preview them yet: update it.`);
  }
  return { ok: Boolean(body && body.valid), errors: (body && body.errors) || [], warnings: (body && body.warnings) || [], served: body && body.preview };
}

/** Stores the preview and shows it in the open tabs it matches. */
export async function startPreview(served) {
  const preview = asPreview(served);
  await chrome.storage.local.set({ [STORAGE.preview]: preview });
  const tabs = await chrome.tabs.query({});
  const matching = tabs.filter((tab) => tab.url && guideMatchesUrl(preview, tab.url));
  // Injecting again only re-syncs an overlay that is there already.
  await Promise.all(matching.map((tab) => injectOverlay(tab.id)));
  return { preview, tabs: matching.length };
}

export async function stopPreview() {
  const preview = await getPreview();
  await chrome.storage.local.remove(STORAGE.preview);
  return { stopped: Boolean(preview) };
}

/** What the options page shows about the preview. */
export function describePreview(preview) {
  if (!preview) return null;
  return { id: preview.id, title: preview.title, include: (preview.match && preview.match.include) || [] };
}
