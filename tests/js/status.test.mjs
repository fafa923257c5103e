import assert from 'node:assert/strict';
import { test } from 'node:test';

import { syncStatusText } from '../../app/static/js/status.js';

test('rejected changes come first, whatever else is true', () => {
  assert.equal(syncStatusText({ rejected: 1, pending: 3, online: false }), 'Could not sync 1 change');
  assert.equal(syncStatusText({ rejected: 2, pending: 0, online: true }), 'Could not sync 2 changes');
});

test('offline with changes waiting', () => {
  assert.equal(syncStatusText({ rejected: 0, pending: 2, online: false }), 'Offline — will sync later');
});

test('online with changes not yet acknowledged', () => {
  assert.equal(syncStatusText({ rejected: 0, pending: 1, online: true }), 'Saved on this device');
});

test('nothing waiting is synced, online or not', () => {
  assert.equal(syncStatusText({ rejected: 0, pending: 0, online: true }), 'Synced');
  assert.equal(syncStatusText({ rejected: 0, pending: 0, online: false }), 'Synced');
});
