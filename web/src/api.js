// api.js — the one door to the management API (docs/api.md): JSON in and out, the session
// cookie plus the X-CSRF-Token on every non-GET call, RFC 9457 problem details turned into an
// ApiError the pages show with problemView(), and job polling for long work.
import { h } from './dom.js';
import { t } from './i18n.js';

const session = { csrf: null, user: null, onExpired: null, paths: null };

// The server's contract (GET /v1/openapi.json, generated from its route table): the console
// offers a page or an action only when the server has the operations it needs, so a server
// without, say, the analytics routes shows no empty shell of them.
export async function loadContract() {
  try {
    const doc = await get('/v1/openapi.json');
    session.paths = doc && typeof doc.paths === 'object' ? doc.paths : {};
  } catch (e) {
    session.paths = {};
  }
}

// has('GET /v1/segments/fields'), has('POST /v1/customers/{id}/consents'): every one present
export function has(...ops) {
  const paths = session.paths || {};
  return ops.every((op) => {
    const [m, p] = op.split(' ');
    return !!(paths[p] && paths[p][m.toLowerCase()]);
  });
}

export class ApiError extends Error {
  constructor(status, problem) {
    super((problem && (problem.detail || problem.title)) || `HTTP ${status}`);
    this.status = status;
    this.problem = problem || {};
  }
  get errors() {
    return Array.isArray(this.problem.errors) ? this.problem.errors : [];
  }
}

export function setSession(s) {
  session.csrf = s ? s.csrf_token : null;
  session.user = s ? s.user : null;
}
export function user() {
  return session.user;
}
export function onExpired(fn) {
  session.onExpired = fn;
}

// call('GET', '/v1/stats') -> parsed JSON (null for 204); throws ApiError
export async function call(method, path, body, opts = {}) {
  const headers = { Accept: 'application/json, application/problem+json' };
  let payload;
  if (body !== undefined) {
    if (typeof body === 'string' || body instanceof Blob) {
      payload = body;
      headers['Content-Type'] = opts.contentType || 'text/csv';
    } else {
      payload = JSON.stringify(body);
      headers['Content-Type'] = 'application/json';
    }
  }
  if (method !== 'GET' && session.csrf) headers['X-CSRF-Token'] = session.csrf;
  let r;
  try {
    r = await fetch(path, { method, headers, body: payload, credentials: 'same-origin' });
  } catch (e) {
    throw new ApiError(0, { title: t('err.network') });
  }
  const text = await r.text();
  let doc = null;
  if (text) {
    try {
      doc = JSON.parse(text);
    } catch (e) {
      doc = r.ok ? null : { title: `HTTP ${r.status}`, detail: text.slice(0, 200) };
      if (r.ok) throw new ApiError(r.status, { title: 'Bad response', detail: 'not JSON' });
    }
  }
  if (!r.ok) {
    const err = new ApiError(r.status, doc && typeof doc === 'object' ? doc : null);
    if (r.status === 401 && path !== '/v1/session' && session.onExpired) session.onExpired();
    throw err;
  }
  return doc;
}

export const get = (p) => call('GET', p);
export const post = (p, b) => call('POST', p, b); // no body when b is undefined
export const put = (p, b) => call('PUT', p, b);
export const patch = (p, b) => call('PATCH', p, b);
export const del = (p) => call('DELETE', p);

// every page of a cursor-paged list (docs/api.md: items + next_cursor), up to `max` items
export async function all(path, max = 2000) {
  const items = [];
  let cursor = null;
  do {
    const sep = path.includes('?') ? '&' : '?';
    const d = await get(path + (cursor ? `${sep}cursor=${encodeURIComponent(cursor)}` : ''));
    items.push(...(d.items || []));
    cursor = d.next_cursor;
  } while (cursor && items.length < max);
  return items;
}

export const enc = encodeURIComponent;

// the problem shown to a person: title, detail, and each field error with its position
export function problemView(err) {
  if (!(err instanceof ApiError)) {
    console.warn(err);
    return h('div.problem', { role: 'alert' }, h('strong', String(err && err.message)));
  }
  const p = err.problem;
  const title = err.status === 403 ? t('err.forbidden') : p.title || `HTTP ${err.status}`;
  return h(
    'div.problem',
    { role: 'alert' },
    h('strong', title),
    p.detail && p.detail !== title ? h('p', p.detail) : null,
    err.errors.length
      ? h(
          'ul',
          err.errors.map((e) =>
            h(
              'li',
              e.field ? h('code', e.field) : null,
              e.field ? ': ' : '',
              e.message || '',
              e.line ? ` (${t('err.at', { line: e.line, column: e.column ?? '?' })})` : '',
            ),
          ),
        )
      : null,
  );
}

// polls GET /v1/jobs/{id} until done or failed; onProgress(job) after each poll
export async function waitJob(id, onProgress) {
  for (;;) {
    const j = await get(`/v1/jobs/${enc(id)}`);
    if (onProgress) onProgress(j);
    if (j.state === 'done' || j.state === 'failed') return j;
    await new Promise((r) => setTimeout(r, 500));
  }
}
