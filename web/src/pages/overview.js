// overview.js — the shop at a glance: KPI cards with the change against the previous period,
// revenue/orders/active customers over time, repurchase rate, RFM and lifecycle distributions and
// their migration since the previous scoring run, the cohort heatmap, campaigns ranked by
// incremental revenue. Reads /v1/stats and /v1/analytics/*.
import { h, mount } from '../dom.js';
import { t, num, money, pct, date, setShop, stateName, locale } from '../i18n.js';
import { get, post, user, problemView, has, ApiError } from '../api.js';
import { chart, palette } from '../charts.js';
import { card, empty, table, section, jobProgress, link } from '../ui.js';

const list = (d, ...keys) => {
  for (const k of keys) if (Array.isArray(d?.[k])) return d[k];
  return Array.isArray(d) ? d : [];
};
const n = (v) => (v == null ? null : Number(v));

export function render() {
  const interval = sessionStorage.getItem('encore.interval') || 'month';
  const page = h('div.page');
  const body = h('div');
  const pick = h(
    'select',
    {
      'aria-label': t('ov.interval'),
      onchange: (e) => {
        sessionStorage.setItem('encore.interval', e.target.value);
        mount(body, content(e.target.value));
      },
    },
    ['day', 'week', 'month'].map((i) => h('option', { value: i, selected: i === interval }, t('ov.' + i))),
  );
  mount(page, h('div.page-head', h('h1', t('ov.title')), h('label.inline', t('ov.interval'), ' ', pick)), body);
  mount(body, content(interval));
  return page;
}

function content(interval) {
  const when = (op, make) => (has(op) ? make() : null);
  // one KPI request: its periods, and its currency for the store's totals
  const kpis = has('GET /v1/analytics/kpis') ? get(`/v1/analytics/kpis?interval=${interval}`) : null;
  const currency = () => (kpis ? kpis.then((k) => k?.currency, () => null) : Promise.resolve(null));
  return [
    section(() => Promise.all([get('/v1/stats'), currency()]), ([s, cur]) => statsView(s, cur)),
    kpis ? section(() => kpis, (k) => kpiView(k, interval)) : null,
    h(
      'div.grid2',
      when('GET /v1/analytics/distribution', () => section(() => get(`/v1/analytics/distribution?by=${locale() === 'zh-CN' ? 'rfm_cn' : 'rfm'}`), (d) => distView(d, 'ov.rfm'))),
      when('GET /v1/analytics/distribution', () => section(() => get('/v1/analytics/distribution?by=lifecycle'), (d) => distView(d, 'ov.lifecycle'))),
    ),
    h(
      'div.grid2',
      // in Chinese the Chinese RFM classes (rfm_cn), as the distribution beside it shows
      when('GET /v1/analytics/migration', () => section(() => migration(locale() === 'zh-CN' ? 'rfm_cn' : 'rfm'), (d) => migrationView(d, 'ov.migration_rfm'))),
      when('GET /v1/analytics/migration', () => section(() => migration('lifecycle'), (d) => migrationView(d, 'ov.migration_lifecycle'))),
    ),
    when('GET /v1/analytics/cohorts', () => section(() => get('/v1/analytics/cohorts?period=month'), cohortView)),
    when('GET /v1/analytics/campaigns', () => section(() => get('/v1/analytics/campaigns'), campaignsView)),
  ];
}

// moves between the two latest scoring runs; before the second run the API answers 404 (the
// empty state says what to do)
async function migration(by) {
  try {
    return await get(`/v1/analytics/migration?by=${by}`);
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) return null;
    throw e;
  }
}

function delta(cur, prev) {
  if (cur == null || prev == null || !Number.isFinite(prev) || prev === 0) return null;
  return (cur - prev) / Math.abs(prev);
}

function kpiCard(id, label, value, change, interval, raw) {
  return h(
    'div.kpi',
    { 'data-kpi': id, 'data-value': raw == null ? null : String(raw) },
    h('div.kpi-label', label),
    h('div.kpi-value', value),
    change === undefined
      ? null
      : change == null
      ? h('div.kpi-change.muted', '—')
      : h(
          'div.kpi-change',
          { class: change >= 0 ? 'up' : 'down' },
          (change >= 0 ? '▲ ' : '▼ ') + pct(Math.abs(change)),
          ' ',
          h('span.muted', t('ov.vs_prev', { interval: t('ov.' + interval) })),
        ),
  );
}

