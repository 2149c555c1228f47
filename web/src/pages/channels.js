// channels.js — Settings → Channels: the delivery channels (GET /v1/settings/channels) with,
// for owners, a form per channel (PUT /v1/settings/channels: enabled, how it sends, sender,
// rate, quiet hours, the kind's options and its write-only secrets) and for owners and
// marketers a test send (POST /v1/settings/channels/{channel}/test; in-app: to a customer id's
// inbox). What is saved is the delivery configuration `encore dispatch` reads; secrets are never
// shown, only "set"; options the server's environment or --set flags override are marked.
import { h, mount } from '../dom.js';
import { t } from '../i18n.js';
import { get, put, post, enc, user, problemView, has } from '../api.js';
import { card, section, notice, link } from '../ui.js';

// the options the console edits, by kind (the server refuses others: h_channels.c)
const OPTIONS = {
  smtp: [['url', 'text'], ['username', 'text'], ['reply_to', 'text'], ['unsubscribe_mailto', 'text'], ['tracking_url', 'text'], ['starttls', 'bool']],
  webhook: [['url', 'text'], ['shape', 'text'], ['template_id', 'text'], ['timeout', 'number']],
  file: [['path', 'text']],
  inbox: [],
};
const SECRETS = { smtp: ['password'], webhook: ['secret'], file: [], inbox: [] };

export function render() {
  const role = user()?.role;
  const owner = role === 'owner';
  return h(
    'div.page',
    h('p.crumbs', link('/settings', t('st.title')), ' → ', t('st.channels')),
    h('h1', t('ch.title')),
    h('p.muted', t('ch.intro')),
    has('GET /v1/settings/channels')
      ? section(() => get('/v1/settings/channels'), (d) => [
          owner && d.file ? h('p.muted.small', t('ch.file', { file: d.file })) : null,
          h('div.grid2', (d.channels || []).map((c) => channelCard(c, owner))),
        ])
      : null,
  );
}

function channelCard(c, owner) {
  const out = h('div', { 'aria-live': 'polite' });
  const id = (x) => `ch-${c.channel}-${x}`;
  const overridden = Object.entries(c.overridden || {});
  const state = !c.configured ? t('ch.not_configured') : c.enabled ? t('ch.enabled') : t('ch.disabled');
  const facts = h(
    'dl.facts',
    h('dt', t('ch.state')), h('dd', h('span.tag', state)),
    c.kind ? [h('dt', t('ch.kind')), h('dd', t(`ch.kind.${c.kind}`))] : null,
    c.sender_option ? [h('dt', t('ch.sender')), h('dd', c.sender ?? '—')] : null,
    h('dt', t('ch.rate')), h('dd', c.rate == null ? t('ch.no_limit') : t('ch.per_second', { n: c.rate })),
    h('dt', t('st.quiet')), h('dd', c.quiet_hours ? `${c.quiet_hours.replace('-', ' – ')} (${c.timezone ?? 'UTC'})` : t('none')),
    ...Object.entries(c.secrets || {}).map(([k, v]) => [h('dt', t(`ch.secret.${k}`)), h('dd', v === 'set' ? t('ch.set') : t('ch.not_set'))]),
    c.file_options?.length ? [h('dt', t('ch.file_only')), h('dd', h('code', c.file_options.join(', ')))] : null,
    overridden.length
      ? [h('dt', t('ch.overridden')), h('dd', overridden.map(([k, src], i) => [i ? ', ' : null, h('code', k), ` (${t(`ch.src.${src}`)})`]))]
      : null,
  );
  return card(
    t(`ch.name.${c.channel}`),
    facts,
    owner ? editForm(c, id, out) : null,
    c.configured && c.enabled && has('POST /v1/settings/channels/{channel}/test') ? testForm(c, id, out) : null,
    out,
  );
}

// a field; note: the source ("environment", "command line") that overrides it on the server
function field(labelText, input, note) {
  return h('div.field', h('label', { for: input.id }, labelText), input, note ? h('small.muted', t('ch.overridden_by', { src: t(`ch.src.${note}`) })) : null);
}

