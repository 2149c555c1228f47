// customers.js — search (GET /v1/customers?q=) and the 360° view (GET /v1/customers/{id}):
// identities, scores with their reasons and the CLV, a timeline of orders, events, feedback and
// messages, recommendations with reasons, consents with their history (and changes for the roles
// that may make them). The API masks personal data for the analyst role; we say so.
import { h, mount, debounce } from '../dom.js';
import { t, num, money, pct, dateTime, date, parseTime } from '../i18n.js';
import { get, post, enc, user, problemView, has } from '../api.js';
import { card, empty, table, section, link, notice, confirmDialog } from '../ui.js';

const arr = (v) => (Array.isArray(v) ? v : Array.isArray(v?.items) ? v.items : []);
const masked = () => user()?.role === 'analyst';

export function renderList() {
  const params = new URLSearchParams(location.search);
  const q0 = params.get('q') || '';
  const results = h('div', { 'aria-live': 'polite' });
  const input = h('input#q', {
    type: 'search',
    value: q0,
    placeholder: t('cu.search'),
    'aria-label': t('cu.search'),
    autocomplete: 'off',
    oninput: debounce((e) => search(e.target.value), 300),
  });
  function search(q) {
    q = q.trim();
    history.replaceState(null, '', q ? `/customers?q=${enc(q)}` : '/customers');
    if (!q) return mount(results, empty(t('cu.hint')));
    mount(results, section(() => get(`/v1/customers?q=${enc(q)}&limit=50`), (d) => listView(d, q)));
  }
  search(q0);
  return h(
    'div.page',
    h('h1', t('cu.title')),
    masked() ? notice(t('cu.masked'), 'info') : null,
    h('form.search', { role: 'search', onsubmit: (e) => (e.preventDefault(), search(input.value)) }, input, h('button', { type: 'submit' }, t('search'))),
    results,
  );
}

function listView(d, q) {
  const rows = arr(d);
  if (!rows.length) return empty(t('cu.empty', { q }));
  return table(
    [
      { label: t('cu.id'), value: (c) => link(`/customers/${enc(c.customer_id ?? c.id)}`, c.customer_id ?? String(c.id)) },
      { label: t('cu.name'), value: (c) => c.name ?? '—' },
      { label: t('cu.email'), value: (c) => c.email ?? '—' },
      { label: t('cu.phone'), value: (c) => c.phone ?? '—' },
      { label: t('cu.region'), value: (c) => [c.city, c.region, c.country].filter(Boolean).join(', ') || '—' },
      { label: t('cu.orders'), value: (c) => num(c.orders?.count ?? c.orders), num: true },
      { label: t('cu.spent'), value: (c) => money(c.revenue, d.currency), num: true },
      { label: t('cu.last_order'), value: (c) => date(c.last_order) },
    ],
    rows,
  );
}

export function renderOne(id) {
  const page = h('div.page');
  mount(page, section(() => get(`/v1/customers/${enc(id)}?recommendations=true`), (c) => view(c, id, page)));
  return page;
}

function view(c, id, page) {
  const reload = () => mount(page, section(() => get(`/v1/customers/${enc(id)}?recommendations=true`), (d) => view(d, id, page)));
  const title = c.name || c.customer_id || `#${c.id}`;
  return [
    h('p', link('/customers', '← ' + t('cu.title'))),
    h('h1', title),
    masked() || c.masked ? notice(t('cu.masked'), 'info') : null,
    h(
      'dl.facts',
      fact(t('cu.id'), c.customer_id ?? c.id),
      fact(t('cu.email'), c.email),
      fact(t('cu.phone'), c.phone),
      fact(t('cu.region'), [c.city, c.region, c.country].filter(Boolean).join(', ')),
      c.tier != null ? fact(t('cu.tier'), `${c.tier}${c.points != null ? ` · ${num(c.points)}` : ''}`) : null,
      c.registered_at ? fact(t('cu.registered'), date(c.registered_at)) : null,
      c.orders && typeof c.orders === 'object' && !Array.isArray(c.orders)
        ? fact(t('cu.orders'), `${num(c.orders.count)} · ${money(c.orders.revenue, c.currency)}${c.orders.returns ? ` · ${t('cu.returns', { n: num(c.orders.returns) })}` : ''}`)
        : null,
    ),
    h(
      'div.grid2',
      profileCard(c.profile ?? c.scores, c.currency ?? c.orders?.currency),
      recsCard(c.recommendations, c.currency),
    ),
    timelineCard(c),
    h('div.grid2', consentsCard(c, id, reload), identitiesCard(c)),
    arr(c.coupons).length
      ? card(
          t('cu.coupons'),
          table(
            [
              { label: 'Code', value: (x) => x.code ?? '—' },
              { label: t('cu.value'), value: (x) => x.value ?? x.amount ?? '—' },
              { label: t('cu.state'), value: (x) => x.state ?? (x.redeemed_at ? 'redeemed' : '') },
              { label: t('st.expires'), value: (x) => date(x.expires_at ?? x.expires) },
            ],
            arr(c.coupons),
          ),
        )
      : null,
  ];
}