// the store's totals (GET /v1/stats, as encore stats --json)
function statsView(stats, currency) {
  const sales = stats.sales || {};
  if (!stats.orders) return card(null, empty(t('ov.no_data')));
  return h(
    'div.kpis',
    kpiCard('customers', t('ov.customers'), num(stats.customers), undefined, null, stats.customers),
    kpiCard('buyers', t('ov.buyers'), num(sales.customers), undefined, null, sales.customers),
    kpiCard('revenue', t('ov.revenue'), money(sales.revenue, stats.currency ?? currency), undefined, null, sales.revenue),
    kpiCard('orders', t('ov.orders'), num(sales.orders ?? stats.orders), undefined, null, sales.orders ?? stats.orders),
  );
}

function kpiView(kpis, interval) {
  const rows = list(kpis, 'items', 'periods', 'kpis');
  const cur = kpis?.currency;
  setShop({ currency: cur });
  if (!rows.length) return null;
  const last = rows[rows.length - 1] || {};
  const prev = rows[rows.length - 2] || {};
  const f = (r, k) => n(r[k]);
  const periodCards = rows.length
    ? h(
        'div.kpis',
        kpiCard('p-revenue', `${t('ov.revenue')} · ${last.period}`, money(f(last, 'revenue'), cur), delta(f(last, 'revenue'), f(prev, 'revenue')), interval),
        kpiCard('p-orders', `${t('ov.orders')} · ${last.period}`, num(f(last, 'orders')), delta(f(last, 'orders'), f(prev, 'orders')), interval),
        kpiCard('p-active', `${t('ov.active')} · ${last.period}`, num(f(last, 'active_customers')), delta(f(last, 'active_customers'), f(prev, 'active_customers')), interval),
        kpiCard('p-new', `${t('ov.new')} · ${last.period}`, num(f(last, 'new_customers')), delta(f(last, 'new_customers'), f(prev, 'new_customers')), interval),
        kpiCard('p-repurchase', `${t('ov.repurchase')} · ${last.period}`, pct(f(last, 'repurchase_rate')), delta(f(last, 'repurchase_rate'), f(prev, 'repurchase_rate')), interval),
        kpiCard('p-aov', `${t('ov.aov')} · ${last.period}`, money(f(last, 'aov'), cur), delta(f(last, 'aov'), f(prev, 'aov')), interval),
      )
    : null;
  const x = rows.map((r) => r.period);
  return [
    periodCards,
    rows.length
      ? h(
          'div.grid2',
          card(
            t('ov.over_time'),
            chart(
              {
                legend: { top: 0 },
                grid: { left: 60, right: 60, top: 36, bottom: 30 },
                xAxis: { type: 'category', data: x },
                yAxis: [{ type: 'value', name: t('ov.revenue') }, { type: 'value', name: t('ov.orders') }],
                series: [
                  { name: t('ov.revenue'), type: 'bar', data: rows.map((r) => f(r, 'revenue')) },
                  { name: t('ov.orders'), type: 'line', yAxisIndex: 1, data: rows.map((r) => f(r, 'orders')) },
                  { name: t('ov.active'), type: 'line', yAxisIndex: 1, data: rows.map((r) => f(r, 'active_customers')) },
                ],
              },
              { label: t('ov.over_time') },
            ),
          ),
          card(
            t('ov.repurchase_time'),
            chart(
              {
                grid: { left: 50, right: 20, top: 20, bottom: 30 },
                xAxis: { type: 'category', data: x },
                yAxis: { type: 'value', axisLabel: { formatter: (v) => pct(v, 0) } },
                tooltip: { trigger: 'axis', valueFormatter: (v) => pct(v) },
                series: [{ name: t('ov.repurchase'), type: 'line', areaStyle: { opacity: 0.15 }, data: rows.map((r) => f(r, 'repurchase_rate')) }],
              },
              { label: t('ov.repurchase_time') },
            ),
          ),
        )
      : null,
  ];
}

