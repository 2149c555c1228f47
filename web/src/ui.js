// ui.js — the console's small shared pieces: cards, tables, empty states, a confirmation dialog,
// a notice line, a job progress bar and an async section that shows loading, the data or the
// problem.
import { h, mount } from './dom.js';
import { t, pct } from './i18n.js';
import { problemView, waitJob } from './api.js';

export function card(title, ...body) {
  return h('section.card', title ? h('h2', title) : null, ...body);
}

export function empty(text, action) {
  return h('div.empty', h('p', text), action || null);
}

// table([{label, value: row => node|string, num: true}], rows)
export function table(cols, rows, { caption } = {}) {
  return h(
    'div.table-wrap',
    h(
      'table',
      caption ? h('caption', caption) : null,
      h('thead', h('tr', cols.map((c) => h('th', { scope: 'col', class: c.num ? 'num' : null }, c.label)))),
      h(
        'tbody',
        rows.map((r) => h('tr', cols.map((c) => h('td', { class: [c.num ? 'num' : '', c.nowrap ? 'nowrap' : ''].join(' ').trim() || null }, c.value(r))))),
      ),
    ),
  );
}

// async section: shows "loading", then render(data) or the problem
export function section(load, render) {
  const el = h('div.section', { 'aria-busy': 'true' }, h('p.muted', t('loading')));
  load().then(
    (d) => {
      el.removeAttribute('aria-busy');
      mount(el, render(d));
    },
    (e) => {
      el.removeAttribute('aria-busy');
      mount(el, problemView(e));
    },
  );
  return el;
}

// a modal confirmation; resolves true or false
export function confirmDialog(text, { danger = false, ok = t('confirm') } = {}) {
  return new Promise((resolve) => {
    const dlg = h(
      'dialog.confirm',
      { 'aria-label': text },
      h('p', text),
      h(
        'div.actions',
        h('button.secondary', { type: 'button', onclick: () => done(false) }, t('cancel')),
        h('button', { type: 'button', class: danger ? 'danger' : null, onclick: () => done(true) }, ok),
      ),
    );
    function done(v) {
      dlg.close();
      dlg.remove();
      resolve(v);
    }
    dlg.addEventListener('cancel', () => done(false));
    document.body.append(dlg);
    dlg.showModal();
  });
}

export function notice(text, kind = 'ok') {
  return h('p.notice', { class: kind, role: 'status' }, text);
}

// runs a job to its end with a progress bar in `el`; resolves the final job
export async function jobProgress(el, job, kindLabel) {
  const bar = h('progress', { max: '1', value: '0', 'aria-label': kindLabel });
  const label = h('span');
  mount(el, h('div.job', bar, label));
  const show = (j) => {
    bar.value = Math.max(0, Math.min(1, Number(j.progress) || 0));
    label.textContent = t('job.running', { kind: kindLabel, pct: pct(bar.value, 0) });
  };
  show(job);
  const end = await waitJob(job.id, show);
  if (end.state === 'done') mount(el, notice(t('job.done', { kind: kindLabel })));
  else mount(el, notice(t('job.failed', { kind: kindLabel, error: end.error || '?' }), 'bad'));
  return end;
}

export function link(href, ...kids) {
  return h('a', { href, 'data-link': '' }, ...kids);
}
