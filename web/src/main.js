// main.js — the console's shell: session check, login form, layout (header, navigation by role,
// language switch), and the client-side router (history API; encore serve answers index.html for
// every console path). Pages are modules exporting render(params) -> Element.
import { h, mount } from './dom.js';
import { t, setLocale, locale, LOCALES, setShop } from './i18n.js';
import { call, get, setSession, user, onExpired, problemView, ApiError, loadContract, has } from './api.js';
import { disposeCharts } from './charts.js';
import { navigate, setRouter } from './nav.js';
import * as overview from './pages/overview.js';
import * as customers from './pages/customers.js';
import * as segments from './pages/segments.js';
import * as campaigns from './pages/campaigns.js';
import * as deliverability from './pages/deliverability.js';
import * as settings from './pages/settings.js';
import * as channels from './pages/channels.js';

const READ = ['owner', 'marketer', 'analyst'];
// the navigation: a page appears for the roles the API lets read it (docs/api.md, Roles)
// and the server offers the operations it is built on (api.js has())
const NAV = [
  { path: '/', key: 'nav.overview', roles: READ, needs: ['GET /v1/stats'] },
  { path: '/customers', key: 'nav.customers', roles: [...READ, 'support'], needs: ['GET /v1/customers', 'GET /v1/customers/{id}'] },
  { path: '/segments', key: 'nav.segments', roles: READ, needs: ['GET /v1/segments/fields', 'POST /v1/segments/count'] },
  { path: '/campaigns', key: 'nav.campaigns', roles: READ, needs: ['GET /v1/campaigns', 'GET /v1/campaigns/{name}'] },
  { path: '/deliverability', key: 'nav.deliverability', roles: READ, needs: ['GET /v1/deliverability'] },
  { path: '/settings', key: 'nav.settings', roles: READ, needs: [] },
];

const ROUTES = [
  [/^\/$/, overview.render],
  [/^\/customers$/, customers.renderList],
  [/^\/customers\/([^/]+)$/, customers.renderOne],
  [/^\/segments$/, segments.render],
  [/^\/campaigns$/, campaigns.renderList],
  [/^\/campaigns\/new$/, campaigns.renderNew],
  [/^\/campaigns\/([^/]+)$/, campaigns.renderOne],
  [/^\/deliverability$/, deliverability.render],
  [/^\/settings$/, settings.render],
  [/^\/settings\/channels$/, channels.render],
];

const root = document.getElementById('app');
let main = null;


function navFor(role) {
  return NAV.filter((n) => n.roles.includes(role) && has(...n.needs));
}

function settingsAvailable(role) {
  return ['GET /v1/policy', 'GET /v1/measurement'].some((op) => has(op)) ||
    (role === 'owner' && ['GET /v1/users', 'GET /v1/apikeys', 'GET /v1/audit'].some((op) => has(op)));
}

function langSwitch() {
  return h(
    'label.lang',
    h('span.sr', t('language')),
    h(
      'select',
      {
        'aria-label': t('language'),
        onchange: (e) => {
          setLocale(e.target.value);
          layout();
          route();
        },
      },
      LOCALES.map((l) => h('option', { value: l.code, selected: l.code === locale() }, l.label)),
    ),
  );
}

function layout() {
  const u = user();
  const here = location.pathname;
  main = h('main#main', { tabindex: '-1' });
  mount(
    root,
    h('a.skip', { href: '#main' }, t('skip')),
    h(
      'header.top',
      h('a.brand', { href: '/', 'data-link': '' }, h('img', { src: '/assets/icon.svg', alt: '', width: 24, height: 24 }), t('app')),
      h(
        'nav',
        { 'aria-label': t('tagline') },
        h(
          'ul',
          navFor(u.role).filter((n) => n.path !== '/settings' || settingsAvailable(u.role)).map((n) => {
            const cur = n.path === '/' ? here === '/' : here.startsWith(n.path);
            return h('li', h('a', { href: n.path, 'data-link': '', 'aria-current': cur ? 'page' : null }, t(n.key)));
          }),
        ),
      ),
      h(
        'div.who',
        langSwitch(),
        h('span.user', { title: t('signed_in_as', { email: u.email, role: u.role }) }, u.email, ' · ', u.role),
        h('button.secondary', { type: 'button', onclick: logout }, t('logout')),
      ),
    ),
    main,
  );
}