function scoreAction() {
  const u = user();
  if (!u || !['owner', 'marketer'].includes(u.role) || !has('POST /v1/jobs', 'GET /v1/jobs/{id}')) return null;
  const out = h('div');
  const btn = h(
    'button',
    {
      type: 'button',
      onclick: async () => {
        btn.disabled = true;
        try {
          const job = await post('/v1/jobs?kind=score');
          const end = await jobProgress(out, job, t('job.score'));
          if (end.state === 'done') setTimeout(() => location.reload(), 800);
        } catch (e) {
          mount(out, problemView(e));
        } finally {
          btn.disabled = false;
        }
      },
    },
    t('ov.run_scoring'),
  );
  return h('div', btn, out);
}

// lifecycle stages in the order a customer lives them; RFM segments as the API ranks them
const STAGES = ['prospect', 'new', 'growing', 'mature', 'declining', 'dormant', 'churned'];

function distView(d, titleKey) {
  let segs = list(d, 'segments', 'items');
  if (d?.by === 'lifecycle') {
    const rank = (x) => (STAGES.indexOf(x.segment) < 0 ? STAGES.length : STAGES.indexOf(x.segment));
    segs = [...segs].sort((a, b) => rank(a) - rank(b));
  }
  if (!segs.length) return card(t(titleKey), empty(t('ov.no_scores'), scoreAction()));
  const lc = d?.by === 'lifecycle';
  const label = (s) => {
    const name = s.segment ?? s.stage ?? s.name;
    if (name == null) return t('ov.unscored');
    return lc && t('lc.' + name) !== 'lc.' + name ? t('lc.' + name) : name;
  };
  return card(
    t(titleKey),
    d.as_of ? h('p.muted.small', t('ov.as_of', { date: date(d.as_of) })) : null,
    chart(
      {
        grid: { left: 130, right: 30, top: 10, bottom: 24 },
        tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
        xAxis: { type: 'value' },
        yAxis: { type: 'category', data: segs.map(label), inverse: true },
        series: [{ name: t('ov.customers'), type: 'bar', data: segs.map((s) => s.customers) }],
      },
      { height: Math.max(180, segs.length * 26 + 40), label: t(titleKey) },
    ),
    table(
      [
        { label: t('ov.segment'), value: label },
        { label: t('ov.customers'), value: (s) => num(s.customers), num: true },
        { label: `${t('ov.revenue')} ${t('ov.share')}`, value: (s) => pct(s.revenue_share), num: true },
        { label: t('cu.clv'), value: (s) => money(s.avg_clv ?? s.mean_clv, d.currency), num: true },
      ],
      segs,
      { caption: t(titleKey) },
    ),
  );
}

// a segment's name in the page's language: lifecycle stages through lc.*, the RFM segments of the
// English scheme through rfm.*; the Chinese rfm_cn classes (the zh page's distribution and
// migration) and any unknown name as they came
function segName(x, prefix) {
  const k = prefix + x;
  return t(k) !== k ? t(k) : x;
}

