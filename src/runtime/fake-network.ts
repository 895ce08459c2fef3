// A PodNetwork for RuncRuntime unit tests: records calls, answers from overridable handlers (make
// createNetns or attach fail or wait). Touches nothing on the host. Never wired into the daemon.

import type { NetworkAttachRequest, NetworkAttachResult, PodNetwork } from './network/network.js';

export interface FakeNetworkHandlers {
  createNetns: (sandboxId: string) => Promise<string>;
  removeNetns: (netnsPath: string) => Promise<void>;
  attach: (req: NetworkAttachRequest) => Promise<NetworkAttachResult>;
  detach: (req: NetworkAttachRequest) => Promise<void>;
}

export class FakeNetwork implements PodNetwork {
  readonly calls: { method: string; arg: unknown }[] = [];
  readonly handlers: FakeNetworkHandlers;

  constructor(handlers: Partial<FakeNetworkHandlers> = {}) {
    this.handlers = {
      createNetns: async (id) => `/fake/netns/${id}`,
      removeNetns: async () => undefined,
      attach: async () => ({ ip: '10.0.0.2', gateway: '10.0.0.1', cniResult: {} }),
      detach: async () => undefined,
      ...handlers,
    };
  }

  async init(): Promise<void> {
    this.calls.push({ method: 'init', arg: undefined });
  }
  createNetns(sandboxId: string): Promise<string> {
    this.calls.push({ method: 'createNetns', arg: sandboxId });
    return this.handlers.createNetns(sandboxId);
  }
  removeNetns(netnsPath: string): Promise<void> {
    this.calls.push({ method: 'removeNetns', arg: netnsPath });
    return this.handlers.removeNetns(netnsPath);
  }
  attach(req: NetworkAttachRequest): Promise<NetworkAttachResult> {
    this.calls.push({ method: 'attach', arg: req });
    return this.handlers.attach(req);
  }
  detach(req: NetworkAttachRequest): Promise<void> {
    this.calls.push({ method: 'detach', arg: req });
    return this.handlers.detach(req);
  }
  async gc(liveSandboxIds: Set<string>): Promise<void> {
    this.calls.push({ method: 'gc', arg: liveSandboxIds });
  }
  async teardownNode(): Promise<void> {
    this.calls.push({ method: 'teardownNode', arg: undefined });
  }
}
