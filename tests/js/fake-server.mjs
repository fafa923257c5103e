// A small in-memory server that speaks sync protocol v1 (design §4) for node tests of the
// real store.js and sync.js: per-patient versions, per-client last_mutation_id, duplicates,
// gaps, rejections, tombstones and paged pulls. It models the contract, not our Python code.

import { ApiError, NetworkError } from '../../app/static/js/api.js';

export class FakeServer {
  constructor() {
    this.version = 0;
    this.records = new Map(); // "entity:id" -> {entity, id, version, deleted, fields}
    this.clients = new Map(); // client_id -> last_mutation_id
    this.pushes = [];
    this.pulls = [];
    this.purgedThrough = 0;
  }

  push(clientId, mutations) {
    this.pushes.push(mutations.map((m) => m.id));
    const stored = this.clients.get(clientId) ?? 0;
    let expected = stored + 1;
    for (const m of mutations) {
      if (m.id <= stored) continue;
      if (m.id !== expected) {
        throw new ApiError(409, { error: 'mutation_gap', detail: `mutation ${m.id} skips ahead`, last_mutation_id: stored });
      }
      expected += 1;
    }
    const results = [];
    let last = stored;
    for (const m of mutations) {
      if (m.id <= stored) {
        results.push({ id: m.id, status: 'duplicate' });
        continue;
      }
      last = m.id;
      const problem = this.check(m);
      if (problem) {
        results.push({ id: m.id, status: 'rejected', ...problem });
        continue;
      }
      this.version += 1;
      const key = `${m.entity}:${m.record_id}`;
      const old = this.records.get(key);
      const record = m.op === 'delete'
        ? { entity: m.entity, id: m.record_id, version: this.version, deleted: true, fields: {} }
        : { entity: m.entity, id: m.record_id, version: this.version, deleted: false,
          fields: { ...(old?.fields ?? {}), ...m.fields } };
      this.records.set(key, record);
      results.push({ id: m.id, status: 'applied', version: this.version });
    }
    this.clients.set(clientId, last);
    return { last_mutation_id: last, results };
  }

  check(m) {
    const old = this.records.get(`${m.entity}:${m.record_id}`);
    if (old?.deleted) return { error: 'deleted', detail: `${m.entity} ${m.record_id} was deleted` };
    if (m.op === 'delete') return old ? null : { error: 'not_found', detail: `no ${m.entity} ${m.record_id}` };
    if (m.entity === 'diary_entry') {
      const pain = m.fields.pain ?? old?.fields.pain;
      if (!Number.isInteger(pain) || pain < 0 || pain > 10) return { error: 'validation', detail: `pain ${pain} is outside 0–10` };
    }
    return null;
  }

  pull(cursor, clientId, limit = 500) {
    this.pulls.push(cursor);
    const last = this.clients.get(clientId) ?? 0;
    if (cursor > 0 && cursor < this.purgedThrough) {
      return { cursor: 0, more: true, reset: true, last_mutation_id: last, changes: [] };
    }
    const newer = [...this.records.values()].filter((r) => r.version > cursor)
      .sort((a, b) => a.version - b.version);
    const page = newer.slice(0, limit);
    return {
      cursor: page.length ? page[page.length - 1].version : cursor,
      more: newer.length > limit, reset: false, last_mutation_id: last,
      changes: page.map((r) => ({ entity: r.entity, id: r.id, version: r.version, deleted: r.deleted,
        created_at: null, updated_at: null, fields: structuredClone(r.fields) })),
    };
  }

  /** Remove tombstones, as `pacewise purge-tombstones` does. */
  purgeTombstones() {
    for (const [key, record] of this.records) {
      if (record.deleted) {
        this.purgedThrough = Math.max(this.purgedThrough, record.version);
        this.records.delete(key);
      }
    }
  }

  get(entity, id) {
    return this.records.get(`${entity}:${id}`);
  }

  live(entity) {
    return [...this.records.values()].filter((r) => r.entity === entity && !r.deleted);
  }
}

/**
 * The api object sync.js expects, talking to `server`. `faults` can make the next calls
 * fail: 'offline' (nothing reaches the server), 'lost' (the server commits, the answer is
 * lost), or an ApiError to throw.
 */
export function fakeApi(server, { pageSize = 500 } = {}) {
  const api = {
    faults: [],
    push: async (clientId, mutations) => {
      const fault = api.faults.shift();
      if (fault === 'offline') throw new NetworkError('offline');
      if (fault instanceof ApiError) throw fault;
      const answer = server.push(clientId, structuredClone(mutations));
      if (fault === 'lost') throw new NetworkError('connection reset');
      return answer;
    },
    pull: async (cursor, clientId) => {
      const fault = api.faults.shift();
      if (fault === 'offline') throw new NetworkError('offline');
      if (fault instanceof ApiError) throw fault;
      return server.pull(cursor, clientId, pageSize);
    },
  };
  return api;
}
