// Registering the service worker and offering "Update available — reload" when a new
// version waits. The update never reloads by itself: the person chooses when.

let registration = null;
let reloadOnChange = false;

/** Once the page has loaded and the browser is idle: the worker's install fetches and
 * caches every asset, which should not compete with the first screen. */
function whenSettled(run) {
  const idle = () => (globalThis.requestIdleCallback
    ? requestIdleCallback(run, { timeout: 2000 }) : setTimeout(run, 0));
  if (document.readyState === 'complete') idle();
  else window.addEventListener('load', idle, { once: true });
}

export function registerWorker(onUpdateWaiting) {
  if (!('serviceWorker' in navigator)) return;
  navigator.serviceWorker.addEventListener('controllerchange', () => {
    if (reloadOnChange) {
      reloadOnChange = false;
      location.reload();
    }
  });
  whenSettled(() => register(onUpdateWaiting));
}

function register(onUpdateWaiting) {
  navigator.serviceWorker.register('/sw.js').then((reg) => {
    registration = reg;
    const offer = () => {
      if (reg.waiting && navigator.serviceWorker.controller) onUpdateWaiting();
    };
    offer();
    reg.addEventListener('updatefound', () => {
      const worker = reg.installing;
      worker?.addEventListener('statechange', () => {
        if (worker.state === 'installed') offer();
      });
    });
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible') reg.update().catch(() => {});
    });
  }).catch((error) => console.warn('service worker not registered', error));
}

/** Let the waiting worker take over; the page reloads once it controls it. */
export function applyUpdate() {
  if (!registration?.waiting) {
    location.reload();
    return;
  }
  reloadOnChange = true;
  registration.waiting.postMessage({ type: 'SKIP_WAITING' });
}

/** Look for a new version now (the server refused our sync schema). */
export function checkForUpdate() {
  registration?.update().catch(() => {});
}
