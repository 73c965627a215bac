// chrome.storage has no transactions; read-modify-write sequences on the same
// key from concurrent messages would lose updates. Each kind of state gets a
// lock: a promise chain its sequences run through. (A chain in a global is
// enough: storage outlives the worker, and a new worker starts unlocked.)

/** @returns {(task: () => Promise<any>) => Promise<any>} runs tasks one after another */
export function createLock() {
  let tail = Promise.resolve();
  return function serialized(task) {
    const result = tail.then(task);
    tail = result.catch(() => {});
    return result;
  };
}
