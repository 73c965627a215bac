// A minimal in-memory stand-in for the chrome.* APIs the worker modules use,
// so queue.js and runs.js can be exercised by node's test runner.
export function installFakeChrome() {
  const local = new Map();
  const alarms = new Map();
  const tabs = [];
  const pick = (keys) => {
    const list = keys == null ? [...local.keys()] : Array.isArray(keys) ? keys : [keys];
    const out = {};
    for (const key of list) if (local.has(key)) out[key] = structuredClone(local.get(key));
    return out;
  };
  const chrome = {
    storage: {
      local: {
        get: async (keys) => pick(keys),
        set: async (items) => Object.entries(items).forEach(([k, v]) => local.set(k, structuredClone(v))),
        remove: async (keys) => [].concat(keys).forEach((k) => local.delete(k)),
      },
      managed: {
        get: async () => {
          throw new Error('no managed storage');
        },
      },
    },
    tabs: {
      // The open tabs' ids (tests set fake.tabs), for the claim on the screen (outreach.js).
      query: async () => tabs.map((id) => ({ id })),
      onRemoved: { addListener: () => {} },
    },
    alarms: {
      create: async (name, info) => alarms.set(name, info),
      clear: async (name) => alarms.delete(name),
      get: async (name) => alarms.get(name),
    },
  };
  globalThis.chrome = chrome;
  return { chrome, local, alarms, tabs };
}
