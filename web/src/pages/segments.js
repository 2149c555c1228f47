// segments.js — the segment editor: an expression box with completion and help from the field
// registry (GET /v1/segments/fields), a live count and sample as you type (POST
// /v1/segments/count, debounced; a parse error is shown at its line and column), save, the list
// of saved segments and their export as a job.
import { h, mount, debounce } from '../dom.js';
import { t, num, pct } from '../i18n.js';
import { get, post, put, del, enc, all, user, problemView, ApiError, has } from '../api.js';
import { card, empty, table, section, notice, confirmDialog, jobProgress } from '../ui.js';

const canWrite = () => ['owner', 'marketer'].includes(user()?.role) && has('POST /v1/segments', 'PUT /v1/segments/{name}');

export function render() {
  const state = { fields: [], seq: 0 };
  const area = h('textarea#expr', {
    rows: 4,
    spellcheck: 'false',
    autocomplete: 'off',
    placeholder: t('sg.placeholder'),
    'aria-describedby': 'expr-result',
    'aria-autocomplete': 'list',
    'aria-controls': 'expr-complete',
  });
  const completion = h('ul#expr-complete.complete', { role: 'listbox', hidden: true, 'aria-label': t('sg.fields') });
  const result = h('div#expr-result', { 'aria-live': 'polite' }, h('p.muted', t('sg.type_to_count')));
  const sample = h('div');
  const help = h('div.help');
  const saveOut = h('div', { 'aria-live': 'polite' });
  const listEl = h('div');
  const name = h('input#sg-name', { type: 'text', required: true, pattern: '[A-Za-z0-9_.\\-]{1,64}', maxlength: 64 });
  const desc = h('input#sg-desc', { type: 'text', maxlength: 200 });

  const count = debounce(async () => {
    const expr = area.value.trim();
    const my = ++state.seq;
    if (!expr) {
      mount(result, h('p.muted', t('sg.type_to_count')));
      mount(sample);
      return;
    }
    result.setAttribute('aria-busy', 'true');
    try {
      const d = await post('/v1/segments/count', { expression: expr, sample: 10 });
      if (my !== state.seq) return;
      area.removeAttribute('aria-invalid');
      mount(
        result,
        h(
          'p.count',
          h('strong', { 'data-count': String(d.count) }, t('sg.count', { count: num(d.count), total: num(d.total) })),
          d.total ? ` (${pct(d.count / d.total)})` : '',
          d.ms != null ? h('span.muted', ' · ', t('sg.in_ms', { ms: num(d.ms, 0) })) : null,
        ),
      );
      mount(sample, sampleView(d.sample));
    } catch (e) {
      if (my !== state.seq) return;
      area.setAttribute('aria-invalid', 'true');
      mount(result, errorAt(expr, e));
      mount(sample);
    } finally {
      if (my === state.seq) result.removeAttribute('aria-busy');
    }
  }, 350);

  area.addEventListener('input', () => {
    count();
    complete();
  });
  area.addEventListener('keydown', (e) => {
    if (completion.hidden) return;
    const opts = [...completion.children];
    let i = opts.findIndex((o) => o.getAttribute('aria-selected') === 'true');
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      i = (i + (e.key === 'ArrowDown' ? 1 : -1) + opts.length) % opts.length;
      opts.forEach((o, j) => o.setAttribute('aria-selected', String(j === i)));
      area.setAttribute('aria-activedescendant', opts[i].id);
    } else if ((e.key === 'Enter' || e.key === 'Tab') && i >= 0) {
      e.preventDefault();
      insert(opts[i].dataset.insert);
    } else if (e.key === 'Escape') {
      completion.hidden = true;
    }
  });
  area.addEventListener('blur', () => setTimeout(() => (completion.hidden = true), 150));

  function wordBefore() {
    const upto = area.value.slice(0, area.selectionStart);
    const m = /[A-Za-z_][A-Za-z0-9_]*$/.exec(upto);
    return m ? m[0] : '';
  }
  function complete() {
    const w = wordBefore();
    if (w.length < 1) return (completion.hidden = true);
    const hits = state.fields.filter((f) => f.name.startsWith(w) && f.name !== w).slice(0, 8);
    if (!hits.length) return (completion.hidden = true);
    mount(
      completion,
      hits.map((f, j) =>
        h(
          'li',
          {
            id: `opt-${j}`,
            role: 'option',
            'aria-selected': String(j === 0),
            'data-insert': f.kind === 'function' ? f.name + '(' : f.name,
            onmousedown: (e) => (e.preventDefault(), insert(e.currentTarget.dataset.insert)),
          },
          h('code', f.name),
          h('span.muted', ' ', f.type || f.kind, ' — ', f.help || ''),
        ),
      ),
    );
    completion.hidden = false;
    area.setAttribute('aria-activedescendant', 'opt-0');
  }
  function insert(text) {
    const w = wordBefore();
    const at = area.selectionStart;
    area.value = area.value.slice(0, at - w.length) + text + area.value.slice(at);
    const pos = at - w.length + text.length;
    area.setSelectionRange(pos, pos);
    completion.hidden = true;
    area.removeAttribute('aria-activedescendant');
    area.focus();
    count();
  }

  // field and function help, filterable; a click inserts
  get('/v1/segments/fields').then(
    (d) => {
      const fields = (d.fields || []).map((f) => ({ ...f, kind: 'field' }));
      const fns = (d.functions || []).map((f) => ({ ...f, kind: 'function', type: f.returns || f.type || 'function' }));
      state.fields = [...fields, ...fns].sort((a, b) => a.name.localeCompare(b.name));
      const filter = h('input', { type: 'search', placeholder: t('sg.filter'), 'aria-label': t('sg.filter') });
      const listBox = h('ul.fields');
      const show = () => {
        const q = filter.value.trim().toLowerCase();
        mount(
          listBox,
          state.fields
            .filter((f) => !q || f.name.toLowerCase().includes(q) || (f.help || '').toLowerCase().includes(q))
            .map((f) =>
              h(
                'li',
                h('button.linklike', { type: 'button', onclick: () => insertAtEnd(f) }, h('code', f.kind === 'function' ? `${f.name}(…)` : f.name)),
                h('span.muted', ` ${f.type || ''}`),
                f.args ? h('div.small', h('code', `${f.name}(${f.args})`)) : null,
                h('div.small', f.help || ''),
                f.example ? h('div.small', h('code', f.example)) : null,
              ),
            ),
        );
      };
      filter.addEventListener('input', show);
      show();
      mount(help, filter, listBox);
    },
    (e) => mount(help, problemView(e)),
  );
  function insertAtEnd(f) {
    const s = area.value.trimEnd();
    area.value = (s ? s + ' and ' : '') + (f.example || f.name);
    area.focus();
    count();
  }

  async function save(e) {
    e.preventDefault();
    const body = { name: name.value.trim(), expression: area.value.trim(), description: desc.value.trim() };
    try {
      try {
        await post('/v1/segments', body);
      } catch (err) {
        if (!(err instanceof ApiError) || err.status !== 409) throw err;
        await put(`/v1/segments/${enc(body.name)}`, { expression: body.expression, description: body.description });
      }
      mount(saveOut, notice(t('sg.saved', { name: body.name })));
      loadList();
    } catch (err) {
      mount(saveOut, problemView(err));
    }
  }

  function loadList() {
    if (has('GET /v1/segments')) mount(listEl, section(() => all('/v1/segments'), listView));
  }
  function listView(rows) {
    if (!rows.length) return empty(t('sg.none'));
    const out = h('div', { 'aria-live': 'polite' });
    return [
      table(
        [
          { label: t('sg.name'), value: (s) => s.name },
          { label: t('sg.editor'), value: (s) => h('code.expr', s.expression) },
          { label: t('sg.description'), value: (s) => s.description || '' },
          {
            label: h('span.sr', t('sg.edit')),
            value: (s) =>
              h(
                'div.row-actions',
                h('button.secondary.small', { type: 'button', onclick: () => open(s) }, t('sg.edit')),
                canWrite() && has('POST /v1/segments/{name}/export', 'GET /v1/jobs/{id}', 'GET /v1/segments/{name}/export/{id}') ? h('button.secondary.small', { type: 'button', onclick: () => exportSeg(s, out) }, t('sg.export')) : null,
                canWrite() && has('DELETE /v1/segments/{name}') ? h('button.secondary.small.danger', { type: 'button', onclick: () => remove(s, out) }, t('sg.delete')) : null,
              ),
          },
        ],
        rows,
      ),
      out,
    ];
  }
  function open(s) {
    area.value = s.expression;
    name.value = s.name;
    desc.value = s.description || '';
    area.focus();
    count();
  }
  async function exportSeg(s, out) {
    try {
      const job = await post(`/v1/segments/${enc(s.name)}/export`);
      const end = await jobProgress(out, job, t('job.export'));
      // the finished file: GET /v1/segments/{name}/export/{job id}
      if (end.state === 'done' && has('GET /v1/segments/{name}/export/{id}')) {
        const url = `/v1/segments/${enc(s.name)}/export/${enc(end.id)}`;
        const rows = end.result && end.result.rows;
        out.append(
          h('p', h('a.export-link', { href: url, download: `${s.name}.csv` }, t('sg.download', { name: s.name })), rows != null ? ` (${t('sg.rows', { n: num(rows) })})` : ''),
        );
      }
    } catch (e) {
      mount(out, problemView(e));
    }
  }
  async function remove(s, out) {
    if (!(await confirmDialog(t('sg.delete_q', { name: s.name }), { danger: true, ok: t('sg.delete') }))) return;
    try {
      await del(`/v1/segments/${enc(s.name)}`);
      loadList();
    } catch (e) {
      mount(out, problemView(e));
    }
  }
  loadList();

  return h(
    'div.page',
    h('h1', t('sg.title')),
    h(
      'div.editor-grid',
      card(
        null,
        h('label', { for: 'expr' }, t('sg.editor')),
        h('div.complete-wrap', area, completion),
        result,
        canWrite()
          ? h(
              'form.inline-form',
              { onsubmit: save },
              h('label', { for: 'sg-name' }, t('sg.name')),
              name,
              h('label', { for: 'sg-desc' }, t('sg.description')),
              desc,
              h('button', { type: 'submit' }, t('sg.save')),
            )
          : null,
        saveOut,
        sample,
      ),
      card(t('sg.fields'), help),
    ),
    has('GET /v1/segments') ? card(t('sg.list'), listEl) : null,
  );
}

// a parse error: the message, and the expression's line with a caret under the column
function errorAt(expr, e) {
  const view = problemView(e);
  const pos = e instanceof ApiError ? e.errors.find((x) => x.line) : null;
  if (!pos) return view;
  const line = expr.split('\n')[pos.line - 1] ?? '';
  const col = Math.max(1, Number(pos.column) || 1);
  return h(
    'div',
    view,
    h('pre.caret', { 'aria-hidden': 'true' }, line, '\n', ' '.repeat(Math.min(col - 1, line.length)) + '^'),
  );
}

function sampleView(rows) {
  if (!Array.isArray(rows) || !rows.length) return null;
  const keys = Object.keys(rows[0]).filter((k) => k !== 'id' && typeof rows[0][k] !== 'object').slice(0, 9);
  return [
    h('h3', t('sg.sample')),
    table(
      keys.map((k) => ({
        label: k,
        value: (r) => (k === 'customer_id' ? h('a', { href: `/customers/${enc(r.customer_id)}`, 'data-link': '' }, String(r.customer_id)) : r[k] == null ? '—' : String(r[k])),
      })),
      rows,
    ),
  ];
}
