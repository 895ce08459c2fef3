// Child process for the runtime integration test: acts as a daemon that creates a pod with one
// `sleep` container, prints {"sandboxId","containerId","pid"} and exits without any cleanup,
// as a crashed daemon would. argv: <dataDir> <subnet> <sandboxConfig JSON> <containerConfig JSON>.

import { pino } from 'pino';
import { nodePaths } from '../../../src/node/paths.js';
import { HostExec } from '../../../src/system/exec.js';
import { SystemClock } from '../../../src/system/clock.js';
import { CniNetwork } from '../../../src/runtime/network/cni-network.js';
import { RuncRuntime } from '../../../src/runtime/runc-runtime.js';
import { LocalImageService } from '../../../src/images/local-image-service.js';

const [dataDir, subnet, sbJson, ctrJson] = process.argv.slice(2);
const paths = nodePaths(dataDir);
const exec = new HostExec();
const logger = pino({ level: 'silent' });
const clock = new SystemClock();
const images = new LocalImageService({ paths, exec, logger, clock });
await images.init();
const network = new CniNetwork({ paths, exec, logger, podCidr: subnet });
await network.init();
const runtime = new RuncRuntime({ paths, exec, clock, logger, images, network });
await runtime.init();
const sb = JSON.parse(sbJson);
const sandboxId = await runtime.runPodSandbox(sb);
const containerId = await runtime.createContainer(sandboxId, JSON.parse(ctrJson), sb);
await runtime.startContainer(containerId);
const { pid } = await runtime.containerStatus(containerId);
process.stdout.write(JSON.stringify({ sandboxId, containerId, pid }) + '\n');
process.exit(0);
