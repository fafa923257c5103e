// The device's copy of one person's records in IndexedDB, with the outbox of changes not
// yet on the server. One database per user id, so a second person on the same phone never
// sees or pushes the first one's data.
//
// Object stores:
//   records   {entity, id, server: {version, deleted, fields, created_at, updated_at} | null,
//              view: {deleted, fields, pending} | null, local_created_at}
//             `server` is what the server confirmed; `view` is that with the pending outbox
//             laid on top, which is what screens show.
//   outbox    the mutations of design §4, keyed by their increasing id
//   meta      client_id, next_mutation_id, acked (highest id the server acknowledged),
//             cursor (the pull cursor), and small app settings
//   rejected  mutations the server refused, with its reason, until fixed or discarded

import { deleteDB, openDB } from '../vendor/idb-8.0.4.js';
import {
  MAX_BATCH, byRecord, changedFields, compact, makeMutation, newId, nextBatch, overlay,
  pushOutcome, resequence, settledIds,
} from './outbox.js';

const SCHEMA_VERSION = 1;

export const dbName = (userId) => `pacewise-${userId}`;

/** Open (creating or upgrading) the database of `userId`. */
export async function openStore(userId) {
  let store = null;
  const db = await openDB(dbName(userId), SCHEMA_VERSION, {
    upgrade(database, oldVersion) {
      if (oldVersion < 1) {
        const records = database.createObjectStore('records', { keyPath: ['entity', 'id'] });
        records.createIndex('entity', 'entity');
        const outbox = database.createObjectStore('outbox', { keyPath: 'id' });
        outbox.createIndex('record', ['entity', 'record_id']);
        database.createObjectStore('meta');
        database.createObjectStore('rejected', { keyPath: 'key', autoIncrement: true });
      }
    },
    blocking() {
      // Another tab deletes this database (sign-out) or upgrades it: let go and start over.
      store?.close();
      store?.dispatchEvent(new Event('closed'));
    },
  });
  store = new Store(db, userId);
  await store.init();
  return store;
}

/** Delete the whole local database of `userId` (sign-out). */
export async function deleteStore(userId) {
  await deleteDB(dbName(userId));
}

function toItem(row) {
  if (!row?.view || row.view.deleted) return null;
  return {
    ...row.view.fields,
    id: row.id,
    entity: row.entity,
    version: row.server?.version ?? 0,
    pending: row.view.pending,
    created_at: row.server?.created_at ?? row.local_created_at ?? null,
    updated_at: row.server?.updated_at ?? null,
  };
}

export class Store extends EventTarget {
  constructor(db, userId) {
    super();
    this.db = db;
    this.userId = userId;
    this.channel = typeof BroadcastChannel === 'function'
      ? new BroadcastChannel(`pacewise-${userId}`) : null;
    if (this.channel) {
      this.channel.onmessage = (event) => {
        this.dispatchEvent(new CustomEvent(event.data?.type === 'signed-out' ? 'signed-out' : 'change',
          { detail: { source: 'other-tab' } }));
      };
    }
  }

  async init() {
    const tx = this.db.transaction('meta', 'readwrite');
    if (!(await tx.store.get('client_id'))) await tx.store.put(newId(), 'client_id');
    for (const [key, initial] of [['next_mutation_id', 1], ['cursor', 0], ['acked', 0]]) {
      if ((await tx.store.get(key)) === undefined) await tx.store.put(initial, key);
    }
    await tx.done;
  }

  close() {
    this.channel?.close();
    this.db.close();
  }

  changed(source) {
    this.dispatchEvent(new CustomEvent('change', { detail: { source } }));
    this.channel?.postMessage({ type: 'change' });
  }

  announceSignOut() {
    this.channel?.postMessage({ type: 'signed-out' });
  }

  // -- reading ------------------------------------------------------------------------

  async list(entity) {
    const rows = await this.db.getAllFromIndex('records', 'entity', entity);
    return rows.map(toItem).filter(Boolean);
  }

