// DEV ONLY (not committed): drive the console with /v1 answered from the CLI's JSON
import puppeteer from 'puppeteer-core';
import { execFileSync } from 'node:child_process';
const [base, outdir, role = 'owner', locale = 'en', only = ''] = process.argv.slice(2);
const E = '/work/wt/console/build/encore', DB = '/tmp/cdemo/demo.db';
const cli = (...a) => JSON.parse(execFileSync(E, ['--db', DB, ...a], { encoding: 'utf8' }));
const mask = (c) => role === 'analyst' ? { ...c, email: c.email && c.email[0] + '***@' + c.email.split('@')[1], name: c.name && c.name[0] + '.' } : c;
function route(method, url, body) {
  const u = new URL(url); const p = u.pathname; const q = u.searchParams;
  if (p === '/v1/openapi.json') { const ops = ['GET /v1/stats','GET /v1/customers','GET /v1/customers/{id}','POST /v1/customers/{id}/consents','GET /v1/segments/fields','POST /v1/segments/count','GET /v1/segments','POST /v1/segments','PUT /v1/segments/{name}','DELETE /v1/segments/{name}','POST /v1/segments/{name}/export','GET /v1/campaigns','POST /v1/campaigns','GET /v1/campaigns/{name}','POST /v1/campaigns/plan','POST /v1/campaigns/{name}/plan','POST /v1/campaigns/{name}/start','POST /v1/campaigns/{name}/pause','POST /v1/campaigns/{name}/resume','POST /v1/campaigns/{name}/stop','GET /v1/campaigns/{name}/report','GET /v1/playbooks','GET /v1/playbooks/{name}','GET /v1/policy','PUT /v1/policy','GET /v1/measurement','PUT /v1/measurement','GET /v1/deliverability','POST /v1/deliverability/dead/{id}/retry','GET /v1/analytics/kpis','GET /v1/analytics/distribution','GET /v1/analytics/migration','GET /v1/analytics/cohorts','GET /v1/analytics/campaigns','GET /v1/jobs','POST /v1/jobs','GET /v1/jobs/{id}','GET /v1/users','POST /v1/users','PATCH /v1/users/{email}','GET /v1/apikeys','POST /v1/apikeys','DELETE /v1/apikeys/{id}','GET /v1/audit']; const paths = {}; for (const o of ops) { const [m, q] = o.split(' '); (paths[q] ||= {})[m.toLowerCase()] = {}; } return { paths }; }
  if (p === '/v1/session') return { user: { email: role + '@shop.example', role }, csrf_token: 'x' };
  if (p === '/v1/policy') return cli('campaign', 'policy', '--json');
  if (p === '/v1/measurement') return cli('campaign', 'measure', '--json');
  if (p === '/v1/stats') return cli('stats', '--json');
  if (p === '/v1/analytics/kpis') return cli('kpis', '--interval', q.get('interval'), '--json');
  if (p === '/v1/analytics/distribution') return cli('segments', '--by', q.get('by'), '--json');
  if (p === '/v1/analytics/migration') return cli('segments', '--migration', '--by', q.get('by'), '--json');
  if (p === '/v1/analytics/cohorts') return cli('cohorts', '--json');
  if (p === '/v1/analytics/campaigns') return { items: [{ name: 'spring', state: 'running', members: 416, conversions: 3, incremental_revenue: 120.5, currency: 'USD' }] };
  if (p === '/v1/customers') return { items: [mask(cli('customer', 'C0000003', '--json'))], next_cursor: null };
  if (p.startsWith('/v1/customers/')) { const c = mask(cli('customer', 'C0000003', '--json')); c.profile = cli('profile', 'C0000003', '--json'); c.recommendations = cli('recommend', 'C0000003', '--json'); c.orders = [{ order_id: 'O1', ordered_at: '2025-01-17 19:36:27', amount: 30.1, lines: [{ sku: 'P1', name: 'Tea', qty: 2 }] }]; c.events = [{ type: 'view', at: '2025-01-10 10:00:00', sku: 'P10824' }]; c.feedback = [{ kind: 'nps', score: 9, at: '2025-01-20 10:00:00', text: '很好' }]; c.messages = [{ campaign: 'spring', channel: 'email', state: 'queued', at: '2026-12-07 18:35:17', subject: 'Hi Rachel' }]; return c; }
  if (p === '/v1/segments/fields') return cli('audience', 'fields', '--json');
  if (p === '/v1/segments/count') { const b = JSON.parse(body); if (/>=\s*$/.test(b.expression)) return [400, { title: 'Bad Request', status: 400, detail: 'expression: expected a value', errors: [{ field: '/expression', message: 'expected a value', line: 1, column: b.expression.length + 1 }] }]; const d = cli('audience', 'count', b.expression, '--json'); return { count: d.count, total: d.customers, ms: 3, sample: [{ id: 3, customer_id: 'C0000003', name: 'Rachel Lee', email: 'rachellee@gmail.com' }] }; }
  if (p === '/v1/segments') return { items: [{ name: 'vip', expression: 'rfm_segment = "champions"', description: 'best' }], next_cursor: null };
  if (p === '/v1/campaigns' && method === 'GET') return { items: cli('campaign', 'list', '--json').campaigns.map((c) => ({ ...c, members: 416, messaged: 416, holdout: 82, conversions: 0, incremental_revenue: 0 })), next_cursor: null };
  if (p === '/v1/playbooks') return { items: cli('playbook', 'list', '--json').playbooks, next_cursor: null };
  if (p.startsWith('/v1/playbooks/')) return JSON.parse(execFileSync(E, ['playbook', 'show', p.split('/').pop()], { encoding: 'utf8' }));
  if (p === '/v1/campaigns/plan') { execFileSync('sh', ['-c', `cat > /tmp/devmock/c.json`], { input: body }); return cli('campaign', 'plan', '/tmp/devmock/c.json', '--json', '--sample', '6'); }
  if (/^\/v1\/campaigns\/[^/]+\/report$/.test(p)) return cli('campaign', 'report', 'spring', '--json');
  if (/^\/v1\/campaigns\/[^/]+\/plan$/.test(p)) return cli('campaign', 'plan', '/tmp/cdemo/vip1.json', '--json', '--sample', '4');
  if (/^\/v1\/campaigns\/[^/]+$/.test(p)) return cli('campaign', 'show', 'spring', '--json');
  if (p === '/v1/deliverability') { const o = cli('outbox', '--json'); return { outbox: o, failures: [{ id: 7, channel: 'sms', campaign: 'spring', address: '+86 138****8000', error: 'gateway 503', at: '2026-12-07 10:00:00' }], dead: [], suppressions: [{ channel: 'email', address: 'x***@y.com', reason: 'unsubscribe', at: '2026-12-01 10:00:00' }] }; }
  if (p === '/v1/users') return { items: [{ email: 'owner@shop.example', role: 'owner', disabled: false }, { email: 'ana@shop.example', role: 'analyst', disabled: false }], next_cursor: null };
  if (p === '/v1/apikeys') return { items: [{ id: 1, name: 'bi', role: 'analyst', prefix: 'enc_ab', created_at: '2026-12-01T10:00:00Z', expires_at: null, revoked_at: null }], next_cursor: null };
  if (p === '/v1/audit') return { items: [{ id: 1, at: '2026-12-07T10:00:00Z', actor: 'user:owner@shop.example', action: 'session.login', target: '', client: '127.0.0.1', status: 200 }], next_cursor: null };
  return [404, { title: 'Not Found', status: 404, detail: 'no route ' + p }];
}
const b = await puppeteer.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox'], defaultViewport: { width: Number(process.env.W || 1366), height: 768 } });
const pg = await b.newPage();
await pg.evaluateOnNewDocument((l) => localStorage.setItem('encore.locale', l), locale);
pg.on('console', (m) => m.type() !== 'log' && console.log('console', m.type(), m.text()));
pg.on('pageerror', (e) => console.log('pageerror', e.message));
await pg.setRequestInterception(true);
pg.on('request', (r) => {
  if (!r.url().includes('/v1/')) return r.continue();
  let res;
  try { res = route(r.method(), r.url(), r.postData()); } catch (e) { res = [500, { title: 'mock', detail: String(e.message).slice(0, 300) }]; }
  const [st, doc] = Array.isArray(res) ? res : [200, res];
  r.respond({ status: st, contentType: st >= 400 ? 'application/problem+json' : 'application/json', body: JSON.stringify(doc) });
});
const pages = ['/', '/customers?q=rachel', '/customers/3', '/segments', '/campaigns', '/campaigns/new', '/campaigns/spring', '/deliverability', '/settings'];
for (const p of pages) {
  if (only && !p.includes(only)) continue;
  await pg.goto(base + p, { waitUntil: 'networkidle0' });
  await new Promise((r) => setTimeout(r, 600));
  if (p === '/segments') { await pg.type('#expr', 'orders >= 3'); await new Promise((r) => setTimeout(r, 1200)); }
  if (p === '/campaigns/new') { await pg.select('#cp-playbook', 'vip-perks'); await new Promise((r) => setTimeout(r, 500)); const j = JSON.parse(await pg.$eval('#cp-json', (e) => e.value)); j.trigger = { type: 'once' }; await pg.$eval('#cp-json', (e, v) => { e.value = v; e.dispatchEvent(new Event('change')); }, JSON.stringify(j, null, 2)); await pg.click('.actions button.secondary'); await new Promise((r) => setTimeout(r, 1500)); }
  const name = p.replace(/[^a-z0-9]+/gi, '_') || 'root';
  await pg.screenshot({ path: `${outdir}/${role}-${locale}-${name}.png`, fullPage: true, captureBeyondViewport: false });
  console.log('shot', p);
}
await b.close();
