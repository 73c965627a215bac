// Prints the minified and gzipped size of what a page pays for:
// loader.js on every page, overlay.js (steps, tips, validation, the help
// panel) only where something shows. Aims: loader <= 1 KB gz, overlay <= 20 KB gz. Exits 1 when an aim is missed.
//   node bench/size.mjs
import { build } from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const here = join(dirname(fileURLToPath(import.meta.url)), '..');
const entries = [
  { name: 'loader.js', entry: 'src/content/loader.js', aimGz: 1024 },
  { name: 'overlay.js', entry: 'src/content/main.js', aimGz: 20 * 1024 },
  { name: 'background.js', entry: 'src/background/index.js', aimGz: null },
];

const kb = (bytes) => `${(bytes / 1024).toFixed(2)} KB`;
let missed = false;
for (const { name, entry, aimGz } of entries) {
  const result = await build({
    entryPoints: [join(here, entry)],
    bundle: true,
    format: 'iife',
    target: ['chrome116'],
    minify: true,
    legalComments: 'none',
    write: false,
  });
  const code = result.outputFiles[0].contents;
  const gz = gzipSync(code, { level: 9 }).length;
  const verdict = aimGz === null ? '' : gz <= aimGz ? `ok (aim <= ${kb(aimGz)})` : `OVER (aim <= ${kb(aimGz)})`;
  if (aimGz !== null && gz > aimGz) missed = true;
  console.log(`${name.padEnd(14)} min ${kb(code.length).padStart(10)}   min+gz ${kb(gz).padStart(9)}   ${verdict}`);
}
process.exit(missed ? 1 : 0);