function editForm(c, id, out) {
  const kinds = c.kinds.split(' ');
  const enabled = h('input', { id: id('enabled'), type: 'checkbox', checked: c.configured ? c.enabled : true });
  const kind = h(`select#${id('kind')}`, kinds.map((k) => h('option', { value: k, selected: k === (c.kind || kinds[0]) }, t(`ch.kind.${k}`))));
  const sender = c.sender_option ? h('input', { id: id('sender'), type: 'text', value: c.sender ?? '', maxlength: 200 }) : null;
  const rate = h('input', { id: id('rate'), type: 'number', min: 0, step: 'any', value: c.rate ?? '' });
  const [qs, qe] = (c.quiet_hours || '-').split('-');
  const qStart = h('input', { id: id('qstart'), type: 'time', value: qs || '' });
  const qEnd = h('input', { id: id('qend'), type: 'time', value: qe || '' });
  const tz = h('input', { id: id('tz'), type: 'text', value: c.timezone ?? '', placeholder: 'Asia/Shanghai', maxlength: 64 });
  const opts = h('div.kind-options');
  let inputs = {};
  const drawOptions = () => {
    const k = kind.value;
    inputs = {};
    const rows = [];
    for (const [name, type] of OPTIONS[k] || []) {
      const cur = k === c.kind ? c.options?.[name] : undefined;
      const el =
        type === 'bool'
          ? h('input', { id: id(`o-${name}`), type: 'checkbox', checked: !!cur })
          : h('input', { id: id(`o-${name}`), type: type === 'number' ? 'number' : 'text', value: cur ?? '', min: type === 'number' ? 0 : null });
      inputs[name] = [type, el];
      rows.push(field(t(`ch.opt.${name}`), el, c.overridden?.[name]));
    }
    for (const name of SECRETS[k] || []) {
      const isSet = k === c.kind && c.secrets?.[name] === 'set';
      const el = h('input', { id: id(`s-${name}`), type: 'password', autocomplete: 'new-password', placeholder: isSet ? t('ch.keep_secret') : '' });
      inputs['secret:' + name] = ['secret', el];
      rows.push(field(`${t(`ch.secret.${name}`)} (${isSet ? t('ch.set') : t('ch.not_set')})`, el, c.overridden?.[name]));
    }
    mount(opts, rows);
  };
  kind.addEventListener('change', drawOptions);
  drawOptions();
  const save = async (e) => {
    e.preventDefault();
    const body = { enabled: enabled.checked, kind: kind.value, options: {}, secrets: {} };
    if (sender) body.sender = sender.value.trim() || null;
    body.rate = rate.value === '' ? null : Number(rate.value);
    body.quiet_hours = qStart.value && qEnd.value ? `${qStart.value}-${qEnd.value}` : null;
    body.timezone = tz.value.trim() || null;
    for (const [name, [type, el]] of Object.entries(inputs)) {
      if (type === 'secret') {
        if (el.value) body.secrets[name.slice(7)] = el.value;
      } else if (type === 'bool') body.options[name] = el.checked;
      else if (el.value.trim() !== '') body.options[name] = type === 'number' ? Number(el.value) : el.value.trim();
    }
    try {
      await put('/v1/settings/channels', { channels: { [c.channel]: body } });
      mount(out, notice(t('st.saved')));
      setTimeout(() => window.dispatchEvent(new PopStateEvent('popstate')), 600);
    } catch (err) {
      mount(out, problemView(err));
    }
  };
  return h(
    'details.channel-edit',
    h('summary', c.configured ? t('ch.edit') : t('ch.set_up')),
    h(
      'form.stack',
      { onsubmit: save, 'data-channel': c.channel },
      h('div.field.check', enabled, h('label', { for: enabled.id }, t('ch.enabled_label')), c.overridden?.enabled ? h('small.muted', t('ch.overridden_by', { src: t(`ch.src.${c.overridden.enabled}`) })) : null),
      field(t('ch.kind'), kind, c.overridden?.kind),
      sender ? field(t('ch.sender'), sender, c.overridden?.[c.sender_option]) : null,
      field(t('ch.rate_label'), rate, c.overridden?.rate),
      h('fieldset', h('legend', t('st.quiet')), field(t('ch.from'), qStart, c.overridden?.quiet_hours), field(t('ch.until'), qEnd), field(t('ch.timezone'), tz, c.overridden?.timezone)),
      opts,
      h('div.actions', h('button', { type: 'submit' }, t('save'))),
    ),
  );
}

function testForm(c, id, out) {
  const addr = h('input', { id: id('test'), type: 'text', required: true, maxlength: 320, placeholder: t(`ch.addr.${c.channel}`) });
  const send = async (e) => {
    e.preventDefault();
    try {
      const r = await post(`/v1/settings/channels/${enc(c.channel)}/test`, { address: addr.value.trim() });
      const ok = c.channel === 'inapp' && c.kind === 'inbox' ? t('ch.test_inbox', { id: addr.value.trim() }) : t('ch.test_sent', { ref: r.provider_ref ?? '—' });
      mount(out, r.result === 'sent' ? notice(ok) : notice(t('ch.test_failed', { error: r.error ?? r.result }), 'bad'));
    } catch (err) {
      mount(out, problemView(err));
    }
  };
  return h('form.inline-form', { onsubmit: send, 'data-test': c.channel }, h('label', { for: addr.id }, t('ch.test_to')), addr, h('button.secondary', { type: 'submit' }, t('ch.test')));
}
