// deliverability.js — GET /v1/deliverability: the outbox by state and channel (as `encore outbox
// --json`), recent failures, dead letters (retry: POST /v1/deliverability/dead/{id}/retry) and
// suppressed addresses.
import { h, mount } from '../dom.js';
import { t, num, dateTime, stateName } from '../i18n.js';
import { get, post, enc, user, problemView, has } from '../api.js';
import { chart } from '../charts.js';
import { card, empty, table, section, notice } from '../ui.js';

// a channel in the console's words (Email, 短信, ...); one it does not know as it came
const chanName = (c) => (c == null ? '—' : t(`ch.name.${c}`) === `ch.name.${c}` ? c : t(`ch.name.${c}`));

const STATES = ['queued', 'sending', 'sent', 'failed', 'dead', 'reconcile', 'cancelled', 'suppressed'];
// one colour a state, by meaning: waiting blue, moving orange, done green, trouble red
const STATE_COLOURS = ['#5b8db8', '#e07b39', '#3a9d5d', '#d64545', '#8b1e1e', '#c9a227', '#9aa3ad', '#6b4f8e'];
const arr = (v) => (Array.isArray(v) ? v : Array.isArray(v?.items) ? v.items : []);

export function render() {
  const page = h('div.page');
  const draw = () => mount(page, h('h1', t('dl.title')), section(() => get('/v1/deliverability'), (d) => view(d, draw)));
  draw();
  return page;
}

function view(d, redraw) {
  // outbox: {"email": {"queued": N, ...}, ...} (or encore outbox --json's channels list)
  const q = d.outbox ?? d.queue ?? d;
  const chans = Array.isArray(q.channels)
    ? q.channels
    : Object.entries(q)
        .filter(([, v]) => v && typeof v === 'object' && !Array.isArray(v))
        .map(([channel, counts]) => ({ channel, ...counts }));
  const failures = arr(d.recent_failures ?? d.failures);
  const dead = arr(d.dead_letters ?? d.dead);
  const out = h('div', { 'aria-live': 'polite' });
  const canRetry = ['owner', 'marketer'].includes(user()?.role) && has('POST /v1/deliverability/dead/{id}/retry');
  const retry = async (m) => {
    try {
      await post(`/v1/deliverability/dead/${enc(m.id)}/retry`);
      mount(out, notice(t('dl.retried', { id: m.id })));
      setTimeout(redraw, 800);
    } catch (e) {
      mount(out, problemView(e));
    }
  };
  const msgCols = [
    { label: 'Id', value: (m) => String(m.id ?? '—') },
    { label: t('cu.channel'), value: (m) => chanName(m.channel) },
    { label: t('nav.campaigns'), value: (m) => m.campaign ?? '—' },
    { label: t('dl.address'), value: (m) => (m.customer_id ? h('a', { href: `/customers/${enc(m.customer_id)}`, 'data-link': '' }, m.address ?? String(m.customer_id)) : m.address ?? '—') },
    { label: t('dl.attempts'), value: (m) => num(m.attempts), num: true },
    { label: t('dl.error'), value: (m) => m.error ?? '—' },
    { label: t('cu.when'), value: (m) => dateTime(m.at) },
  ];
  const total = chans.reduce((s, c) => s + STATES.reduce((x, k) => x + (Number(c[k]) || 0), 0), 0);
  return [
    out,
    card(
      t('dl.queue'),
      !total
        ? empty(t('dl.empty_queue'))
        : [
            chart(
              {
                legend: { top: 0 },
                grid: { left: 70, right: 20, top: 36, bottom: 24 },
                tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
                xAxis: { type: 'value' },
                yAxis: { type: 'category', data: chans.map((c) => chanName(c.channel)) },
                series: STATES.map((s, i) => ({ name: stateName(s), type: 'bar', stack: 'all', itemStyle: { color: STATE_COLOURS[i] }, data: chans.map((c) => Number(c[s]) || 0) })),
              },
              { height: Math.max(160, chans.length * 40 + 70), label: t('dl.queue') },
            ),
            table(
              [{ label: t('cu.channel'), value: (c) => chanName(c.channel) + (c.paused ? ` (${stateName('paused')})` : '') }, ...STATES.map((s) => ({ label: stateName(s), value: (c) => num(c[s] ?? 0), num: true }))],
              chans,
            ),
          ],
    ),
    h(
      'div.grid2',
      card(t('dl.failures'), failures.length ? table(msgCols, failures) : empty(t('dl.no_failures'))),
      card(
        t('dl.dead'),
        dead.length
          ? table(
              [...msgCols, canRetry ? { label: h('span.sr', t('dl.retry')), value: (m) => h('button.secondary.small', { type: 'button', onclick: () => retry(m) }, t('dl.retry')) } : null].filter(Boolean),
              dead,
            )
          : empty(t('dl.no_dead')),
      ),
    ),
    card(
      t('dl.suppressions'),
      d.suppressed ? h('p.muted', t('dl.supp_total', { n: num(d.suppressed) })) : null,
      arr(d.suppressions).length
        ? table(
            [
              { label: t('cu.channel'), value: (s) => (s.channel ? chanName(s.channel) : '*') },
              { label: t('dl.address'), value: (s) => s.address ?? '—' },
              { label: t('cu.reason'), value: (s) => s.reason ?? '—' },
              { label: t('cu.source'), value: (s) => s.source ?? '—' },
              { label: t('cu.when'), value: (s) => dateTime(s.at ?? s.created_at) },
            ],
            arr(d.suppressions),
          )
        : empty(t('dl.no_supp')),
    ),
  ];
}
