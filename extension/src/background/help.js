// What a page gets besides a guide's run: the tips documents that match it,
// and what its help panel lists (guides, tips, links of resources documents).
// `surfacesForPage` is pure; `surfacesFor` reads the catalogue and settings.
import { readLauncher } from './config.js';
import { documentsForPage, guidesForPage } from './guides.js';
import { gather } from './pages.js';

/**
 * @returns {{tips: object[], resources: object[], guides: {id, version, title, description, start}[], launcher: string|null}}
 *   `launcher` is the corner of the Help button, null when the operator turned it off.
 */
export function surfacesForPage(catalogue, url, role, launcher) {
  return {
    tips: documentsForPage(catalogue, url, role, 'tips'),
    resources: launcher ? documentsForPage(catalogue, url, role, 'resources') : [],
    guides: launcher ? guidesForPage(catalogue, url, role).map(({ id, version, title, description, start }) => ({ id, version, title, description, start })) : [],
    launcher,
  };
}

/** Whether the page needs the overlay for these surfaces (a guide's run aside). */
export function surfacesNeedOverlay(surfaces) {
  return surfaces.tips.length > 0 || surfaces.resources.length > 0 || surfaces.guides.length > 0;
}

export async function surfacesFor(url) {
  const [context, launcher] = await Promise.all([gather(), readLauncher()]);
  return surfacesForPage(context.guides, url, context.config.role, launcher);
}
