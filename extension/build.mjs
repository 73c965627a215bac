// Builds extension/dist/, a folder Chromium loads unpacked as it is.
//   node build.mjs         minified
//   node build.mjs --dev   readable, with inline source maps
import { build } from 'esbuild';
import { minifyStylesheets } from './css-plugin.mjs';
import { cp, mkdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, 'dist');
const dev = process.argv.includes('--dev');

// Content scripts and injected files are classic scripts: bundle each as an IIFE.
const bundles = [
  { in: 'src/content/loader.js', out: 'loader.js' },
  { in: 'src/content/main.js', out: 'overlay.js' },
  { in: 'src/content/picker.js', out: 'picker.js' }, // author mode, injected on request
  { in: 'src/background/index.js', out: 'background.js' },
  { in: 'src/options/options.js', out: 'options.js' },
  { in: 'src/popup/popup.js', out: 'popup.js' },
];

const copied = [
  ['static/manifest.json', 'manifest.json'],
  ['static/managed_schema.json', 'managed_schema.json'],
  ['src/options/options.html', 'options.html'],
  ['src/options/options.css', 'options.css'],
  ['src/popup/popup.html', 'popup.html'],
  ['src/popup/popup.css', 'popup.css'],
];

await rm(dist, { recursive: true, force: true });
await mkdir(dist, { recursive: true });
await Promise.all(
  bundles.map((bundle) =>
    build({
      entryPoints: [join(here, bundle.in)],
      outfile: join(dist, bundle.out),
      bundle: true,
      format: 'iife',
      target: ['chrome116'],
      minify: !dev,
      sourcemap: dev ? 'inline' : false,
      legalComments: 'none',
      logLevel: 'warning',
      plugins: dev ? [] : [minifyStylesheets],
    }),
  ),
);
// The admin dashboard's charts (Chart.js from npm), bundled by the same step and
// served by the backend as a static file: no CDN at run time.
await build({
  entryPoints: [join(here, '../backend/waymark/dashboard/static_src/charts.js')],
  outfile: join(here, '../backend/waymark/dashboard/static/charts.js'),
  nodePaths: [join(here, 'node_modules')],
  bundle: true,
  format: 'iife',
  target: ['es2020'],
  minify: !dev,
  legalComments: 'eof',
  logLevel: 'warning',
});
await Promise.all(copied.map(([from, to]) => cp(join(here, from), join(dist, to))));
console.log(`built ${dist}${dev ? ' (dev)' : ''}`);
