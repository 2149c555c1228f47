// build.mjs — bundles the console: src/main.js (and what it imports, ECharts included) into
// DIST/assets/app.js, src/app.css into DIST/assets/app.css, and copies index.html and the icon.
// Usage: node build.mjs [DIST] (default dist/). Deterministic: same sources, same bytes, so
// scripts/embed-web --check can compare the committed C file with a fresh build.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const dist = process.argv[2] || 'dist';
rmSync(dist, { recursive: true, force: true });
mkdirSync(join(dist, 'assets'), { recursive: true });
await build({
  entryPoints: { app: 'src/main.js' },
  bundle: true,
  minify: true,
  format: 'esm',
  target: ['es2020'],
  legalComments: 'none',
  charset: 'utf8',
  outdir: join(dist, 'assets'),
  logLevel: 'warning',
});
await build({
  entryPoints: { app: 'src/app.css' },
  bundle: true,
  minify: true,
  outdir: join(dist, 'assets'),
  logLevel: 'warning',
});
copyFileSync('index.html', join(dist, 'index.html'));
copyFileSync('icon.svg', join(dist, 'assets/icon.svg'));
