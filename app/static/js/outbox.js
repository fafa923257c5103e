// The pure rules of the local store (design §4): what a local edit sends, how pending
// edits are laid over the server's state, and what a sync answer lets the device forget.
// No browser APIs here, so node's test runner checks every rule.

export const MAX_BATCH = 500;

const canonical = (value) => JSON.stringify(value ?? null);

/** Same value for sync purposes: undefined and null are alike; lists compare by content. */
export function sameValue(a, b) {
  return canonical(a) === canonical(b);
}

/** The fields of a new record worth sending: empty values left out. */
export function compact(values) {
  const out = {};
  for (const [key, value] of Object.entries(values)) {
    if (value === undefined || value === null || value === '') continue;
    if (Array.isArray(value) && value.length === 0) continue;
    out[key] = value;
  }
  return out;
}

/** The fields an edit changed, with their new values (null clears a field). */
export function changedFields(before, after) {
  const out = {};
  for (const [key, value] of Object.entries(after)) {
    if (value === undefined) continue;
    const next = value === '' ? null : value;
    if (!sameValue(before[key], next)) out[key] = next;
  }
  return out;
}

/**
 * A record as the screen shows it: the server-confirmed state with the pending outbox
 * mutations for it applied in order. `server` is {version, deleted, fields} or null;
 * the answer is null when neither side knows the record.
 */
export function overlay(server, pending = []) {
  if (!server && pending.length === 0) return null;
  let deleted = server ? Boolean(server.deleted) : false;
  let fields = server && !server.deleted ? { ...server.fields } : {};
  for (const mutation of [...pending].sort((a, b) => a.id - b.id)) {
    if (mutation.op === 'delete') {
      deleted = true;
      fields = {};
    } else if (!deleted) {
      fields = { ...fields, ...mutation.fields };
    }
  }
  return { deleted, fields, pending: pending.length > 0 };
}

/** Build the mutation that one local write appends to the outbox. */
export function makeMutation({ id, entity, op = 'upsert', recordId, baseVersion = 0, fields }) {
  const mutation = { id, entity, op, record_id: recordId, base_version: baseVersion };
  if (op === 'upsert') mutation.fields = fields;
  return mutation;
}

/** The next batch to push: outbox rows not yet acknowledged, in id order, at most 500. */
export function nextBatch(rows, acked, max = MAX_BATCH) {
  return rows.filter((row) => row.id > acked).sort((a, b) => a.id - b.id).slice(0, max)
    .map(({ id, entity, op, record_id, base_version, fields }) =>
      makeMutation({ id, entity, op, recordId: record_id, baseVersion: base_version, fields }));
}

/**
 * What a push answer means for the outbox: the new acknowledged id, the version each
 * applied mutation took, and the rejected mutations with their reasons.
 */
export function pushOutcome(batch, response) {
  const byId = new Map(batch.map((m) => [m.id, m]));
  const versions = {};
  const rejected = [];
  for (const result of response.results ?? []) {
    if (result.status === 'applied') versions[result.id] = result.version;
    if (result.status === 'rejected' && byId.has(result.id)) {
      rejected.push({ mutation: byId.get(result.id), error: result.error ?? 'rejected',
        detail: result.detail ?? '' });
    }
  }
  return { lastMutationId: response.last_mutation_id, versions, rejected };
}

/**
 * Which outbox rows a pulled page lets the device delete. A row goes once the server has
 * it (id ≤ last_mutation_id) and its effect is in the local copy: its version is within
 * the pages applied so far, or this is the last page (which covers everything the server
 * had acknowledged when it answered).
 */
export function settledIds(rows, { lastMutationId, cursor, more }) {
  return rows
    .filter((row) => row.id <= lastMutationId)
    .filter((row) => !more || (typeof row.ack_version === 'number' && row.ack_version <= cursor))
    .map((row) => row.id);
}

/**
 * After a 409 mutation_gap the server holds mutations up to `serverLast` only. Rows above
 * it are renumbered from serverLast + 1 in their order and sent again; rows at or below it
 * stay until a pull settles them.
 */
export function resequence(rows, serverLast) {
  const keep = rows.filter((row) => row.id <= serverLast);
  const resend = rows.filter((row) => row.id > serverLast).sort((a, b) => a.id - b.id)
    .map((row, index) => {
      const { ack_version: _ignored, ...rest } = row;
      return { ...rest, id: serverLast + 1 + index };
    });
  return { rows: [...keep, ...resend], nextId: serverLast + 1 + resend.length };
}

/** Group mutations by record key `${entity}:${id}`. */
export function byRecord(mutations) {
  const groups = new Map();
  for (const m of mutations) {
    const key = `${m.entity}:${m.record_id}`;
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(m);
  }
  return groups;
}

/** A random UUID (v4), also where crypto.randomUUID is missing. */
export function newId() {
  if (globalThis.crypto?.randomUUID) return globalThis.crypto.randomUUID();
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
