import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  MAX_BATCH, changedFields, compact, newId, nextBatch, overlay, pushOutcome, resequence, settledIds,
} from '../../app/static/js/outbox.js';

test('changedFields sends only what changed, and null for a cleared field', () => {
  const before = { pain: 4, function: 5, notes: 'ok', body_areas: ['neck'] };
  const after = { pain: 4, function: 6, notes: '', body_areas: ['neck'], mood: null };
  assert.deepEqual(changedFields(before, after), { function: 6, notes: null });
});

test('changedFields compares lists by content', () => {
  assert.deepEqual(changedFields({ body_areas: ['neck'] }, { body_areas: ['neck', 'knee_left'] }),
    { body_areas: ['neck', 'knee_left'] });
  assert.deepEqual(changedFields({ body_areas: ['neck'] }, { body_areas: ['neck'] }), {});
});

test('compact leaves empty values out of a new record', () => {
  assert.deepEqual(compact({ pain: 0, flare: false, notes: '', mood: null, areas: [], x: undefined }),
    { pain: 0, flare: false });
});

test('overlay lays pending mutations over the server state in id order', () => {
  const server = { version: 3, deleted: false, fields: { pain: 4, function: 5 } };
  const view = overlay(server, [
    { id: 9, op: 'upsert', fields: { function: 7 } },
    { id: 8, op: 'upsert', fields: { function: 6, notes: 'a' } },
  ]);
  assert.deepEqual(view, { deleted: false, fields: { pain: 4, function: 7, notes: 'a' }, pending: true });
});

test('overlay: a pending delete hides the record; a server tombstone stays deleted', () => {
  const server = { version: 3, deleted: false, fields: { pain: 4 } };
  assert.equal(overlay(server, [{ id: 1, op: 'delete' }]).deleted, true);
  const tombstone = { version: 5, deleted: true, fields: {} };
  assert.equal(overlay(tombstone, [{ id: 2, op: 'upsert', fields: { pain: 1 } }]).deleted, true);
});

test('overlay of nothing is nothing; of a new local record is that record', () => {
  assert.equal(overlay(null, []), null);
  assert.deepEqual(overlay(null, [{ id: 1, op: 'upsert', fields: { pain: 2 } }]),
    { deleted: false, fields: { pain: 2 }, pending: true });
  assert.equal(overlay({ version: 1, deleted: false, fields: { pain: 2 } }, []).pending, false);
});

test('nextBatch takes unacknowledged rows in order, at most 500, in wire form', () => {
  const rows = Array.from({ length: 700 }, (_, i) => ({
    id: 700 - i, entity: 'diary_entry', op: 'upsert', record_id: `r${i}`, base_version: 0,
    fields: { pain: 1 }, ack_version: 12,
  }));
  const batch = nextBatch(rows, 100);
  assert.equal(batch.length, MAX_BATCH);
  assert.equal(batch[0].id, 101);
  assert.equal(batch.at(-1).id, 600);
  assert.deepEqual(Object.keys(batch[0]).sort(), ['base_version', 'entity', 'fields', 'id', 'op', 'record_id']);
  const deletion = nextBatch([{ id: 1, entity: 'goal', op: 'delete', record_id: 'g', base_version: 4 }], 0)[0];
  assert.equal('fields' in deletion, false);
});

test('pushOutcome reads versions and rejections', () => {
  const batch = [{ id: 16 }, { id: 17, entity: 'diary_entry', record_id: 'a' }, { id: 18, entity: 'diary_entry', record_id: 'b' }];
  const outcome = pushOutcome(batch, {
    last_mutation_id: 18,
    results: [{ id: 16, status: 'duplicate' }, { id: 17, status: 'applied', version: 42 },
      { id: 18, status: 'rejected', error: 'validation', detail: 'pain 11 is outside 0–10' }],
  });
  assert.equal(outcome.lastMutationId, 18);
  assert.deepEqual(outcome.versions, { 17: 42 });
  assert.deepEqual(outcome.rejected, [{ mutation: batch[2], error: 'validation', detail: 'pain 11 is outside 0–10' }]);
});

test('settledIds keeps a row until its version has been pulled, or the last page came', () => {
  const rows = [{ id: 1, ack_version: 10 }, { id: 2, ack_version: 30 }, { id: 3 }, { id: 4, ack_version: 5 }];
  assert.deepEqual(settledIds(rows, { lastMutationId: 3, cursor: 20, more: true }), [1]);
  assert.deepEqual(settledIds(rows, { lastMutationId: 3, cursor: 40, more: false }), [1, 2, 3]);
  assert.deepEqual(settledIds(rows, { lastMutationId: 0, cursor: 40, more: false }), []);
});

test('resequence renumbers what the server lacks from its last id + 1, in order', () => {
  const rows = [{ id: 3 }, { id: 7, ack_version: 9 }, { id: 8 }, { id: 9 }];
  const { rows: next, nextId } = resequence(rows, 4);
  assert.deepEqual(next, [{ id: 3 }, { id: 5 }, { id: 6 }, { id: 7 }]);
  assert.equal(nextId, 8);
  assert.equal(resequence([], 12).nextId, 13);
});

test('newId makes version 4 UUIDs', () => {
  const id = newId();
  assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.notEqual(newId(), id);
});
