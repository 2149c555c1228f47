// campaigns.js — the list (GET /v1/campaigns), creation from a playbook through a form that
// writes the campaign JSON (visible and editable), the plan preview (POST /v1/campaigns/plan:
// counts, exclusions by reason, rendered samples per channel), start/pause/resume/stop with
// confirmation, and the report (GET /v1/campaigns/{name}/report): funnel, uplift with its
// interval, revenue over time, A/B with significance.
import { h, mount } from '../dom.js';
import { t, num, money, pct, dateTime, stateName, locale } from '../i18n.js';
import { get, post, enc, all, user, problemView, has } from '../api.js';
import { chart } from '../charts.js';
import { card, empty, table, section, link, notice, confirmDialog } from '../ui.js';
import { navigate } from '../nav.js';

const canWrite = () => ['owner', 'marketer'].includes(user()?.role);
const canCreate = () => canWrite() && has('GET /v1/playbooks', 'GET /v1/playbooks/{name}', 'POST /v1/campaigns');
const CHANNELS = ['email', 'sms', 'push', 'wechat', 'inapp', 'webhook'];

export function renderList() {
  return h(
    'div.page',
    h('div.page-head', h('h1', t('cp.title')), canCreate() ? link('/campaigns/new', h('span.button', t('cp.new'))) : null),
    section(() => all('/v1/campaigns'), (rows) => {
      if (!rows.length) return empty(t('cp.none'), canCreate() ? link('/campaigns/new', t('cp.new')) : null);
      return table(
        [
          { label: t('cp.name'), value: (c) => link(`/campaigns/${enc(c.name)}`, c.name) },
          { label: t('cp.state'), value: (c) => h('span.state', { class: 'st-' + c.state }, stateName(c.state)) },
          { label: t('cp.trigger'), value: (c) => (typeof c.trigger === 'object' ? c.trigger?.type : c.trigger) ?? '—' },
          { label: t('cp.members'), value: (c) => num(c.members ?? c.metrics?.members), num: true },
          { label: t('cp.messaged'), value: (c) => num(c.messaged ?? c.metrics?.messaged), num: true },
          { label: t('cp.holdout'), value: (c) => num(c.holdout ?? c.metrics?.holdout), num: true },
          { label: t('cp.conversions'), value: (c) => num(c.conversions ?? c.metrics?.conversions), num: true },
          { label: t('cp.incremental'), value: (c) => money(c.incremental_revenue ?? c.metrics?.incremental_revenue, c.currency), num: true },
        ],
        rows,
      );
    }),
  );
}

// ---- new campaign from a playbook -------------------------------------------------------------