  async get(entity, id) {
    return toItem(await this.db.get('records', [entity, id]));
  }

  async getMeta(key) {
    return this.db.get('meta', key);
  }

  async setMeta(key, value) {
    await this.db.put('meta', value, key);
  }

  /** Changes not yet acknowledged by the server, and changes it refused. */
  async counts() {
    const tx = this.db.transaction(['outbox', 'meta', 'rejected']);
    const acked = await tx.objectStore('meta').get('acked');
    const pending = await tx.objectStore('outbox').count(IDBKeyRange.lowerBound(acked ?? 0, true));
    const rejected = await tx.objectStore('rejected').count();
    await tx.done;
    return { pending, rejected };
  }

  async rejectedList() {
    return this.db.getAll('rejected');
  }

  async discardRejected(key) {
    await this.db.delete('rejected', key);
    this.changed('rejected');
  }

  // -- local writes -------------------------------------------------------------------

  /**
   * Save `values` for a record and append the mutation that carries them, in one
   * transaction. A new record sends its non-empty fields; an edit sends only what
   * changed, on the version it was made on. Returns the mutation, or null if nothing changed.
   */
  async write(entity, id, values, { op = 'upsert' } = {}) {
    const tx = this.db.transaction(['records', 'outbox', 'meta'], 'readwrite');
    const records = tx.objectStore('records');
    const outbox = tx.objectStore('outbox');
    const meta = tx.objectStore('meta');
    const row = await records.get([entity, id]);
    const current = row?.view && !row.view.deleted ? row.view.fields : null;
    let fields;
    if (op === 'upsert') {
      fields = current ? changedFields(current, values) : compact(values);
      if (Object.keys(fields).length === 0) {
        await tx.done;
        return null;
      }
    }
    const mutationId = await meta.get('next_mutation_id');
    const mutation = makeMutation({ id: mutationId, entity, op, recordId: id,
      baseVersion: row?.server?.version ?? 0, fields });
    await outbox.add(mutation);
    await meta.put(mutationId + 1, 'next_mutation_id');
    const pending = await outbox.index('record').getAll([entity, id]);
    await records.put({
      entity, id,
      server: row?.server ?? null,
      view: overlay(row?.server ?? null, pending),
      local_created_at: row?.local_created_at ?? new Date().toISOString(),
    });
    await tx.done;
    this.changed('local');
    return mutation;
  }

  remove(entity, id) {
    return this.write(entity, id, {}, { op: 'delete' });
  }

  /** Ask the browser to keep this data under storage pressure, once, after the first save. */
  async persistOnce() {
    if (await this.getMeta('persist_asked')) return;
    await this.setMeta('persist_asked', true);
    try {
      await globalThis.navigator?.storage?.persist?.();
    } catch {
      // Refusal is fine: the data still stays unless the browser runs out of space.
    }
  }

  // -- sync ---------------------------------------------------------------------------

  async clientId() {
    return this.getMeta('client_id');
  }

  async cursor() {
    return this.getMeta('cursor');
  }

  /** The next mutations to push (not yet acknowledged), at most 500, in order. */
  async nextBatch() {
    const tx = this.db.transaction(['outbox', 'meta']);
    const acked = (await tx.objectStore('meta').get('acked')) ?? 0;
    const rows = await tx.objectStore('outbox').getAll(IDBKeyRange.lowerBound(acked, true), MAX_BATCH);
    await tx.done;
    return nextBatch(rows, acked);
  }

