// The only module that talks to the backend. A content script's fetch would
// be bound by the host page's CSP and CORS; the worker's is not.
import { STORAGE } from '../shared/keys.js';

/** Guides younger than this are served from the cache without asking. */
export const GUIDES_MAX_AGE_MS = 60 * 1000;
const REQUEST_TIMEOUT_MS = 10 * 1000;

function headers(config, extra = {}) {
  const result = { Accept: 'application/json', ...extra };
  if (config.token) result.Authorization = `Bearer ${config.token}`;
  return result;
}

function guidesUrl(config) {
  const url = new URL(`${config.backendUrl}/api/v1/guides`);
  if (config.role) url.searchParams.set('role', config.role);
  return url.toString();
}

/** Identifies what a cache entry was fetched for: a new backend or role invalidates it. */
export function cacheKey(config) {
  return `${config.backendUrl}|${config.role}`;
}

async function readCache() {
  return (await chrome.storage.local.get(STORAGE.guideCache))[STORAGE.guideCache];
}

async function writeCache(entry) {
  await chrome.storage.local.set({ [STORAGE.guideCache]: entry });
}

export async function clearGuideCache() {
  await chrome.storage.local.remove(STORAGE.guideCache);
}

// Requests in flight by cache key: several tabs loading at once share one, but a tab
// asking for another role or backend (the options just changed) gets its own.
const inFlight = new Map();

/**
 * The guides for the configured role: from the cache when fresh, else from
 * the backend (ETag revalidation), else — backend down — from the stale cache.
 */
export async function getGuides(config, { now = Date.now() } = {}) {
  if (!config.backendUrl) return [];
  const key = cacheKey(config);
  const cached = await readCache();
  const usable = cached && cached.key === key ? cached : null;
  if (usable && now - usable.fetchedAt < GUIDES_MAX_AGE_MS) return usable.guides;
  let request = inFlight.get(key);
  if (!request) {
    request = refreshGuides(config, usable, key).finally(() => inFlight.delete(key));
    inFlight.set(key, request);
  }
  return request;
}

async function refreshGuides(config, usable, key) {
  try {
    const extra = usable && usable.etag ? { 'If-None-Match': usable.etag } : {};
    const response = await fetch(guidesUrl(config), {
      headers: headers(config, extra),
      cache: 'no-store',
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    if (response.status === 304 && usable) {
      await writeCache({ ...usable, fetchedAt: Date.now() });
      return usable.guides;
    }
    if (!response.ok) throw new Error(`GET guides answered ${response.status}`);
    const body = await response.json();
    const guides = Array.isArray(body && body.guides) ? body.guides : [];
    await writeCache({ key, etag: response.headers.get('ETag') || '', fetchedAt: Date.now(), guides });
    return guides;
  } catch (error) {
    console.warn('Waymark: guides unavailable, using the cache', error);
    return usable ? usable.guides : [];
  }
}

/**
 * POSTs `payload` as JSON with `token`; answers {status, ok, body} (body null
 * when the answer is not JSON). Throws when the service does not answer.
 */
async function postJson(url, token, payload) {
  const response = await fetch(url, {
    method: 'POST',
    headers: headers({ token }, { 'Content-Type': 'application/json' }),
    body: JSON.stringify(payload),
    cache: 'no-store',
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  const body = await response.json().catch(() => null);
  return { status: response.status, ok: response.ok, body };
}

/**
 * Sends one batch. Never throws: a network failure is status 0.
 * @returns {Promise<{status: number, body: any}>}
 */
export async function postEvents(config, events) {
  try {
    const { status, body } = await postJson(`${config.backendUrl}/api/v1/events`, config.token, { events });
    return { status, body };
  } catch (error) {
    console.warn('Waymark: events not sent', error);
    return { status: 0, body: null };
  }
}

/**
 * Asks the service to check a guide file (author mode: the author token, not
 * the extension's). Never throws: no answer is status 0 with `error` saying why.
 * @returns {Promise<{status: number, ok: boolean, body: any, error?: string}>}
 */
export async function postValidation(config, authorToken, document) {
  try {
    return await postJson(`${config.backendUrl}/api/v1/guides/validate`, authorToken, document);
  } catch (error) {
    return { status: 0, ok: false, body: null, error: error.message };
  }
}