export function renderNew() {
  if (!canCreate()) return h('div.page', h('h1', t('cp.new')), empty(t('unavailable')));
  const jsonBox = h('textarea#cp-json.code', { rows: 18, spellcheck: 'false', 'aria-describedby': 'cp-json-help' });
  const out = h('div', { 'aria-live': 'polite' });
  const planOut = h('div');
  const form = h('div.form-grid');
  let doc = null;

  const nameIn = h('input#cp-name', { type: 'text', maxlength: 64 });
  const audIn = h('textarea#cp-aud', { rows: 2, spellcheck: 'false' });
  const holdIn = h('input#cp-hold', { type: 'number', min: '0', max: '0.5', step: '0.05' });
  const prioIn = h('input#cp-prio', { type: 'number', min: '0', max: '100', step: '1' });
  const chanBox = h('fieldset.channels', h('legend', t('cp.channels')));

  // the form writes into the JSON; the JSON, edited by hand, fills the form back
  const write = () => {
    if (!doc) return;
    doc.name = nameIn.value.trim();
    if (audIn.value.trim()) doc.audience = audIn.value.trim();
    else delete doc.audience;
    if (holdIn.value !== '') doc.holdout = Number(holdIn.value);
    if (prioIn.value !== '') doc.priority = Number(prioIn.value);
    doc.channels = [...chanBox.querySelectorAll('input:checked')].map((i) => i.value);
    jsonBox.value = JSON.stringify(doc, null, 2);
  };
  const read = () => {
    try {
      doc = JSON.parse(jsonBox.value);
      jsonBox.removeAttribute('aria-invalid');
      mount(out);
    } catch (e) {
      jsonBox.setAttribute('aria-invalid', 'true');
      mount(out, notice(t('cp.bad_json', { msg: e.message }), 'bad'));
      return false;
    }
    fill();
    return true;
  };
  const fill = () => {
    nameIn.value = doc.name ?? '';
    audIn.value = doc.audience ?? '';
    holdIn.value = doc.holdout ?? '';
    prioIn.value = doc.priority ?? '';
    mount(
      chanBox,
      h('legend', t('cp.channels')),
      [...new Set([...CHANNELS, ...(doc.channels || [])])].map((c) =>
        h('label.check', h('input', { type: 'checkbox', value: c, checked: (doc.channels || []).includes(c), onchange: write }), ' ', c),
      ),
    );
  };
  for (const el of [nameIn, audIn, holdIn, prioIn]) el.addEventListener('input', write);
  jsonBox.addEventListener('change', read);

  const pick = h('select#cp-playbook', {
    onchange: async (e) => {
      if (!e.target.value) return;
      try {
        const pb = await get(`/v1/playbooks/${enc(e.target.value)}`);
        doc = pb.campaign && typeof pb.campaign === 'object' ? pb.campaign : pb;
        jsonBox.value = JSON.stringify(doc, null, 2);
        fill();
        mount(out);
      } catch (err) {
        mount(out, problemView(err));
      }
    },
  });
  all('/v1/playbooks').then(
    (rows) =>
      mount(
        pick,
        h('option', { value: '' }, t('cp.pick')),
        rows.map((p) => h('option', { value: p.name, title: p.description || '' }, p.description ? `${p.name} — ${p.description.slice(0, 70)}` : p.name)),
      ),
    (e) => mount(out, problemView(e)),
  );

  const current = () => (read() ? doc : null);
  const plan = async () => {
    const d = current();
    if (!d) return;
    mount(planOut, section(() => post('/v1/campaigns/plan?sample=20', d), planView));
  };
  const create = async () => {
    const d = current();
    if (!d) return;
    try {
      await post('/v1/campaigns', d);
      navigate(`/campaigns/${enc(d.name)}`);
    } catch (e) {
      mount(out, problemView(e));
    }
  };

  mount(
    form,
    h('label', { for: 'cp-playbook' }, t('cp.playbook')), pick,
    h('label', { for: 'cp-name' }, t('cp.name')), nameIn,
    h('label', { for: 'cp-aud' }, t('cp.audience')), audIn,
    h('label', { for: 'cp-hold' }, t('cp.holdout_share')), holdIn,
    h('label', { for: 'cp-prio' }, t('cp.priority')), prioIn,
    h('span'), chanBox,
  );
  return h(
    'div.page',
    h('p', link('/campaigns', '← ' + t('cp.title'))),
    h('h1', t('cp.new')),
    h(
      'div.grid2',
      card(null, form),
      card(null, h('label', { for: 'cp-json' }, t('cp.json')), h('p#cp-json-help.muted.small', t('cp.json_help')), jsonBox),
    ),
    out,
    h(
      'div.actions',
      has('POST /v1/campaigns/plan') ? h('button.secondary', { type: 'button', onclick: plan }, t('cp.plan')) : null,
      h('button', { type: 'button', onclick: create }, t('cp.create')),
    ),
    planOut,
  );
}

// ---- the plan preview ---------------------------------------------------------------------------

function planView(p) {
  const excluded = Object.entries(p.excluded || {}).filter(([, v]) => v);
  const deferred = Object.entries(p.deferred || {}).filter(([, v]) => v);
  const byChannel = new Map();
  for (const s of p.sample || []) {
    if (!byChannel.has(s.channel)) byChannel.set(s.channel, []);
    byChannel.get(s.channel).push(s);
  }
  return card(
    t('cp.plan_title'),
    h(
      'div.kpis.small',
      kpi(t('cp.audience_n'), num(p.audience)),
      kpi(t('cp.eligible'), num(p.eligible)),
      kpi(t('cp.holdout'), num(p.holdout)),
      Object.entries(p.channels || {}).map(([c, v]) => kpi(c, num(v))),
    ),
    h(
      'div.grid2',
      h('div', h('h3', t('cp.excluded')), excluded.length ? table([{ label: t('cu.reason'), value: (r) => reason(r[0]) }, { label: t('ov.customers'), value: (r) => num(r[1]), num: true }], excluded) : h('p.muted', t('none'))),
      h('div', h('h3', t('cp.deferred')), deferred.length ? table([{ label: t('cu.reason'), value: (r) => reason(r[0]) }, { label: t('ov.customers'), value: (r) => num(r[1]), num: true }], deferred) : h('p.muted', t('none'))),
    ),
    h('h3', t('cp.samples')),
    byChannel.size
      ? [...byChannel].map(([c, list]) =>
          h('div.samples', h('h4', c), list.slice(0, 2).map((s) => h('article.sample', h('div.muted.small', `${s.address ?? ''} · ${dateTime(s.send_at)} · ${s.variant ?? ''}`), s.subject || s.title ? h('strong', s.subject || s.title) : null, h('pre.msg', { tabindex: '0' }, s.text ?? '')))),
        )
      : empty(t('cp.no_samples')),
  );
}

