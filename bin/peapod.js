#!/usr/bin/env -S GLIBC_TUNABLES=glibc.malloc.mmap_threshold=32768:glibc.malloc.trim_threshold=131072 node --max-semi-space-size=4
// peapod's entry point: runs the compiled CLI (build with `npm run build`) and exits with its code
// once stdout and stderr have drained. The #! line's malloc tunables and node flag are for `serve`
// (src/system/node-flags.ts).
import { main } from '../dist/src/cli/main.js';

const code = await main(process.argv.slice(2));
process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
