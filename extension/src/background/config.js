// Configuration: backendUrl, token, user, role. An administrator's managed
// policy (chrome.storage.managed) wins key by key over chrome.storage.local,
// which the options page and the e2e suite write. Read fresh on every use:
// the worker may be restarted at any time and the values change live.
import { CONFIG_KEYS } from '../shared/keys.js';
import { createLock } from './lock.js';

const serialized = createLock(); // guards the generated user id

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

async function readManaged() {
  try {
    return (await chrome.storage.managed.get(CONFIG_KEYS)) || {};
  } catch {
    // No policy store on this platform, or no schema: nothing is managed.
    return {};
  }
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
  const [managed, local] = await Promise.all([readManaged(), chrome.storage.local.get(CONFIG_KEYS)]);
  const merged = mergeConfig(managed, local);
  if (!merged.config.user) merged.config.user = await ensureUserId();
  return merged;
}
