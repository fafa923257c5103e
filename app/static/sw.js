/* Pacewise service worker (classic script, served from /sw.js).
 *
 * The server fills in CACHE_NAME, derived from a hash of every precached file, and the
 * PRECACHE list, so a new deploy installs a new worker and cache by itself.
 * - install: precache the shell and its assets (revalidated, never from a stale HTTP cache)
 * - activate: delete every other cache, take control of open pages
 * - navigations: network first, the cached shell when offline
 * - precached assets: cache first
 * - /api/: never touched, never cached
 * The new version waits until the page asks it to take over ("Update available — reload").
 */
const CACHE_NAME = "__CACHE_NAME__";
const PRECACHE = ["__PRECACHE__"];
const SHELL = '/';
const NAVIGATION_TIMEOUT_MS = 4000;

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE_NAME);
    await cache.addAll(PRECACHE.map((url) => new Request(url, { cache: 'no-cache' })));
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    const names = await caches.keys();
    await Promise.all(names.filter((name) => name !== CACHE_NAME).map((name) => caches.delete(name)));
    if (self.registration.navigationPreload) await self.registration.navigationPreload.enable();
    await self.clients.claim();
  })());
});

self.addEventListener('message', (event) => {
  if (event.data && event.data.type === 'SKIP_WAITING') {
    event.waitUntil(self.skipWaiting());
  }
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.startsWith('/api/')) return;
  if (request.mode === 'navigate') {
    event.respondWith(networkFirst(event));
    return;
  }
  if (PRECACHE.includes(url.pathname) && !url.search) {
    event.respondWith(cacheFirst(request));
  }
});

async function networkFirst(event) {
  const cache = await caches.open(CACHE_NAME);
  const fallback = async () => (await cache.match(event.request, { ignoreSearch: true }))
    || (await cache.match(SHELL))
    || Response.error();
  const network = (async () => (await event.preloadResponse) || fetch(event.request))();
  try {
    const cached = await cache.match(SHELL);
    if (!cached) return await network;
    // With a shell to fall back on, a network that hangs (lie-fi) is not waited on forever.
    return await Promise.race([
      network,
      new Promise((resolve, reject) => setTimeout(() => reject(new Error('timeout')), NAVIGATION_TIMEOUT_MS)),
    ]);
  } catch {
    network.catch(() => {});
    return fallback();
  }
}

async function cacheFirst(request) {
  const cache = await caches.open(CACHE_NAME);
  const cached = await cache.match(request);
  return cached || fetch(request);
}

self.addEventListener('sync', (event) => {
  if (event.tag !== 'pacewise-sync') return;
  // The sync logic lives in the page; wake any open page to run it.
  event.waitUntil((async () => {
    const pages = await self.clients.matchAll({ type: 'window' });
    for (const page of pages) page.postMessage({ type: 'sync' });
  })());
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  event.waitUntil((async () => {
    const pages = await self.clients.matchAll({ type: 'window' });
    if (pages.length) return pages[0].focus();
    return self.clients.openWindow('/');
  })());
});