// an exclusion reason of the plan in words ("no_consent" -> "No consent"), else as it came
function reason(code) {
  const s = t('rs.' + code);
  return s === 'rs.' + code ? code : s;
}

function kpi(label, value) {
  return h('div.kpi', h('div.kpi-label', label), h('div.kpi-value', value));
}

// ---- one campaign ------------------------------------------------------------------------------

export function renderOne(name) {
  const page = h('div.page');
  const draw = () => mount(page, section(() => get(`/v1/campaigns/${enc(name)}`), (c) => view(c, name, draw)));
  draw();
  return page;
}

function view(c, name, redraw) {
  // encore campaign show --json: the state and counts, and the campaign file as text in "spec"
  let spec = c.spec ?? c.campaign ?? c;
  if (typeof spec === 'string') {
    try {
      spec = JSON.parse(spec);
    } catch (e) {
      spec = { text: spec };
    }
  }
  const state = c.state ?? spec.state ?? '';
  const out = h('div', { 'aria-live': 'polite' });
  const planOut = h('div');
  const act = (verb) => async () => {
    const ok = await confirmDialog(t('cp.confirm_' + verb, { name }), { danger: verb === 'stop', ok: t('cp.' + verb) });
    if (!ok) return;
    try {
      await post(`/v1/campaigns/${enc(name)}/${verb}`);
      redraw();
    } catch (e) {
      mount(out, problemView(e));
    }
  };
  const may = (verb) => has(`POST /v1/campaigns/{name}/${verb}`);
  const buttons = canWrite()
    ? [
        !['running', 'paused', 'stopped', 'finished', 'done'].includes(state) && may('start') ? h('button', { type: 'button', 'data-action': 'start', onclick: act('start') }, t('cp.start')) : null,
        state === 'running' && may('pause') ? h('button.secondary', { type: 'button', 'data-action': 'pause', onclick: act('pause') }, t('cp.pause')) : null,
        state === 'paused' && may('resume') ? h('button.secondary', { type: 'button', 'data-action': 'resume', onclick: act('resume') }, t('cp.resume')) : null,
        ['running', 'paused'].includes(state) && may('stop') ? h('button.danger', { type: 'button', 'data-action': 'stop', onclick: act('stop') }, t('cp.stop')) : null,
      ]
    : [];
  return [
    h('p', link('/campaigns', '← ' + t('cp.title'))),
    h('div.page-head', h('h1', name), h('span.state', { class: 'st-' + state }, stateName(state))),
    spec.description ? h('p', spec.description) : null,
    c.members != null
      ? h(
          'div.kpis.small',
          // entries are membership rows (a customer once per entry, holdout included); the
          // customers, as the report counts them, head the report below (audienceKpis)
          kpi(t('cp.entries'), num(c.members)),
          kpi(t('cp.messages'), num(c.messages)),
          Object.entries(c.outbox || {})
            .filter(([, v]) => v)
            .map(([k, v]) => kpi(stateName(k), num(v))),
        )
      : null,
    h(
      'div.actions',
      buttons,
      has('POST /v1/campaigns/{name}/plan')
        ? h('button.secondary', { type: 'button', onclick: () => mount(planOut, section(() => post(`/v1/campaigns/${enc(name)}/plan?sample=20`), planView)) }, t('cp.plan'))
        : null,
    ),
    out,
    planOut,
    has('GET /v1/campaigns/{name}/report') ? section(() => get(`/v1/campaigns/${enc(name)}/report`), (r) => [audienceKpis(c, r), reportView(r)]) : null,
    h('details.card', h('summary', t('cp.definition')), h('pre.code', { tabindex: '0', 'aria-label': t('cp.definition') }, JSON.stringify(spec, null, 2))),
  ];
}

