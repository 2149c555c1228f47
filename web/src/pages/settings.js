// settings.js — the contact policy (GET/PUT /v1/policy: caps, quiet hours, time zone), the
// attribution windows and message costs (GET/PUT /v1/measurement), and for owners the users
// (/v1/users), API keys (/v1/apikeys, the key shown once) and the audit log (/v1/audit).
import { h, mount } from '../dom.js';
import { t, num, money, dateTime } from '../i18n.js';
import { call, get, post, put, patch, del, enc, all, user, problemView, has } from '../api.js';
import { card, empty, table, section, notice, confirmDialog, jobProgress, link } from '../ui.js';

const ROLES = ['owner', 'marketer', 'analyst', 'support'];

export function render() {
  const u = user();
  const owner = u?.role === 'owner';
  const canWrite = ['owner', 'marketer'].includes(u?.role);
  return h(
    'div.page',
    h('h1', t('st.title')),
    h(
      'div.grid2',
      has('GET /v1/policy') ? section(() => get('/v1/policy'), (p) => policyCard(p, canWrite && has('PUT /v1/policy'))) : null,
      has('GET /v1/measurement')
        ? section(() => get('/v1/measurement'), (m) => jsonCard(t('st.measurement'), '/v1/measurement', m, canWrite && has('PUT /v1/measurement'), measurementView))
        : null,
    ),
    canWrite && has('GET /v1/settings/channels') ? card(t('st.channels'), h('p', link('/settings/channels', t('ch.manage')))) : null,
    canWrite && has('POST /v1/jobs', 'GET /v1/jobs/{id}') ? dataCard() : null,
    owner ? h('div.grid2', has('GET /v1/users') ? usersCard() : null, has('GET /v1/apikeys') ? keysCard() : null) : null,
    owner && has('GET /v1/audit') ? auditCard() : null,
  );
}

function policyCard(p, canWrite) {
  const summary = h(
    'div',
    h('h3', t('st.caps')),
    (p.caps || []).length
      ? table(
          [
            { label: t('cu.channel'), value: (c) => c.channel },
            { label: t('st.max'), value: (c) => num(c.max), num: true },
            { label: t('st.window_label'), value: (c) => c.window },
          ],
          p.caps,
        )
      : h('p.muted', t('none')),
    h('dl.facts', h('dt', t('st.quiet')), h('dd', p.quiet_hours ? `${p.quiet_hours.start} – ${p.quiet_hours.end}` : t('none')), h('dt', t('st.timezone')), h('dd', p.default_timezone ?? 'UTC')),
  );
  return jsonCard(t('st.policy'), '/v1/policy', p, canWrite, () => summary);
}

function measurementView(m) {
  const chans = Object.keys(m.windows || {});
  if (!chans.length) return null;
  return table(
    [
      { label: t('cu.channel'), value: (c) => c },
      { label: t('st.window_label'), value: (c) => m.windows[c] },
      { label: t('st.cost'), value: (c) => money(m.message_cost?.[c], m.currency), num: true },
    ],
    chans,
  );
}

// a settings document: its summary, and the JSON to edit for the roles that may write it
function jsonCard(title, path, doc, canWrite, summary) {
  const out = h('div', { 'aria-live': 'polite' });
  const id = 'json-' + path.replace(/\W/g, '');
  const box = h('textarea.code', { id, rows: 10, spellcheck: 'false' });
  box.value = JSON.stringify(doc, null, 2);
  const save = async () => {
    let body;
    try {
      body = JSON.parse(box.value);
    } catch (e) {
      return mount(out, notice(t('cp.bad_json', { msg: e.message }), 'bad'));
    }
    try {
      await put(path, body);
      mount(out, notice(t('st.saved')));
    } catch (e) {
      mount(out, problemView(e));
    }
  };
  return card(
    title,
    summary(doc),
    canWrite
      ? h('details', h('summary', t('st.edit_json')), h('label.sr', { for: id }, title), box, h('div.actions', h('button', { type: 'button', onclick: save }, t('save'))), out)
      : null,
  );
}

// long work as jobs with progress: a scoring run, a CSV import (the file is the request body)
const TABLES = ['customers', 'products', 'orders', 'events', 'feedback', 'consents'];
function dataCard() {
  const out = h('div', { 'aria-live': 'polite' });
  const table_ = h('select#imp-table', TABLES.map((x) => h('option', { value: x, selected: x === 'orders' }, x)));
  const file = h('input#imp-file', { type: 'file', accept: '.csv,text/csv', required: true });
  const busy = (on) => form.querySelectorAll('button').forEach((b) => (b.disabled = on));
  const run = async (start, label) => {
    busy(true);
    try {
      const job = await start();
      const end = await jobProgress(out, job, label);
      if (end.state === 'done' && end.result) out.append(h('pre.code', { tabindex: '0' }, JSON.stringify(end.result, null, 2)));
    } catch (e) {
      mount(out, problemView(e));
    } finally {
      busy(false);
    }
  };
  const form = h(
    'form.inline-form',
    {
      onsubmit: (e) => {
        e.preventDefault();
        const f = file.files && file.files[0];
        if (!f) return;
        run(() => call('POST', `/v1/jobs?kind=import&table=${enc(table_.value)}`, f, { contentType: 'text/csv' }), t('job.import'));
      },
    },
    h('label', { for: 'imp-table' }, t('st.table')), table_,
    h('label', { for: 'imp-file' }, t('st.file')), file,
    h('button', { type: 'submit' }, t('st.upload')),
    h('button.secondary', { type: 'button', onclick: () => run(() => post('/v1/jobs?kind=score'), t('job.score')) }, t('ov.run_scoring')),
  );
  return card(t('st.data'), h('p.muted.small', t('st.data_help')), form, out);
}

