// Builds extension/dist/, a folder Chromium loads unpacked as it is, and the
// dashboard's charts bundle.
//   node build.mjs                     minified
//   node build.mjs --dev               readable, with inline source maps
//   node build.mjs --charts-to=FILE    only the charts bundle, into FILE (the
//                                      test that the committed bundle is current)
import { build } from 'esbuild';
import { cp, mkdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, 'dist');
const dev = process.argv.includes('--dev');
const chartsTo = process.argv.find((arg) => arg.startsWith('--charts-to='))?.slice('--charts-to='.length);
// The dashboard's charts bundle is committed (package data): a wheel built
// without npm still serves working charts. Rebuilt here, so a Chart.js update
// or a change to static_src/charts.js shows up in `git status`.
const chartsBundle = join(here, '../backend/waymark/dashboard/static/charts.js');

// The admin dashboard's charts (Chart.js from npm), served by the backend as a
// static file: no CDN at run time. Always minified, so the committed file does
// not depend on --dev.
function buildCharts(outfile) {
  return build({
    entryPoints: [join(here, '../backend/waymark/dashboard/static_src/charts.js')],
    outfile,
    nodePaths: [join(here, 'node_modules')],
    bundle: true,
    format: 'iife',
    target: ['es2020'],
    minify: true,
    legalComments: 'eof',
    logLevel: 'warning',
  });
}

if (chartsTo) {
  await buildCharts(chartsTo);
  console.log(`built ${chartsTo}`);
  process.exit(0);
}

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
    }),
  ),
);
await buildCharts(chartsBundle);
await Promise.all(copied.map(([from, to]) => cp(join(here, from), join(dist, to))));
console.log(`built ${dist}${dev ? ' (dev)' : ''}`);