  /** Record a push answer: acknowledged ids, applied versions, rejected mutations. */
  async recordPush(batch, response) {
    const outcome = pushOutcome(batch, response);
    const tx = this.db.transaction(['records', 'outbox', 'meta', 'rejected'], 'readwrite');
    const meta = tx.objectStore('meta');
    const outbox = tx.objectStore('outbox');
    const acked = (await meta.get('acked')) ?? 0;
    await meta.put(Math.max(acked, outcome.lastMutationId ?? 0), 'acked');
    for (const [id, version] of Object.entries(outcome.versions)) {
      const row = await outbox.get(Number(id));
      if (row) await outbox.put({ ...row, ack_version: version });
    }
    const touched = new Map();
    for (const { mutation, error, detail } of outcome.rejected) {
      await outbox.delete(mutation.id);
      await tx.objectStore('rejected').add({ mutation, error, detail, at: new Date().toISOString() });
      touched.set(`${mutation.entity}:${mutation.record_id}`, [mutation.entity, mutation.record_id]);
    }
    await refreshViews(tx, touched.values());
    await tx.done;
    if (outcome.rejected.length) this.changed('sync');
    return outcome;
  }

  /**
   * Apply one pulled page and delete the outbox rows it settles, in one transaction.
   * With `reset`, the server-confirmed copy is dropped first (the outbox stays).
   */
  async applyPage(page, { reset = false } = {}) {
    const tx = this.db.transaction(['records', 'outbox', 'meta'], 'readwrite');
    const records = tx.objectStore('records');
    const outbox = tx.objectStore('outbox');
    const meta = tx.objectStore('meta');
    if (reset) {
      await records.clear();
      for (const pending of byRecord(await outbox.getAll()).values()) {
        const { entity, record_id: id } = pending[0];
        await records.put({ entity, id, server: null, view: overlay(null, pending),
          local_created_at: new Date().toISOString() });
      }
    }
    const acked = (await meta.get('acked')) ?? 0;
    await meta.put(Math.max(acked, page.last_mutation_id ?? 0), 'acked');
    const rows = await outbox.getAll();
    const settled = new Set(settledIds(rows, {
      lastMutationId: page.last_mutation_id ?? 0, cursor: page.cursor, more: page.more,
    }));
    const touched = new Map();
    for (const row of rows) {
      if (!settled.has(row.id)) continue;
      await outbox.delete(row.id);
      touched.set(`${row.entity}:${row.record_id}`, [row.entity, row.record_id]);
    }
    for (const change of page.changes ?? []) {
      const key = [change.entity, change.id];
      const row = await records.get(key);
      const server = {
        version: change.version, deleted: Boolean(change.deleted), fields: change.fields ?? {},
        created_at: change.created_at ?? null, updated_at: change.updated_at ?? null,
      };
      const pending = await outbox.index('record').getAll(key);
      await records.put({ entity: change.entity, id: change.id, server,
        view: overlay(server, pending), local_created_at: row?.local_created_at ?? null });
      touched.delete(`${change.entity}:${change.id}`);
    }
    await refreshViews(tx, touched.values());
    await meta.put(page.cursor, 'cursor');
    await tx.done;
    if ((page.changes ?? []).length || settled.size || reset) this.changed('sync');
  }

  /** After a 409 mutation_gap: renumber what the server lacks from its last id + 1. */
  async resequence(serverLast) {
    const tx = this.db.transaction(['outbox', 'meta'], 'readwrite');
    const outbox = tx.objectStore('outbox');
    const { rows, nextId } = resequence(await outbox.getAll(), serverLast);
    await outbox.clear();
    for (const row of rows) await outbox.put(row);
    await tx.objectStore('meta').put(nextId, 'next_mutation_id');
    await tx.objectStore('meta').put(serverLast, 'acked');
    await tx.done;
  }

  /** The client id belongs to someone else (403 client_id_taken): start as a new client. */
  async renewClient() {
    await this.setMeta('client_id', newId());
    await this.resequence(0);
  }
}

async function refreshViews(tx, keys) {
  const records = tx.objectStore('records');
  const outbox = tx.objectStore('outbox');
  for (const key of keys) {
    const row = await records.get(key);
    const pending = await outbox.index('record').getAll(key);
    const view = overlay(row?.server ?? null, pending);
    if (view === null) {
      if (row) await records.delete(key);
    } else {
      await records.put({ entity: key[0], id: key[1], server: row?.server ?? null, view,
        local_created_at: row?.local_created_at ?? null });
    }
  }
}
