// Shared setup for tests that run the real IndexedDB store under node.

import './vendor/fake-indexeddb-6.2.8/auto/index.mjs';
import { openStore } from '../../app/static/js/store.js';
import { SyncRunner } from '../../app/static/js/sync.js';

let users = 0;

/** A device: a fresh store for a fresh user id (or the given one) and a sync runner. */
export async function device(api, { userId, online = () => true, separate = false } = {}) {
  users += 1;
  const id = userId ?? `user-${users}-${Date.now()}`;
  // A second device of the same person needs its own IndexedDB, as a second phone has.
  if (separate) globalThis.indexedDB = new IDBFactory();
  const store = await openStore(id);
  const runner = new SyncRunner({
    store, api, lockName: `test-${id}`, locks: null, isOnline: online,
    timers: { set: () => null, clear: () => {} }, // retries are driven by the test itself
  });
  return { store, runner, userId: id };
}