function usersCard() {
  const wrap = h('div');
  const out = h('div', { 'aria-live': 'polite' });
  const draw = () => mount(wrap, section(() => all('/v1/users'), list));
  const list = (rows) =>
    table(
      [
        { label: t('cu.email'), value: (x) => x.email },
        { label: t('role'), value: (x) => x.role },
        { label: t('cu.state'), value: (x) => (x.disabled ? t('st.disabled') : '') },
        {
          label: h('span.sr', t('st.disable')),
          value: (x) =>
            x.email === user()?.email
              ? ''
              : h('button.secondary.small', { type: 'button', onclick: () => toggle(x) }, x.disabled ? t('st.enable') : t('st.disable')),
        },
      ],
      rows,
    );
  const toggle = async (x) => {
    try {
      await patch(`/v1/users/${enc(x.email)}`, { disabled: !x.disabled });
      draw();
    } catch (e) {
      mount(out, problemView(e));
    }
  };
  const email = h('input#nu-email', { type: 'email', required: true, autocomplete: 'off' });
  const role = h('select#nu-role', ROLES.map((r) => h('option', { value: r, selected: r === 'analyst' }, r)));
  const pass = h('input#nu-pass', { type: 'password', required: true, minlength: 10, autocomplete: 'new-password' });
  const add = async (e) => {
    e.preventDefault();
    try {
      await post('/v1/users', { email: email.value.trim(), role: role.value, password: pass.value });
      pass.value = '';
      email.value = '';
      mount(out, notice(t('st.saved')));
      draw();
    } catch (err) {
      mount(out, problemView(err));
    }
  };
  draw();
  return card(
    t('st.users'),
    wrap,
    h(
      'form.inline-form',
      { onsubmit: add },
      h('label', { for: 'nu-email' }, t('cu.email')), email,
      h('label', { for: 'nu-role' }, t('role')), role,
      h('label', { for: 'nu-pass' }, t('login.password')), pass,
      h('button', { type: 'submit' }, t('st.add_user')),
    ),
    out,
  );
}

function keysCard() {
  const wrap = h('div');
  const out = h('div', { 'aria-live': 'polite' });
  const draw = () => mount(wrap, section(() => all('/v1/apikeys'), list));
  const list = (rows) =>
    rows.length
      ? table(
          [
            { label: t('st.name'), value: (k) => k.name },
            { label: t('role'), value: (k) => k.role },
            { label: t('st.created'), value: (k) => dateTime(k.created_at) },
            { label: t('st.expires'), value: (k) => (k.expires_at ? dateTime(k.expires_at) : '—') },
            { label: t('cu.state'), value: (k) => (k.revoked || k.revoked_at ? t('cu.revoked') : '') },
            { label: 'Prefix', value: (k) => (k.prefix ? h('code', k.prefix + '…') : '') },
            { label: h('span.sr', t('st.revoke')), value: (k) => (k.revoked || k.revoked_at ? '' : h('button.secondary.small.danger', { type: 'button', onclick: () => revoke(k) }, t('st.revoke'))) },
          ],
          rows,
        )
      : empty(t('none'));
  const revoke = async (k) => {
    if (!(await confirmDialog(t('st.confirm_revoke', { name: k.name }), { danger: true, ok: t('st.revoke') }))) return;
    try {
      await del(`/v1/apikeys/${enc(k.id)}`);
      draw();
    } catch (e) {
      mount(out, problemView(e));
    }
  };
  const name = h('input#nk-name', { type: 'text', required: true, maxlength: 64 });
  const role = h('select#nk-role', ROLES.map((r) => h('option', { value: r, selected: r === 'analyst' }, r)));
  const create = async (e) => {
    e.preventDefault();
    try {
      const k = await post('/v1/apikeys', { name: name.value.trim(), role: role.value });
      mount(out, h('div.notice.ok', { role: 'status' }, t('st.key_once'), ' ', h('code.secret', k.key ?? '')));
      name.value = '';
      draw();
    } catch (err) {
      mount(out, problemView(err));
    }
  };
  draw();
  return card(
    t('st.keys'),
    wrap,
    h('form.inline-form', { onsubmit: create }, h('label', { for: 'nk-name' }, t('st.name')), name, h('label', { for: 'nk-role' }, t('role')), role, h('button', { type: 'submit' }, t('st.create_key'))),
    out,
  );
}

function auditCard() {
  return card(
    t('st.audit'),
    section(() => get('/v1/audit?limit=100'), (d) => {
      const rows = d.items || [];
      if (!rows.length) return empty(t('st.no_audit'));
      return table(
        [
          { label: t('st.when'), value: (a) => dateTime(a.at ?? a.time), nowrap: true },
          { label: t('st.actor'), value: (a) => a.actor ?? '—' },
          { label: t('st.action'), value: (a) => a.action ?? '—' },
          { label: t('st.target'), value: (a) => h('span.breakable', a.target ?? '') },
          { label: t('st.from'), value: (a) => a.client ?? a.from ?? '' },
          { label: t('st.status'), value: (a) => (a.status == null ? '' : String(a.status)) },
        ],
        rows,
      );
    }),
  );
}