function markNav() {
  for (const a of root.querySelectorAll('header nav a')) {
    const p = a.getAttribute('href');
    const cur = p === '/' ? location.pathname === '/' : location.pathname.startsWith(p);
    if (cur) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
}

function route() {
  const u = user();
  if (!u) return showLogin();
  if (!main || !main.isConnected) layout();
  disposeCharts();
  markNav();
  const path = location.pathname.replace(/\/+$/, '') || '/';
  // a role that may not read the overview (support) starts at customers
  if (path === '/' && !navFor(u.role).some((n) => n.path === '/')) {
    const first = navFor(u.role)[0];
    if (first && first.path !== '/') return navigate(first.path, true);
  }
  for (const [re, render] of ROUTES) {
    const m = re.exec(path);
    if (!m) continue;
    const root = '/' + (path.split('/')[1] || '');
    const nav = NAV.find((n) => n.path === root);
    if (nav && !navFor(u.role).includes(nav)) {
      mount(main, h('h1', t(nav.key)), h('div.empty', h('p', t('unavailable'))));
      return;
    }
    let page;
    try {
      page = render(...m.slice(1).map(decodeURIComponent));
    } catch (e) {
      page = problemView(e);
    }
    mount(main, page);
    document.title = `${main.querySelector('h1')?.textContent || t('app')} · Encore`;
    return;
  }
  mount(main, h('h1', t('notfound')));
}

async function logout() {
  try {
    await call('DELETE', '/v1/session');
  } catch (e) {
    /* gone already */
  }
  setSession(null);
  main = null;
  navigate('/login', true);
}

function showLogin() {
  disposeCharts();
  main = null;
  const msg = h('div', { 'aria-live': 'polite' });
  const email = h('input#email', { type: 'email', name: 'email', autocomplete: 'username', required: true });
  const pass = h('input#password', { type: 'password', name: 'password', autocomplete: 'current-password', required: true });
  const form = h(
    'form.login',
    {
      onsubmit: async (e) => {
        e.preventDefault();
        msg.replaceChildren();
        try {
          const s = await call('POST', '/v1/session', { email: email.value.trim(), password: pass.value });
          setSession(s);
          await loadContract();
          await loadShop();
          const back = new URLSearchParams(location.search).get('next');
          navigate(back && back.startsWith('/') && !back.startsWith('//') ? back : '/', true);
        } catch (err) {
          msg.replaceChildren(problemView(err));
          pass.value = '';
          pass.focus();
        }
      },
    },
    h('h1', t('login.title')),
    h('label', { for: 'email' }, t('login.email')),
    email,
    h('label', { for: 'password' }, t('login.password')),
    pass,
    msg,
    h('button', { type: 'submit' }, t('login.submit')),
    h('p.muted.small', t('login.hint')),
  );
  mount(root, h('main.login-page', h('div.login-lang', langSwitch()), form));
  document.title = `${t('login.title')} · Encore`;
  if (location.pathname !== '/login') {
    const next = location.pathname + location.search;
    history.replaceState(null, '', '/login' + (next !== '/' ? `?next=${encodeURIComponent(next)}` : ''));
  }
  email.focus();
}

// the shop's time zone from the contact policy (roles that may read it)
async function loadShop() {
  const u = user();
  if (!u || !READ.includes(u.role) || !has('GET /v1/policy')) return;
  try {
    const p = await get('/v1/policy');
    setShop({ timeZone: p.default_timezone, currency: p.currency });
  } catch (e) {
    /* keep UTC */
  }
}

document.addEventListener('click', (e) => {
  const a = e.target.closest && e.target.closest('a[data-link]');
  if (!a || e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return;
  e.preventDefault();
  navigate(a.getAttribute('href'));
});
window.addEventListener('popstate', route);
setRouter(route);
onExpired(() => {
  setSession(null);
  showLogin();
});

async function boot() {
  setLocale(locale());
  try {
    setSession(await get('/v1/session'));
    await loadContract();
    await loadShop();
  } catch (e) {
    if (!(e instanceof ApiError) || e.status !== 401) console.warn('session check failed', e.status);
    setSession(null);
  }
  if (user() && location.pathname === '/login') {
    const back = new URLSearchParams(location.search).get('next');
    history.replaceState(null, '', back && back.startsWith('/') && !back.startsWith('//') ? back : '/');
  }
  route();
}
boot();