// the report's audience: distinct customers treated and held out whose entry is due by its as-of
// time; the rest of the campaign's customers (encore campaign show: customers, holdout_customers)
// enter later (their message is scheduled after it), so the page and the report agree
function audienceKpis(c, r) {
  const groups = r.groups || [];
  const treated = groups.find((g) => g.kind === 'treated');
  if (!treated || c.customers == null) return null;
  const held = groups.find((g) => g.kind === 'holdout')?.audience ?? 0;
  const later = c.customers - treated.audience + ((c.holdout_customers ?? 0) - held);
  return h(
    'div.kpis.small.audience',
    kpi(t('cp.customers'), num(treated.audience)),
    kpi(t('cp.holdout_customers'), num(held)),
    kpi(t('cp.later'), num(Math.max(0, later))),
  );
}

function reportView(r) {
  const groups = r.groups || [];
  const treated = groups.find((g) => g.kind === 'treated') || groups.find((g) => g.kind === 'variant');
  const holdout = groups.find((g) => g.kind === 'holdout');
  if (!treated || !(treated.members || treated.audience)) return card(t('cp.report'), empty(t('cp.no_report')));
  const cur = r.currency;
  const level = Math.round((r.confidence ?? 0.95) * 100);
  const steps = ['audience', 'sent', 'delivered', 'opened', 'clicked', 'converted'];
  const up = treated.uplift;
  const sig = (x) => h('span', { class: x?.significant ? 'good' : 'muted' }, x?.significant ? t('cp.significant') : t('cp.not_significant'));
  const ci = (pair, f) => (Array.isArray(pair) ? `[${f(pair[0])}, ${f(pair[1])}]` : '—');
  const rot = r.revenue_over_time?.periods?.length ? r.revenue_over_time : null;
  return card(
    t('cp.report'),
    r.as_of ? h('p.muted.small', t('ov.as_of', { date: dateTime(r.as_of) })) : null,
    h(
      'div.grid2',
      h(
        'div',
        h('h3', t('cp.funnel')),
        chart(
          {
            grid: { left: 90, right: 40, top: 10, bottom: 24 },
            tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
            xAxis: { type: 'value' },
            yAxis: { type: 'category', inverse: true, data: steps.map((s) => t('f.' + s)) },
            series: [{ type: 'bar', name: t('cp.messages'), data: steps.map((s) => treated[s] ?? 0), label: { show: true, position: 'right' } }],
          },
          { height: 240, label: t('cp.funnel') },
        ),
      ),
      h(
        'div',
        h('h3', t('cp.uplift')),
        up
          ? h(
              'dl.facts',
              h('dt', t('cp.conv_rate')),
              h('dd', `${pct(treated.conversion_rate)} vs ${pct(holdout?.conversion_rate)} · Δ ${pct(up.conversion?.difference, 2)} `, h('span.muted', `${t('cp.ci', { level })} ${ci(up.conversion?.ci, (v) => pct(v, 2))}`), ' · ', t('cp.p', { p: up.conversion?.p_value == null ? '—' : num(up.conversion.p_value, 4) }), ' · ', sig(up.conversion)),
              h('dt', t('cp.rev_per')),
              h('dd', `${money(treated.revenue_per_customer, cur)} vs ${money(holdout?.revenue_per_customer, cur)} `, h('span.muted', `${t('cp.ci', { level })} ${ci(up.revenue_per_customer?.ci, (v) => money(v, cur))}`), ' · ', sig(up.revenue_per_customer)),
              h('dt', t('cp.incremental')),
              h('dd', money(up.incremental_revenue, cur), ' ', h('span.muted', `${t('cp.ci', { level })} ${ci(up.incremental_revenue_ci, (v) => money(v, cur))}`)),
              h('dt', t('cp.roi')),
              h('dd', up.roi == null ? '—' : pct(up.roi)),
            )
          : empty(t('cp.no_report')),
      ),
    ),
    ...(rot ? revenueOverTime(rot, groups, cur) : revenueByGroup(groups, cur)),
    table(
      [
        { label: t('cp.variant'), value: (g) => (g.kind === 'holdout' ? t('cp.holdout') : g.kind === 'treated' ? t('cp.treated') : g.name) },
        { label: t('cp.members'), value: (g) => num(g.members), num: true },
        { label: t('f.sent'), value: (g) => num(g.sent), num: true },
        { label: t('f.converted'), value: (g) => num(g.converted), num: true },
        { label: t('cp.conv_rate'), value: (g) => pct(g.conversion_rate), num: true },
        { label: t('ov.revenue'), value: (g) => money(g.revenue, cur), num: true },
      ],
      groups,
    ),
    h('h3', t('cp.ab')),
    r.ab ? abView(r.ab, cur) : h('p.muted', t('cp.no_ab')),
  );
}