function fact(k, v) {
  if (v == null || v === '') return null;
  return [h('dt', k), h('dd', String(v))];
}

const SCORE_FIELDS = [
  ['rfm_segment', 'RFM'],
  ['lifecycle', 'Lifecycle'],
  ['recency_days', 'Recency (days)', (v) => num(v, 0)],
  ['frequency', 'Frequency', num],
  ['monetary', 'Monetary', 'money'],
  ['aov', 'AOV', 'money'],
  ['p_alive', 'P(alive)', (v) => pct(v)],
  ['churn_risk', 'Churn risk', (v) => pct(v)],
  ['expected_purchases_365d', 'Expected orders (1y)', (v) => num(v, 2)],
  ['next_order_date', 'Next order', 'next'],
  ['cluster_label', 'Cluster'],
];

// the expected next order; one before the scoring's as-of date did not happen: the customer is
// overdue since then, which is what a marketer acts on (not a past date shown as the next one)
function nextOrder(v, asOfTime) {
  const when = parseTime(v);
  const asOf = parseTime(asOfTime) ?? new Date();
  if (when && when.getTime() < asOf.getTime()) return t('cu.overdue_since', { date: date(v) });
  return date(v);
}

function profileCard(p, currency) {
  if (!p) return card(t('cu.profile'), empty(t('cu.no_profile')));
  const reasons = p.churn_reasons ?? p.reasons ?? [];
  return card(
    t('cu.profile'),
    h(
      'div.kpis.small',
      h('div.kpi', h('div.kpi-label', t('cu.clv')), h('div.kpi-value', money(p.clv, currency))),
      p.rfm_segment ? h('div.kpi', h('div.kpi-label', 'RFM'), h('div.kpi-value', p.rfm_segment)) : null,
      p.lifecycle ? h('div.kpi', h('div.kpi-label', 'Lifecycle'), h('div.kpi-value', p.lifecycle)) : null,
    ),
    h(
      'dl.facts',
      SCORE_FIELDS.filter(([k]) => p[k] != null).map(([k, label, f]) =>
        fact(label, f === 'money' ? money(p[k], currency) : f === 'next' ? nextOrder(p[k], p.as_of) : f ? f(p[k]) : p[k]),
      ),
    ),
    Array.isArray(p.tags) && p.tags.length ? h('p', p.tags.map((x) => h('span.tag', x))) : null,
    reasons.length ? [h('h3', t('cu.reasons')), h('ul', reasons.map((r) => h('li', typeof r === 'string' ? r : r.text ?? r.reason ?? JSON.stringify(r))))] : null,
    p.as_of ? h('p.muted.small', t('ov.as_of', { date: date(p.as_of) })) : null,
  );
}

function recsCard(r, currency) {
  const items = arr(r);
  if (!items.length) return card(t('cu.recs'), empty(t('cu.no_recs')));
  return card(
    t('cu.recs'),
    table(
      [
        { label: t('cu.product'), value: (x) => x.name ?? x.sku },
        { label: t('cu.reason'), value: (x) => x.because ?? x.reason ?? '—' },
        { label: t('cu.score'), value: (x) => num(x.score, 2), num: true },
      ],
      items,
    ),
  );
}

