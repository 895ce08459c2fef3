#!/usr/bin/env node
// peapod's entry point: runs the compiled CLI (build with `npm run build`) and exits with its code
// once stdout and stderr have drained.
import { main } from '../dist/src/cli/main.js';

const code = await main(process.argv.slice(2));
process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
