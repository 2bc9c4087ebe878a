'use strict';
/**
 * Builds the inbox page the notifications app serves at /inbox: bundles
 * apps/notifications/web/src/main.ts (with socket.io-client) into one minified script with esbuild,
 * and copies index.html and inbox.css beside it, into dist/apps/notifications/web/. Part of
 * `npm run build`; `npm run dev` runs it once before starting the apps.
 * Usage: node scripts/build-inbox.js [outDir]
 */
const fs = require('node:fs');
const path = require('node:path');
const esbuild = require('esbuild');

const ROOT = path.resolve(__dirname, '..');
const SRC = path.join(ROOT, 'apps', 'notifications', 'web');

/**
 * @param {string} [outDir] default dist/apps/notifications/web
 * @returns {Promise<string>} the output directory
 */
async function buildInbox(outDir = path.join(ROOT, 'dist', 'apps', 'notifications', 'web')) {
  fs.mkdirSync(outDir, { recursive: true });
  await esbuild.build({
    entryPoints: [path.join(SRC, 'src', 'main.ts')],
    outfile: path.join(outDir, 'inbox.js'),
    bundle: true,
    minify: true,
    sourcemap: true,
    format: 'iife',
    target: ['chrome110', 'firefox110', 'safari16'],
    legalComments: 'linked',
    logLevel: 'warning',
  });
  for (const file of ['index.html', 'inbox.css']) fs.copyFileSync(path.join(SRC, file), path.join(outDir, file));
  return outDir;
}

module.exports = { buildInbox };

if (require.main === module) {
  buildInbox(process.argv[2]).then(
    (out) => console.log(`inbox page built into ${path.relative(ROOT, out)}`),
    (err) => {
      console.error(`inbox page build failed: ${err.message}`);
      process.exit(1);
    },
  );
}