function migrationView(d, titleKey) {
  const tr = (x) => segName(x, titleKey === 'ov.migration_rfm' ? 'rfm.' : 'lc.');
  // either {segments: [...], matrix: [[...]]} or {moves: [{from, to, customers}]}
  let names = d?.segments || d?.labels;
  let matrix = d?.matrix;
  if ((!names || !matrix) && Array.isArray(d?.moves)) {
    const set = new Set();
    for (const m of d.moves) set.add(m.from ?? t('ov.unscored')), set.add(m.to ?? t('ov.unscored'));
    names = [...set];
    matrix = names.map(() => names.map(() => 0));
    for (const m of d.moves)
      matrix[names.indexOf(m.from ?? t('ov.unscored'))][names.indexOf(m.to ?? t('ov.unscored'))] += Number(m.customers) || 0;
  }
  if (!names || !matrix || !names.length) return card(t(titleKey), empty(t('ov.no_migration'), scoreAction()));
  names = names
    .map((x) => (typeof x === 'object' && x ? x.segment ?? x.name : x ?? t('ov.unscored')))
    .map((x) => (x === '(none)' ? t('ov.unscored') : tr(x)));
  const data = [];
  let max = 1;
  matrix.forEach((row, i) => row.forEach((v, j) => (data.push([j, i, v]), (max = Math.max(max, v)))));
  return card(
    t(titleKey),
    h('p.muted.small', t('ov.rows_cols')),
    chart(
      {
        tooltip: { trigger: 'item', formatter: (p) => `${names[p.value[1]]} → ${names[p.value[0]]}: ${num(p.value[2])}` },
        grid: { left: 120, right: 20, top: 10, bottom: 90 },
        xAxis: { type: 'category', data: names, axisLabel: { rotate: 40 } },
        yAxis: { type: 'category', data: names, inverse: true },
        visualMap: { min: 0, max, show: false, inRange: { color: ['#f4f8fb', palette[0]] } },
        series: [{ type: 'heatmap', data, label: { show: names.length <= 12, fontSize: 10 } }],
      },
      { height: Math.max(260, names.length * 28 + 110), label: t(titleKey) },
    ),
  );
}

function cohortView(d) {
  const rows = list(d, 'cohorts');
  if (!rows.length) return card(t('ov.cohorts'), empty(t('ov.no_data')));
  const shown = rows.slice(-18);
  const K = Math.min(13, Math.max(...shown.map((r) => (r.customers || []).length)));
  const data = [];
  let top = 0.01;
  shown.forEach((r, i) => {
    for (let k = 0; k < K && k < (r.customers || []).length; k++) {
      const share = r.size ? r.customers[k] / r.size : 0;
      data.push([k, i, share, r.customers[k]]);
      if (k > 0) top = Math.max(top, share);
    }
  });
  return card(
    t('ov.cohorts'),
    chart(
      {
        tooltip: {
          trigger: 'item',
          formatter: (p) => `${shown[p.value[1]].cohort} ${t('ov.period_k', { k: p.value[0] })}: ${pct(p.value[2])} (${num(p.value[3])})`,
        },
        grid: { left: 90, right: 20, top: 10, bottom: 30 },
        xAxis: { type: 'category', data: [...Array(K).keys()].map((k) => t('ov.period_k', { k })) },
        yAxis: { type: 'category', data: shown.map((r) => `${r.cohort} (${num(r.size)})`), inverse: true },
        visualMap: { min: 0, max: top, dimension: 2, show: false, inRange: { color: ['#f4f8fb', '#2f8a50'] } },
        series: [{ type: 'heatmap', data, label: { show: true, fontSize: 9, formatter: (p) => (p.value[0] ? pct(p.value[2], 0) : num(p.value[3])) } }],
      },
      { height: Math.max(240, shown.length * 24 + 50), label: t('ov.cohorts') },
    ),
  );
}

function campaignsView(d) {
  const rows = list(d, 'campaigns', 'items');
  if (!rows.length) return card(t('ov.campaigns'), empty(t('ov.no_campaigns'), link('/campaigns/new', t('cp.new'))));
  const ranked = [...rows].sort((a, b) => (n(b.incremental_revenue) || 0) - (n(a.incremental_revenue) || 0));
  return card(
    t('ov.campaigns'),
    table(
      [
        { label: t('cp.name'), value: (c) => link(`/campaigns/${encodeURIComponent(c.name ?? c.campaign)}`, c.name ?? c.campaign) },
        { label: t('cp.state'), value: (c) => stateName(c.state) },
        { label: t('f.audience'), value: (c) => num(c.audience ?? c.members), num: true },
        { label: t('cp.messaged'), value: (c) => num(c.messaged), num: true },
        { label: t('cp.conversions'), value: (c) => num(c.conversions ?? c.converted), num: true },
        { label: t('cp.roi'), value: (c) => (c.roi == null ? '—' : pct(c.roi)), num: true },
        { label: t('ov.incremental'), value: (c) => money(c.incremental_revenue, c.currency ?? d.currency), num: true },
      ],
      ranked,
      { caption: t('ov.campaigns') },
    ),
  );
}
