// The real store (IndexedDB, here fake-indexeddb) and sync runner against a fake server
// that speaks protocol v1: nothing lost, duplicated or resurrected.

import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';

import { ApiError } from '../../app/static/js/api.js';
import { FakeServer, fakeApi } from './fake-server.mjs';
import { device } from './helpers.mjs';

const open = [];
async function make(api, options) {
  const d = await device(api, options);
  open.push(d);
  return d;
}
afterEach(() => {
  for (const d of open.splice(0)) d.store.close();
});

const entry = (fields = {}) => ({ local_date: '2026-11-27', pain: 4, ...fields });

test('a saved check-in reaches the server once and the outbox empties', async () => {
  const server = new FakeServer();
  const { store, runner } = await make(fakeApi(server));
  await store.write('diary_entry', 'e1', entry());
  assert.deepEqual(await store.counts(), { pending: 1, rejected: 0 });
  assert.equal((await runner.run()), 'synced');
  assert.equal(server.live('diary_entry').length, 1);
  assert.equal(server.get('diary_entry', 'e1').fields.pain, 4);
  assert.deepEqual(await store.counts(), { pending: 0, rejected: 0 });
  assert.equal(runner.state.text, 'Synced');
  const [local] = await store.list('diary_entry');
  assert.equal(local.version, 1);
  assert.equal(local.pending, false);
});

test('an edit sends only the changed fields on the version it was made on', async () => {
  const server = new FakeServer();
  const { store, runner } = await make(fakeApi(server));
  await store.write('diary_entry', 'e1', entry({ function: 5 }));
  await runner.run();
  const mutation = await store.write('diary_entry', 'e1', { pain: 4, function: 7, notes: '' });
  assert.deepEqual(mutation.fields, { function: 7 });
  assert.equal(mutation.base_version, 1);
  assert.equal(await store.write('diary_entry', 'e1', { pain: 4 }), null, 'no change, no mutation');
});

test('a new record sends 0 as base_version and leaves empty fields out', async () => {
  const { store } = await make(fakeApi(new FakeServer()));
  const mutation = await store.write('diary_entry', 'e1', entry({ notes: '', mood: null, body_areas: [] }));
  assert.equal(mutation.base_version, 0);
  assert.deepEqual(mutation.fields, entry());
});

test('offline changes wait in the outbox and the status says so', async () => {
  const server = new FakeServer();
  let online = false;
  const { store, runner } = await make(fakeApi(server), { online: () => online });
  await store.write('diary_entry', 'e1', entry());
  assert.equal(await runner.run(), 'offline');
  assert.equal(runner.state.text, 'Offline — will sync later');
  assert.equal(server.pushes.length, 0);
  online = true;
  assert.equal(await runner.run(), 'synced');
  assert.equal(runner.state.text, 'Synced');
  assert.equal(server.live('diary_entry').length, 1);
});

test('a push whose answer was lost is retried as a duplicate, not applied twice', async () => {
  const server = new FakeServer();
  const api = fakeApi(server);
  const { store, runner } = await make(api);
  await store.write('diary_entry', 'e1', entry());
  await store.write('diary_entry', 'e2', entry({ pain: 2 }));
  api.faults.push('lost');
  assert.equal(await runner.run(), 'unreachable');
  assert.equal(runner.state.text, 'Offline — will sync later');
  assert.equal(server.version, 2, 'the server committed both');
  assert.equal(await runner.run(), 'synced');
  assert.equal(server.version, 2, 'nothing applied a second time');
  assert.deepEqual(await store.counts(), { pending: 0, rejected: 0 });
  assert.equal((await store.list('diary_entry')).length, 2);
});

test('when the lost answer is followed by a pull, the pull alone acknowledges the outbox', async () => {
  const server = new FakeServer();
  const api = fakeApi(server);
  const { store, runner } = await make(api);
  await store.write('diary_entry', 'e1', entry());
  api.faults.push('lost');
  await runner.run();
  await runner.pullAll();
  assert.deepEqual(await store.counts(), { pending: 0, rejected: 0 });
  assert.equal(await store.db.count('outbox'), 0, 'the settled mutation left the outbox');
  assert.equal((await store.list('diary_entry'))[0].pending, false);
  await runner.run();
  assert.deepEqual(server.pushes, [[1]], 'the acknowledged mutation is not pushed again');
});