// every dated thing about the customer, newest first
function timelineCard(c) {
  const items = [];
  const pushAll = (list, kind, when, text) => {
    for (const x of arr(list)) items.push({ kind, at: parseTime(when(x)), raw: when(x), text: text(x) });
  };
  const orders = Array.isArray(c.orders) ? c.orders : arr(c.orders?.recent ?? c.orders?.items);
  pushAll(orders, 'order', (o) => o.time ?? o.ordered_at ?? o.at, (o) => [
    `${o.order_id ?? o.id ?? ''} · ${money(o.total ?? o.amount ?? o.sales, o.currency ?? c.currency)}`,
    o.coupon ? ` · ${o.coupon}` : '',
    o.status && o.status !== 'paid' ? ` · ${o.status}` : '',
    Array.isArray(o.lines) && o.lines.length ? ` · ${o.lines.map((l) => `${l.qty ?? 1}× ${l.name ?? l.sku}`).join(', ')}` : '',
  ].join(''));
  pushAll(c.recent_events ?? c.events, 'event', (e) => e.time ?? e.at, (e) => [e.type, e.sku, e.name].filter(Boolean).join(' · '));
  pushAll(c.recent_feedback ?? c.feedback, 'feedback', (f) => f.time ?? f.at, (f) => [f.kind, f.score != null ? `${f.score}` : null, f.text].filter((x) => x != null && x !== '').join(' · '));
  pushAll(c.messages, 'message', (m) => m.sent_at ?? m.created_at ?? m.due_at ?? m.at, (m) => [m.campaign, m.channel, m.state ?? m.status, m.subject].filter(Boolean).join(' · '));
  items.sort((a, b) => (b.at?.getTime() ?? 0) - (a.at?.getTime() ?? 0));
  if (!items.length) return card(t('cu.timeline'), empty(t('cu.no_timeline')));
  return card(
    t('cu.timeline'),
    h(
      'ol.timeline',
      { tabindex: '0', 'aria-label': t('cu.timeline') },
      items.slice(0, 200).map((i) =>
        h('li', { class: 'tl-' + i.kind }, h('span.tl-kind', t('cu.t.' + i.kind)), h('time', dateTime(i.raw)), h('span.tl-text', i.text)),
      ),
    ),
  );
}

function consentsCard(c, id, reload) {
  // the current state per channel and purpose, each with its entries of the ledger
  const ledger = arr(c.consent_history);
  const rows = arr(c.consents).map((x) => ({
    ...x,
    history: x.history ?? ledger.filter((e) => e.channel === x.channel && (e.purpose ?? null) === (x.purpose ?? null)),
  }));
  const mayChange = ['owner', 'marketer', 'support'].includes(user()?.role) && has('POST /v1/customers/{id}/consents');
  const out = h('div', { 'aria-live': 'polite' });
  const change = async (x, granted) => {
    const ok = await confirmDialog(`${granted ? t('cu.grant') : t('cu.revoke')}: ${x.channel} / ${x.purpose ?? 'marketing'}?`, { danger: !granted });
    if (!ok) return;
    try {
      await post(`/v1/customers/${enc(id)}/consents`, { channel: x.channel, purpose: x.purpose ?? 'marketing', granted });
      reload();
    } catch (e) {
      mount(out, problemView(e));
    }
  };
  if (!rows.length) return card(t('cu.consents'), empty(t('cu.no_consents')));
  return card(
    t('cu.consents'),
    table(
      [
        { label: t('cu.channel'), value: (x) => x.channel },
        { label: t('cu.purpose'), value: (x) => x.purpose ?? '—' },
        { label: t('cu.state'), value: (x) => h('span', { class: x.granted ? 'good' : 'bad' }, x.granted ? t('cu.granted') : t('cu.revoked')) },
        { label: t('cu.when'), value: (x) => dateTime(x.since ?? x.at) },
        {
          label: t('cu.history'),
          value: (x) =>
            arr(x.history).length
              ? h('ul.plain', arr(x.history).map((e) => h('li', `${e.granted ? t('cu.granted') : t('cu.revoked')} · ${dateTime(e.at ?? e.since)}${e.source ? ' · ' + e.source : ''}`)))
              : x.source ?? '—',
        },
        mayChange
          ? { label: h('span.sr', t('cu.state')), value: (x) => h('button.secondary.small', { type: 'button', onclick: () => change(x, !x.granted) }, x.granted ? t('cu.revoke') : t('cu.grant')) }
          : null,
      ].filter(Boolean),
      rows,
    ),
    out,
  );
}

function identitiesCard(c) {
  const rows = arr(c.identities);
  if (!rows.length) return card(t('cu.identities'), empty(t('none')));
  return card(
    t('cu.identities'),
    table(
      [
        { label: t('cu.field'), value: (x) => x.kind },
        { label: t('cu.value'), value: (x) => x.value },
        { label: t('cu.source'), value: (x) => x.source ?? '—' },
      ],
      rows,
    ),
  );
}
