// Start-up adoption (issue 14, item 4): containers that a previous daemon created but never started.
// A pod's sync calls createContainer and startContainer back to back, so a container still 'created' when
// the manager starts was left by a daemon that died between the two. Kept, the pod's first sync would
// kill it ("try killing it before launching new one", as the kubelet does with a container in an unknown
// or created state) and create another, and the dead one would stay listed beside its successor: two
// containers for one spec container, a restart the pod never had. Removed, the sync creates the container
// as if the crash had not happened.

import { errorMessage } from '../errors.js';
import type { Runtime } from '../runtime/runtime.js';
import type { Logger } from '../system/logger.js';

/** Removes every container in state 'created'; a removal that fails is logged (the pod's sync then kills it). */
export async function removeNeverStarted(runtime: Runtime, logger: Logger): Promise<void> {
  const created = await runtime.listContainers({ state: 'created' });
  await Promise.all(
    created.map(async (c) => {
      const log = { containerId: c.id, container: c.metadata.name, sandboxId: c.sandboxId };
      try {
        await runtime.removeContainer(c.id);
        logger.info(log, 'removed a container the previous daemon created but never started');
      } catch (err) {
        logger.warn({ ...log, err: errorMessage(err) }, 'could not remove a container the previous daemon never started');
      }
    }),
  );
}
