import puppeteer from 'puppeteer-core';
const b = await puppeteer.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox'], defaultViewport: { width: 1366, height: 768 } });
const p = await b.newPage();
p.on('console', (m) => console.log('console', m.type(), m.text()));
p.on('pageerror', (e) => console.log('pageerror', e.message));
await p.goto(process.argv[2], { waitUntil: 'networkidle0' });
await p.screenshot({ path: process.argv[3] });
await b.close();
