// The server's JSON API as the app uses it. Every state-changing request carries the
// X-CSRF-Token header equal to the csrf_token cookie (design §6).

export class ApiError extends Error {
  constructor(status, body, retryAfter = null) {
    super(body?.detail || `the server answered ${status}`);
    this.status = status;
    this.code = body?.error ?? null;
    this.body = body ?? {};
    this.retryAfter = retryAfter;
  }
}

/** The request never reached the server, or its answer never came back. */
export class NetworkError extends Error {}

export function readCookie(name, cookies = globalThis.document?.cookie ?? '') {
  for (const part of cookies.split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return decodeURIComponent(rest.join('='));
  }
  return null;
}

/** A JSON request to our own API; ApiError for a 4xx/5xx, NetworkError when nothing came back. */
export async function request(method, path, body) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET') headers['X-CSRF-Token'] = readCookie('csrf_token') ?? '';
  let response;
  try {
    response = await fetch(path, {
      method, headers, credentials: 'same-origin', cache: 'no-store',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (error) {
    throw new NetworkError(error?.message || 'network error');
  }
  if (response.status === 204) return null;
  let data = null;
  try {
    data = await response.json();
  } catch {
    if (response.ok) throw new NetworkError('the answer was cut off');
  }
  if (!response.ok) {
    const retry = Number.parseInt(response.headers.get('Retry-After') ?? '', 10);
    throw new ApiError(response.status, data, Number.isNaN(retry) ? null : retry);
  }
  return data;
}

export const api = {
  me: () => request('GET', '/api/v1/me'),
  logout: () => request('POST', '/api/v1/auth/logout'),
  push: (clientId, mutations) =>
    request('POST', '/api/v1/sync/push', { client_id: clientId, schema_version: 1, mutations }),
  pull: (cursor, clientId, limit = 500) =>
    request('GET', `/api/v1/sync/pull?cursor=${cursor}&limit=${limit}&client_id=${encodeURIComponent(clientId)}`),
};
