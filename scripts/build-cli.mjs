// Bundles the CLI (dist/src/cli/main.js, the commands' modules it imports when they run, and what they
// import: commander, yaml, ws, the client, the printers) into dist/src/cli/peapod.bundle.js and a chunk
// per command beside it, which bin/peapod.js runs. A few minified files parse and link in a fraction of
// the time of ~45 modules and ~90 CommonJS files of node_modules, and `peapod get pods` loads neither
// exec's WebSocket nor pull's progress bars: it starts like kubectl. The host commands' lazily imported
// modules (the daemon, setup, reset) stay dist/src's own and load unbundled, as before. Run by
// `npm run build` after tsc; `--out DIR` bundles a tsc --outDir DIR build; `--sizes` prints the inputs.
import { build } from 'esbuild';
import { readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const at = process.argv.indexOf('--out');
const out = at > 0 ? path.resolve(process.argv[at + 1]) : path.join(root, 'dist');
const cliDir = path.join(out, 'src', 'cli');

// Modules under src/cli that are the host's (they drive runc, mounts and the network): never bundled.
const HOST_MODULES = new Set([path.join('commands', 'reset.js')]);

for (const f of readdirSync(cliDir)) if (/^peapod\.bundle|^bundle-chunk-/.test(f)) rmSync(path.join(cliDir, f));
const result = await build({
  entryPoints: [path.join(cliDir, 'main.js')],
  minify: true,
  entryNames: 'peapod.bundle',
  outdir: cliDir,
  // Chunks sit beside the entry, so the relative paths of the external imports hold in them too.
  splitting: true,
  chunkNames: 'bundle-chunk-[hash]',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // Commander, ws and yaml are CommonJS: the bundle gives them a require of their own.
  banner: { js: "import { createRequire as __peapodRequire } from 'node:module'; const require = __peapodRequire(import.meta.url);" },
  metafile: process.argv.includes('--sizes'),
  logLevel: 'warning',
  legalComments: 'none',
  plugins: [
    {
      name: 'dynamic-imports-stay-modules',
      setup(b) {
        // A command's module (src/cli/commands/*, imported when the command runs) is a chunk of the
        // bundle. The host commands' lazily imported modules (the daemon, setup, reset) stay dist/src's
        // own: they load unbundled at their relative path, only when such a command runs.
        b.onResolve({ filter: /^\.\.?\// }, (args) => {
          if (args.kind !== 'dynamic-import') return undefined;
          const target = path.resolve(args.resolveDir, args.path);
          if (target.startsWith(cliDir + path.sep) && !HOST_MODULES.has(path.relative(cliDir, target))) return undefined;
          const rel = path.relative(cliDir, target).split(path.sep).join('/');
          return { path: rel.startsWith('.') ? rel : `./${rel}`, external: true };
        });
        // ws's optional native helpers are absent; its own try/require falls back to JavaScript.
        b.onResolve({ filter: /^(bufferutil|utf-8-validate)$/ }, (args) => ({ path: args.path, external: true }));
      },
    },
  ],
});
if (result.metafile) {
  const sizes = new Map();
  for (const [file, i] of Object.entries(result.metafile.inputs)) {
    const key = file.includes('node_modules/') ? file.split('node_modules/')[1].split('/')[0] : file.split('/').slice(-3).join('/');
    sizes.set(key, (sizes.get(key) ?? 0) + i.bytes);
  }
  for (const [k, v] of [...sizes].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(String(v).padStart(8), k);
}
