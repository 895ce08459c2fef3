// A daemon that stops with no pod left on the node takes its node-level state with it (issue 14): the
// bridge, the node masquerade, the netns dir's bind mount, the cgroup parents and the run dir. The next
// start makes them again in a few milliseconds. With pods left, everything they need stays, so their
// containers keep running while the daemon is away.


import type { Logger } from '../system/logger.js';
import type { Runtime } from '../runtime/runtime.js';
import type { PodNetwork } from '../runtime/network/network.js';
import { removeUnmounted } from './host-state.js';
import type { NodePaths } from './paths.js';

export interface CleanStopDeps {
  runtime: Pick<Runtime, 'listPodSandboxes' | 'listContainers'> & { teardownNode(): Promise<void> };
  network: Pick<PodNetwork, 'teardownNode'>;
  paths: NodePaths;
  logger: Logger;
  /** /proc/self/mountinfo (tests give their own). */
  readMountInfo?: () => Promise<string>;
}

/** Removes the node-level state when the runtime holds no sandbox and no container; returns whether it did. */
export async function removeNodeStateIfIdle(d: CleanStopDeps): Promise<boolean> {
  const [sandboxes, containers] = await Promise.all([d.runtime.listPodSandboxes(), d.runtime.listContainers()]);
  if (sandboxes.length > 0 || containers.length > 0) {
    d.logger.info({ sandboxes: sandboxes.length, containers: containers.length }, 'pods are left on the node: its bridge, cgroups and run dir stay for them');
    return false;
  }
  // The runtime's own guard first: it also counts sandboxes still being created, which lists leave out.
  await d.runtime.teardownNode();
  await d.network.teardownNode();
  await removeUnmounted(d.paths.runDir, d.readMountInfo).catch((err: Error) => {
    throw new Error(`run dir ${d.paths.runDir} kept: ${err.message}`);
  });
  d.logger.info({ bridge: d.paths.bridgeName, runDir: d.paths.runDir, cgroupParent: d.paths.cgroupParent }, 'no pod left: removed the node-level state (bridge, masquerade, netns dir, cgroup parents, run dir)');
  return true;
}
