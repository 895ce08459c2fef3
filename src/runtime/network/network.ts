// The pod network contract used by the runtime's sandbox code: a pinned network namespace per pod,
// attached to the node's bridge by the CNI reference plugins (loopback, bridge + host-local, portmap).

import type { PortMapping } from '../runtime.js';

export interface NetworkAttachRequest {
  /** The sandbox id (CNI_CONTAINERID). */
  sandboxId: string;
  /** Pinned netns file (CNI_NETNS). */
  netnsPath: string;
  podName: string;
  podNamespace: string;
  podUid: string;
  portMappings: PortMapping[];
}

export interface NetworkAttachResult {
  /** Pod IPv4 address without prefix length, e.g. "10.88.0.5". */
  ip: string;
  /** Gateway address (the bridge). */
  gateway: string;
  /** The whole CNI result, for diagnostics. */
  cniResult: unknown;
}

export interface PodNetwork {
  /** Creates bridge/conf dirs as needed (idempotent); called once at daemon start. */
  init(): Promise<void>;
  /** Creates and pins a new network namespace; returns its path. */
  createNetns(sandboxId: string): Promise<string>;
  /** Unpins and removes a namespace file; succeeds when already gone. */
  removeNetns(netnsPath: string): Promise<void>;
  /**
   * CNI ADD (loopback, then the bridge conflist with port mappings). Host ports are reserved
   * (a listener is held) so no other process takes them. On failure everything added is undone.
   */
  attach(req: NetworkAttachRequest): Promise<NetworkAttachResult>;
  /**
   * CNI DEL from the cached result (reusing the ADD runtimeConfig), releasing the IP, the
   * iptables rules and the host port reservations. Succeeds when nothing is attached.
   */
  detach(req: NetworkAttachRequest): Promise<void>;
  /**
   * Garbage-collects leftovers of sandboxes not in `liveSandboxIds` (cache entries, IPAM files,
   * CNI-* chains with an unknown id). Called at start-up after the runtime restored its state.
   */
  gc(liveSandboxIds: Set<string>): Promise<void>;
  /** Removes node-level things (bridge, engine-owned chains) when nothing is attached: for tests/uninstall. */
  teardownNode(): Promise<void>;
}
