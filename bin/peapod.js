#!/bin/sh
":" //; for a in "$@"; do [ "$a" = serve ] && exec env GLIBC_TUNABLES="${GLIBC_TUNABLES:+$GLIBC_TUNABLES:}glibc.malloc.mmap_threshold=32768:glibc.malloc.trim_threshold=131072" node --max-semi-space-size=4 "$0" "$@"; done; exec node "$0" "$@"
// peapod's entry point: runs the built CLI (`npm run build`) and exits with its code once stdout and
// stderr have drained. It runs the bundle (scripts/build-cli.mjs: the quick start of client commands)
// unless a later `tsc` left it older than the modules it was made from; then the modules themselves.
// Run as a program, it is first a shell script (the two lines above; to JavaScript the second is a
// string and a comment): `serve` gets node's flag and glibc's malloc tunables (src/system/node-flags.ts),
// which must be there when node starts; every other command starts node without them, which is quicker.
// (Any argument `serve` counts: `peapod logs serve` merely starts node with the daemon's flags.)
import { statSync } from 'node:fs';

const mtime = (p) => statSync(new URL(p, import.meta.url), { throwIfNoEntry: false })?.mtimeMs ?? -1;
const [bundle, modules] = [mtime('../dist/src/cli/peapod.bundle.js'), mtime('../dist/src/cli/main.js')];
if (bundle < 0 && modules < 0) {
  process.stderr.write(`peapod: no build in ${new URL('../dist/', import.meta.url).pathname}: run \`npm run build\` in the checkout\n`);
  process.exit(1);
}
const bundled = bundle >= modules;
// Said with -v (any level): the quick start needs `npm run build` (or node scripts/build-cli.mjs) after a tsc.
if (!bundled && process.argv.some((a) => /^(-v|--v)(=?\d*)$/.test(a))) process.stderr.write('peapod: the CLI bundle is older than dist/src (a tsc since `npm run build`?): running the modules, more slowly; `node scripts/build-cli.mjs` remakes it\n');
const { main } = bundled ? await import('../dist/src/cli/peapod.bundle.js') : await import('../dist/src/cli/main.js');

const code = await main(process.argv.slice(2));
process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
