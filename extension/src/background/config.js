// Configuration: backendUrl, token, user, role. An administrator's managed
// policy (chrome.storage.managed) wins key by key over chrome.storage.local,
// which the options page and the e2e suite write. Read fresh on every use:
// the worker may be restarted at any time and the values change live.
//
// chrome.storage.managed.get does not answer until Chromium's policy service
// has initialised, about 3 s after every browser start (measured: 2.7-4.7 s,
// with or without a policy; ~1 ms afterwards). Waiting for it held the first
// guided page of every session back by that much. So the policy store gets a
// short grace; when it has not answered by then, the last answer it gave
// (remembered in chrome.storage.local) stands in, or nothing when it never
// answered, as long as that leaves a backend to talk to. Its late answer is
// remembered, and a difference that changes the guides drops the cache
// (lifecycle.js), as a live policy change does.
import { CONFIG_KEYS, LAUNCHER_KEY, STORAGE, SURVEY_GAP_KEY } from '../shared/keys.js';
import { createLock } from './lock.js';

const serialized = createLock(); // guards the generated user id

/** How long a read waits for a policy store that is still starting. */
export const MANAGED_GRACE_MS = 100;

/** Merges managed over local; returns the config and the keys the policy set. */
export function mergeConfig(managed, local) {
  const config = {};
  const managedKeys = [];
  for (const key of CONFIG_KEYS) {
    const fromPolicy = managed && managed[key];
    if (typeof fromPolicy === 'string' && fromPolicy !== '') {
      config[key] = fromPolicy;
      managedKeys.push(key);
    } else {
      config[key] = (local && typeof local[key] === 'string' && local[key]) || '';
    }
  }
  config.backendUrl = config.backendUrl.trim().replace(/\/+$/, '');
  return { config, managedKeys };
}

/** The policy's values, only the non-empty strings of the configuration keys. */
export function pickManaged(managed) {
  const picked = {};
  for (const key of CONFIG_KEYS) {
    if (managed && typeof managed[key] === 'string' && managed[key] !== '') picked[key] = managed[key];
  }
  return picked;
}

/**
 * While the policy store has not answered: the managed values to go on with
 * (the remembered answer, else none), or null when those leave no backend
 * URL, so the read has to wait for the store (nothing could work without it).
 */
export function provisionalManaged(remembered, local) {
  const managed = pickManaged(remembered);
  return mergeConfig(managed, local).config.backendUrl ? managed : null;
}

/** Whether two policy answers differ in a key that changes which guides apply. */
export function guideKeysDiffer(before, after) {
  const a = pickManaged(before);
  const b = pickManaged(after);
  return ['backendUrl', 'token', 'role'].some((key) => a[key] !== b[key]);
}

let pending = null; // the policy store read not yet answered: {promise, waited}

function readManagedLive() {
  if (pending) return pending;
  const read = { waited: false };
  read.promise = Promise.resolve()
    .then(() => chrome.storage.managed.get(CONFIG_KEYS))
    // No policy store on this platform, or no schema: nothing is managed.
    .then(pickManaged, () => ({}))
    .then(async (managed) => {
      if (pending === read) pending = null;
      await remember(managed);
      return managed;
    });
  pending = read;
  return read;
}

let rememberedJson = null; // what this worker last remembered: skips a storage read per config read

async function remember(managed) {
  const json = JSON.stringify(managed);
  if (json === rememberedJson) return;
  try {
    const stored = (await chrome.storage.local.get(STORAGE.managed))[STORAGE.managed];
    if (!stored || JSON.stringify(pickManaged(stored)) !== JSON.stringify(managed)) {
      await chrome.storage.local.set({ [STORAGE.managed]: managed });
    }
    rememberedJson = json;
  } catch (error) {
    console.warn('Waymark: could not remember the policy', error);
  }
}

const TIMED_OUT = Symbol('timed out');

function within(promise, ms) {
  let timer;
  const timeout = new Promise((resolve) => (timer = setTimeout(resolve, ms, TIMED_OUT)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** The policy's values: live when the store answers within the grace, else provisional. */
async function settleManaged(read, local) {
  // A read that already outlasted one grace is not waited for again.
  const live = await within(read.promise, read.waited ? 0 : MANAGED_GRACE_MS);
  if (live !== TIMED_OUT) return live;
  read.waited = true;
  return provisionalManaged(local[STORAGE.managed], local) || read.promise;
}

/** The pseudonymous id used when nobody configured a user: random, stored once. */
function ensureUserId() {
  return serialized(async () => {
    const { user } = await chrome.storage.local.get('user');
    if (user) return user;
    const generated = `anon-${crypto.randomUUID()}`;
    await chrome.storage.local.set({ user: generated });
    return generated;
  });
}

/** @returns {Promise<{config: {backendUrl, token, user, role}, managedKeys: string[]}>} */
export async function readConfig() {
  const read = readManagedLive();
  const local = await chrome.storage.local.get([...CONFIG_KEYS, STORAGE.managed]);
  const managed = await settleManaged(read, local);
  const merged = mergeConfig(managed, local);
  if (!merged.config.user) merged.config.user = await ensureUserId();
  return merged;
}

/** Where the help panel's launcher may sit; `off` hides it. */
export const LAUNCHER_CORNERS = ['bottom-right', 'bottom-left', 'top-right', 'top-left'];

/**
 * The launcher's corner, or null when it is off: the policy's value wins
 * over the options page's; anything unknown (or nothing) is the default,
 * on, bottom-right.
 */
export function launcherCorner(managed, local) {
  const known = (value) => value === 'off' || LAUNCHER_CORNERS.includes(value);
  const value = [managed, local].map((store) => store && store[LAUNCHER_KEY]).find(known) || LAUNCHER_CORNERS[0];
  return value === 'off' ? null : value;
}

/** The launcher setting now. The policy store gets the same grace as for the configuration. */
export async function readLauncher() {
  const local = await chrome.storage.local.get(LAUNCHER_KEY);
  const managed = await within(Promise.resolve().then(() => chrome.storage.managed.get(LAUNCHER_KEY)), MANAGED_GRACE_MS).catch(() => null);
  return launcherCorner(managed === TIMED_OUT ? null : managed, local);
}

/**
 * Days between two surveys, as set: the policy's value when its store answers
 * within the grace, else the options page's (undefined: dnd.js's default).
 * A number or a numeric string.
 */
export async function readSurveyGapDays() {
  const local = await chrome.storage.local.get(SURVEY_GAP_KEY);
  const read = Promise.resolve().then(() => chrome.storage.managed.get(SURVEY_GAP_KEY)).catch(() => ({}));
  const live = await within(read, MANAGED_GRACE_MS);
  const fromPolicy = live !== TIMED_OUT && live ? live[SURVEY_GAP_KEY] : undefined;
  return fromPolicy !== undefined && fromPolicy !== '' ? fromPolicy : local[SURVEY_GAP_KEY];
}
