// Who is signed in on this device. localStorage keeps only the user's id and name and a
// fingerprint of the session (a hash of the readable CSRF cookie), never health data: the
// fingerprint tells a fresh sign-in (perhaps by someone else) from a returning session.

import { ApiError, api, readCookie } from './api.js';
import { deleteStore } from './store.js';

const USER_KEY = 'pacewise.user';

export function cachedUser() {
  try {
    const user = JSON.parse(localStorage.getItem(USER_KEY) ?? 'null');
    return user && typeof user.id === 'string' ? user : null;
  } catch {
    return null;
  }
}

export function rememberUser(user, fingerprint) {
  localStorage.setItem(USER_KEY, JSON.stringify({ id: user.id, name: user.name, session: fingerprint }));
}

export function forgetUser() {
  localStorage.removeItem(USER_KEY);
}

/** A short hash of the session's CSRF cookie, or null when there is no cookie. */
export async function sessionFingerprint() {
  const token = readCookie('csrf_token');
  if (!token) return null;
  if (globalThis.crypto?.subtle) {
    const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(token));
    return [...new Uint8Array(digest).slice(0, 12)].map((b) => b.toString(16).padStart(2, '0')).join('');
  }
  let hash = 2166136261;
  for (const char of token) hash = Math.imul(hash ^ char.charCodeAt(0), 16777619) >>> 0;
  return hash.toString(16);
}

/**
 * End the session on the server, then delete this person's local database and any cached
 * data of theirs, and go to the sign-in page. Call only once the outbox is synced or the
 * person chose to discard it. Throws NetworkError when the server cannot be reached.
 */
export async function signOut({ store, sync, user }) {
  try {
    await api.logout();
  } catch (error) {
    if (!(error instanceof ApiError && (error.status === 401 || error.status === 403))) throw error;
  }
  sync.stop();
  store.announceSignOut();
  store.close();
  await deleteStore(user.id);
  forgetUser();
  if (globalThis.caches) {
    // The app shell stays (it holds nothing personal); anything else cached goes.
    for (const name of await caches.keys()) {
      if (!name.startsWith('pacewise-shell-')) await caches.delete(name);
    }
  }
  location.replace('/login');
}