// revenue_over_time (docs/measurement.md): each group's attributed revenue per period, drawn as
// the HTML report draws it — per assigned customer, cumulative, a line per variant and a dashed
// one for the holdout (every variant together is left out, as there)
function revenueOverTime(rot, groups, cur) {
  const fmt = new Intl.DateTimeFormat(locale(), { timeZone: 'UTC', month: 'short', day: 'numeric' });
  const days = rot.periods.map((p) => fmt.format(new Date(p + 'T00:00:00Z')));
  const lines = (rot.groups || [])
    .filter((s) => s.kind !== 'treated')
    .map((s) => {
      const g = groups.find((x) => x.kind === s.kind && x.name === s.name);
      const n = g?.audience ?? g?.members ?? 0;
      let cum = 0;
      const data = (s.revenue || []).map((v) => ((cum += Number(v) || 0), n > 0 ? Math.round((cum / n) * 100) / 100 : null));
      const hold = s.kind === 'holdout';
      return { type: 'line', name: hold ? t('cp.holdout') : s.name, data, showSymbol: data.length <= 31, lineStyle: hold ? { type: 'dashed' } : undefined, itemStyle: hold ? { color: '#777' } : undefined };
    });
  const interval = t(rot.interval === 'week' ? 'cp.week' : 'cp.day');
  return [
    h('h3', t('cp.revenue_time')),
    h('p.muted.small', t('cp.revenue_time_note', { interval })),
    h(
      'div.revenue-time',
      chart(
        {
          legend: { top: 0 },
          grid: { left: 70, right: 20, top: 36, bottom: 30 },
          tooltip: { trigger: 'axis', valueFormatter: (v) => money(v, cur) },
          xAxis: { type: 'category', boundaryGap: false, data: days },
          yAxis: { type: 'value', axisLabel: { formatter: (v) => money(v, cur) } },
          series: lines,
        },
        { height: 300, label: `${t('cp.revenue_time')}: ${t('cp.rev_per')}` },
      ),
    ),
  ];
}

function revenueByGroup(groups, cur) {
  return [
    h('h3', t('cp.revenue_groups')),
    chart(
      {
        grid: { left: 60, right: 20, top: 20, bottom: 30 },
        tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, valueFormatter: (v) => money(v, cur) },
        xAxis: { type: 'category', data: groups.map((g) => g.name) },
        yAxis: { type: 'value' },
        series: [{ type: 'bar', name: t('ov.revenue'), data: groups.map((g) => g.revenue) }],
      },
      { height: 220, label: t('ov.revenue') },
    ),
  ];
}

function abView(ab, cur) {
  const isRev = ab.metric === 'revenue';
  const f = (v) => (isRev ? money(v, cur) : pct(v, 2));
  return h(
    'div',
    h('p', `${ab.metric} · ${t('cp.winner')}: ${ab.winner ?? ab.leader ?? '—'} · `, h('span', { class: ab.significant ? 'good' : 'muted' }, ab.significant ? t('cp.significant') : t('cp.not_significant'))),
    table(
      [
        { label: t('cp.variant'), value: (v) => v.name },
        { label: t('f.audience'), value: (v) => num(v.audience), num: true },
        { label: t('f.clicked'), value: (v) => num(v.clicked), num: true },
        { label: t('f.converted'), value: (v) => num(v.converted), num: true },
        { label: ab.metric, value: (v) => f(v.value), num: true },
      ],
      ab.variants || [],
    ),
    (ab.comparisons || []).length
      ? table(
          [
            { label: t('cp.variant'), value: (c) => c.variant },
            { label: 'Δ', value: (c) => f(c.difference), num: true },
            { label: '95%', value: (c) => (Array.isArray(c.ci) ? `[${f(c.ci[0])}, ${f(c.ci[1])}]` : '—') },
            { label: 'p (Holm)', value: (c) => num(c.p_adjusted, 4), num: true },
          ],
          ab.comparisons,
        )
      : null,
  );
}
