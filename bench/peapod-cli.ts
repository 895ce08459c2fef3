// The peapod CLI from the same build as the bench (dist/ for `npm run bench`, .build/<dir>/ for a private
// build), so the bench can run a daemon without touching dist/. bin/peapod.js does the same for dist/.
import { main } from '../src/cli/main.js';

const code = await main(process.argv.slice(2));
process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