test('more than 500 changes go in batches of at most 500, in order', async () => {
  const server = new FakeServer();
  const { store, runner } = await make(fakeApi(server, { pageSize: 200 }));
  for (let i = 0; i < 1203; i += 1) await store.write('diary_entry', `e${i}`, entry({ pain: i % 11 }));
  await runner.run();
  assert.deepEqual(server.pushes.map((ids) => ids.length), [500, 500, 203]);
  assert.deepEqual(server.pushes.flat(), Array.from({ length: 1203 }, (_, i) => i + 1));
  assert.equal(server.live('diary_entry').length, 1203);
  assert.equal((await store.list('diary_entry')).length, 1203);
  assert.ok(server.pulls.length >= 7, 'pulled page after page until more was false');
  assert.deepEqual(await store.counts(), { pending: 0, rejected: 0 });
});

test('a rejected change is kept with its reason and counted in the status', async () => {
  const server = new FakeServer();
  const { store, runner } = await make(fakeApi(server));
  await store.write('diary_entry', 'bad', entry({ pain: 11 }));
  await store.write('diary_entry', 'good', entry());
  await runner.run();
  const rejected = await store.rejectedList();
  assert.equal(rejected.length, 1);
  assert.equal(rejected[0].error, 'validation');
  assert.match(rejected[0].detail, /pain 11/);
  assert.equal(rejected[0].mutation.record_id, 'bad');
  assert.equal(runner.state.text, 'Could not sync 1 change');
  assert.deepEqual((await store.list('diary_entry')).map((e) => e.id), ['good']);
  await store.discardRejected(rejected[0].key);
  await runner.refresh();
  assert.equal(runner.state.text, 'Synced');
});

test('a gap answered with 409 is resent from the server last_mutation_id', async () => {
  const server = new FakeServer();
  const { store, runner } = await make(fakeApi(server));
  await store.write('diary_entry', 'e1', entry());
  await runner.run();
  // The server is restored from a backup taken before it saw this client.
  server.clients.clear();
  server.records.clear();
  server.version = 0;
  await store.write('diary_entry', 'e2', entry({ pain: 3 }));
  assert.equal(await runner.run(), 'synced');
  assert.deepEqual(server.pushes, [[1], [2], [1]]);
  assert.equal(server.get('diary_entry', 'e2').fields.pain, 3);
  assert.deepEqual(await store.counts(), { pending: 0, rejected: 0 });
});

test('a 401 keeps the outbox and asks to sign in again', async () => {
  const server = new FakeServer();
  const api = fakeApi(server);
  const { store, runner } = await make(api);
  await store.write('diary_entry', 'e1', entry());
  api.faults.push(new ApiError(401, { error: 'not_authenticated', detail: 'sign in to continue' }));
  assert.equal(await runner.run(), 'signed-out');
  assert.equal(runner.state.needsSignIn, true);
  assert.deepEqual(await store.counts(), { pending: 1, rejected: 0 });
  assert.equal(await runner.run(), 'synced');
  assert.equal(runner.state.needsSignIn, false);
  assert.equal(server.live('diary_entry').length, 1);
});

test('a pull never hides an edit that is still waiting in the outbox', async () => {
  const server = new FakeServer();
  const api = fakeApi(server);
  const phone = await make(api, { userId: 'same-person' });
  await phone.store.write('diary_entry', 'e1', entry({ function: 5 }));
  await phone.runner.run();
  // Another device changes the record on the server.
  server.push('other-device', [{ id: 1, entity: 'diary_entry', op: 'upsert', record_id: 'e1', base_version: 1, fields: { mood: 8 } }]);
  await phone.store.write('diary_entry', 'e1', { function: 6 });
  api.faults.push('offline'); // the push fails, the pull below still runs
  await phone.runner.run();
  await phone.runner.pullAll();
  const [shown] = await phone.store.list('diary_entry');
  assert.equal(shown.function, 6, 'the pending edit stays on top');
  assert.equal(shown.mood, 8, 'the server change shows too');
  assert.equal(shown.pending, true);
});

