// Child process for the warm pool integration test: a runtime with a warm pool of one that prints the pool
// sandbox's id once it is ready and exits without any cleanup, as a crashed daemon would.
// argv: <dataDir> <subnet>.

import { pino } from 'pino';
import { nodePaths } from '../../../src/node/paths.js';
import { HostExec } from '../../../src/system/exec.js';
import { SystemClock } from '../../../src/system/clock.js';
import { CniNetwork } from '../../../src/runtime/network/cni-network.js';
import { RuncRuntime } from '../../../src/runtime/runc-runtime.js';
import { LocalImageService } from '../../../src/images/local-image-service.js';

const [dataDir, subnet] = process.argv.slice(2);
const paths = nodePaths(dataDir!);
const exec = new HostExec();
const logger = pino({ level: 'silent' });
const clock = new SystemClock();
const images = new LocalImageService({ paths, exec, logger, clock });
await images.init();
const network = new CniNetwork({ paths, exec, logger, podCidr: subnet! });
await network.init();
const runtime = new RuncRuntime({ paths, exec, clock, logger, images, network, warmPool: 1 });
await runtime.init();
for (let i = 0; i < 400 && (runtime.warmPoolFigures()?.ready ?? 0) < 1; i++) await new Promise((r) => setTimeout(r, 50));
if ((runtime.warmPoolFigures()?.ready ?? 0) < 1) {
  process.stderr.write('the warm pool never filled\n');
  process.exit(1);
}
process.stdout.write(JSON.stringify({ ready: runtime.warmPoolFigures()?.ready }) + '\n');
process.exit(0);
