// The API client: every call carries the signed-in key as a bearer header. The key lives in
// sessionStorage only (gone when the tab closes, never in a cookie or the URL); signing out
// removes it.

const STORAGE = 'zeroscale.key';

export function storedKey() {
  return sessionStorage.getItem(STORAGE);
}

export function storeKey(key) {
  sessionStorage.setItem(STORAGE, key);
}

export function clearKey() {
  sessionStorage.removeItem(STORAGE);
}

/** An answer outside 2xx, with the OpenAI error fields. */
export class ApiError extends Error {
  constructor(status, error) {
    super((error && error.message) || `HTTP ${status}`);
    this.status = status;
    this.type = error && error.type;
    this.code = error && error.code;
    this.param = error && error.param;
  }
}

/**
 * Calls the API. body: an object sent as JSON. Answers the parsed JSON (null for 204). With
 * {raw: true} answers the Response itself (streams, CSV) after checking its status. A 401 means
 * the key stopped working (revoked, expired): the app is told to sign out.
 */
export async function api(method, path, body, {raw = false, accept, signal, headers = {}} = {}) {
  const key = storedKey();
  const init = {method, headers: {...headers}, signal};
  if (key) init.headers.Authorization = `Bearer ${key}`;
  if (accept) init.headers.Accept = accept;
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const response = await fetch(path, init);
  if (!response.ok) {
    let error = null;
    try {
      error = (await response.json()).error;
    } catch {
      // not JSON: keep the status alone
    }
    if (response.status === 401) {
      window.dispatchEvent(new CustomEvent('zeroscale:unauthorized', {detail: error}));
    }
    throw new ApiError(response.status, error);
  }
  if (raw) return response;
  if (response.status === 204) return null;
  const text = await response.text();
  return text ? JSON.parse(text) : null;
}

export const get = (path, options) => api('GET', path, undefined, options);
export const post = (path, body, options) => api('POST', path, body, options);
export const patch = (path, body, options) => api('PATCH', path, body, options);
export const del = (path, options) => api('DELETE', path, undefined, options);

/** Encodes one path segment (an id or a name). */
export const seg = (value) => encodeURIComponent(String(value));

/**
 * The signed-in key: GET /api/v1/me. can(scope) knows which scopes imply others:
 * deployments:write ⇒ deployments:read, keys:write ⇒ keys:read, admin ⇒ finance,
 * inference:* ⇒ inference:<name>.
 */
export class Session {
  constructor(me) {
    this.tenant = me.tenant;
    this.platform = me.platform;
    this.scopes = new Set(me.scopes);
    this.expiresAt = me.expires_at;
    this.previousSecret = me.previous_secret;
  }

  can(scope) {
    if (this.scopes.has(scope)) return true;
    const implied = {
      'deployments:read': 'deployments:write',
      'keys:read': 'keys:write',
      finance: 'admin',
    };
    if (implied[scope] && this.scopes.has(implied[scope])) return true;
    if (scope.startsWith('inference:') && this.scopes.has('inference:*')) return true;
    return false;
  }

  /** Whether the key may call any model (inference:* or some inference:<name>). */
  canInfer() {
    return [...this.scopes].some((s) => s.startsWith('inference:'));
  }

  static async load() {
    return new Session(await get('/api/v1/me'));
  }
}