test('two offline devices editing different fields of one record both keep their edit', async () => {
  const server = new FakeServer();
  const api = fakeApi(server);
  const a = await make(api, { userId: 'pat', separate: true });
  await a.store.write('diary_entry', 'e1', entry());
  await a.runner.run();
  const b = await make(api, { userId: 'pat', separate: true });
  await b.runner.run();
  await a.store.write('diary_entry', 'e1', { function: 7 });
  await b.store.write('diary_entry', 'e1', { notes: 'walked to the shop' });
  await a.runner.run();
  await b.runner.run();
  await a.runner.run();
  for (const d of [a, b]) {
    const [shown] = await d.store.list('diary_entry');
    assert.equal(shown.function, 7);
    assert.equal(shown.notes, 'walked to the shop');
    assert.equal(shown.pending, false);
  }
  assert.deepEqual(server.get('diary_entry', 'e1').fields, { ...entry(), function: 7, notes: 'walked to the shop' });
});

test('a delete from another device removes the record here; a tombstone is not resurrected', async () => {
  const server = new FakeServer();
  const api = fakeApi(server);
  const a = await make(api, { userId: 'pat2', separate: true });
  await a.store.write('diary_entry', 'e1', entry());
  await a.runner.run();
  const b = await make(api, { userId: 'pat2', separate: true });
  await b.runner.run();
  await b.store.remove('diary_entry', 'e1');
  await b.runner.run();
  await a.store.write('diary_entry', 'e1', { pain: 6 }); // an offline edit of a deleted record
  await a.runner.run();
  assert.deepEqual(await a.store.list('diary_entry'), []);
  assert.equal((await a.store.rejectedList())[0].error, 'deleted');
  assert.equal(server.get('diary_entry', 'e1').deleted, true);
});

test('a reset reloads everything from cursor 0 and keeps the outbox', async () => {
  const server = new FakeServer();
  const api = fakeApi(server);
  const { store, runner } = await make(api);
  await store.write('diary_entry', 'gone', entry());
  await store.write('diary_entry', 'kept', entry({ pain: 2 }));
  await runner.run();
  server.push('other-device', [{ id: 1, entity: 'diary_entry', op: 'delete', record_id: 'gone', base_version: 1 }]);
  server.push('other-device', [{ id: 2, entity: 'diary_entry', op: 'upsert', record_id: 'new', base_version: 0, fields: entry({ pain: 9 }) }]);
  server.purgeTombstones();
  server.purgedThrough = 4; // this device's cursor (2) is older than the purge horizon
  await store.write('diary_entry', 'offline', entry({ pain: 5 }));
  api.faults.push('offline'); // the push fails; the pull then meets the reset
  await runner.run();
  await runner.pullAll();
  assert.ok(server.pulls.includes(0), 'reloaded from cursor 0');
  const ids = (await store.list('diary_entry')).map((e) => e.id).sort();
  assert.deepEqual(ids, ['kept', 'new', 'offline']);
  assert.deepEqual(await store.counts(), { pending: 1, rejected: 0 });
  await runner.run();
  assert.equal(server.get('diary_entry', 'offline').fields.pain, 5);
});

test('a client id taken by another account starts over as a new client', async () => {
  const server = new FakeServer();
  const api = fakeApi(server);
  const { store, runner } = await make(api);
  const before = await store.clientId();
  await store.write('diary_entry', 'e1', entry());
  api.faults.push(new ApiError(403, { error: 'client_id_taken', detail: 'belongs to another account' }));
  assert.equal(await runner.run(), 'synced');
  assert.notEqual(await store.clientId(), before);
  assert.equal(server.live('diary_entry').length, 1);
});

test('each person has a database of their own', async () => {
  const server = new FakeServer();
  const first = await make(fakeApi(server), { userId: 'first-person' });
  await first.store.write('diary_entry', 'private', entry());
  const second = await make(fakeApi(server), { userId: 'second-person' });
  assert.deepEqual(await second.store.list('diary_entry'), []);
  assert.deepEqual(await second.store.nextBatch(), []);
});
