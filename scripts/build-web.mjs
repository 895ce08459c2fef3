// Builds the dashboard's page (web/) into dist/web/: one script and one stylesheet bundled by esbuild
// (Preact, xterm.js and the anatomy drawing of src/ui/ inside; nothing fetched from elsewhere at run
// time), and index.html. The page's TypeScript is checked first (web/tsconfig.json: the browser's DOM
// types, not Node's). Run by `npm run build`; `--out DIR` builds elsewhere (a tsc --outDir DIR build
// serves DIR/web).
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const at = process.argv.indexOf('--out');
const out = at > 0 ? path.resolve(process.argv[at + 1]) : path.join(root, 'dist', 'web');
execFileSync(process.execPath, [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', path.join(root, 'web', 'tsconfig.json')], { stdio: 'inherit' });
rmSync(out, { recursive: true, force: true });
mkdirSync(path.join(out, 'assets'), { recursive: true });
const result = await build({
  entryPoints: { app: path.join(root, 'web', 'src', 'main.tsx') },
  outdir: path.join(out, 'assets'),
  bundle: true,
  format: 'esm',
  // The terminal (xterm.js) and the YAML parser load when a view first needs them: the first render
  // waits for neither.
  splitting: true,
  chunkNames: 'chunk-[hash]',
  target: 'es2022',
  minify: true,
  sourcemap: 'linked',
  jsx: 'automatic',
  jsxImportSource: 'preact',
  legalComments: 'linked',
  logLevel: 'warning',
  metafile: true,
});
// The chunks the entry imports at once are named in the page as modulepreloads: the browser fetches them
// beside app.js instead of after it.
const entry = Object.entries(result.metafile.outputs).find(([, o]) => o.entryPoint !== undefined && o.entryPoint.endsWith('main.tsx'));
const preloads = (entry?.[1].imports ?? [])
  .filter((i) => i.kind === 'import-statement' && i.path.endsWith('.js'))
  .map((i) => `<link rel="modulepreload" href="/ui/assets/${path.basename(i.path)}">`);
const html = readFileSync(path.join(root, 'web', 'index.html'), 'utf8');
writeFileSync(path.join(out, 'index.html'), html.replace('</head>', `${preloads.join('\n')}${preloads.length ? '\n' : ''}</head>`));
