// The node's pod network: pinned netns files + the CNI reference plugins (loopback, then bridge +
// host-local + portmap), with host ports reserved by held sockets. Every path and name comes from
// NodePaths, so daemons with different data dirs and pod CIDRs coexist on one host; the host's own
// CNI dirs (/etc/cni, /var/lib/cni) and shared chains (CNI-HOSTPORT-*, NETAVARK*) are never touched.
//
// Egress masquerade is one node-level rule set (node-masq.ts, installed by init) and portmap runs
// only for pods with hostPorts, so a pod without hostPorts costs no iptables call on attach or detach.
//
// Call order (runtime): createNetns → start pause → attach … detach → removeNetns. Attachments cached
// before the node-level masquerade (bridge ipMasq on) need the netns at DEL: bridge reads the pod IP
// from eth0 to remove its per-pod masquerade chain; without the netns detach removes that chain by
// comment, and gc catches the rest.

import { promises as fs, constants as fsc } from 'node:fs';
import path from 'node:path';

import { ConflictError, InternalError, UnavailableError, errorMessage } from '../../errors.js';
import type { NodePaths } from '../../node/paths.js';
import { runChecked, type Exec } from '../../system/exec.js';
import type { Logger } from '../../system/logger.js';
import {
  LOOPBACK_IFNAME,
  POD_IFNAME,
  buildCniArgs,
  masqueradesPerPod,
  podAddressOf,
  renderBridgeConflist,
  renderLoopbackConflist,
  selectPlugins,
  toCniPortMappings,
  type CapabilityArgs,
  type CniRuntimeArgs,
  type Conflist,
} from './cni.js';
import { CniCache, buildCacheRecord, cachedConflist, type CniCacheRecord } from './cni-cache.js';
import { CniInvoker } from './cni-invoke.js';
import { HostPortReservations } from './hostports.js';
import { KeyedMutex } from './keyed-mutex.js';
import { removeLeakedChains, removeLeakedIpamFiles } from './leak-cleanup.js';
import { NetnsManager, isNetnsMounted } from './netns.js';
import { installNodeMasq, nodeMasqChain, removeNodeMasq, type NodeMasqSpec } from './node-masq.js';
import { planPortmapScaffoldRemoval } from './portmap-scaffold.js';
import type { NetworkAttachRequest, NetworkAttachResult, PodNetwork } from './network.js';

export const DEFAULT_CNI_BIN_DIRS = ['/usr/lib/cni', '/opt/cni/bin'];
const REQUIRED_PLUGINS = ['loopback', 'bridge', 'host-local', 'portmap'];

export interface CniNetworkOptions {
  paths: NodePaths;
  exec: Exec;
  logger: Logger;
  /** IPv4 pod subnet, e.g. 10.88.0.0/16; the gateway (bridge address) is its first host. */
  podCidr: string;
  cniBinDirs?: string[];
}

export class CniNetwork implements PodNetwork {
  private readonly paths: NodePaths;
  private readonly exec: Exec;
  private readonly logger: Logger;
  private readonly binDirs: string[];
  private readonly bridgeList: Conflist;
  private readonly masq: NodeMasqSpec;
  private readonly loopbackList = renderLoopbackConflist();
  private readonly netns: NetnsManager;
  private readonly cache: CniCache;
  private readonly ports: HostPortReservations;
  private readonly invoker: CniInvoker;
  private readonly locks = new KeyedMutex();
  /** Sandboxes with an attach in progress: gc treats them as live. */
  private readonly inflight = new Set<string>();
  /** Sandboxes this process fully detached since their last attach: a repeated detach is a no-op. */
  private readonly detached = new Set<string>();
  private readonly pluginPaths = new Map<string, string>();
  private ready?: Promise<void>;

  constructor(opts: CniNetworkOptions) {
    this.paths = opts.paths;
    this.exec = opts.exec;
    this.logger = opts.logger;
    this.binDirs = opts.cniBinDirs ?? DEFAULT_CNI_BIN_DIRS;
    this.bridgeList = renderBridgeConflist({
      networkName: opts.paths.networkName,
      bridgeName: opts.paths.bridgeName,
      ipamDir: opts.paths.ipamDir,
      podCidr: opts.podCidr,
    });
    this.masq = { chain: nodeMasqChain(opts.paths.key), podCidr: opts.podCidr, networkName: opts.paths.networkName };
    this.netns = new NetnsManager({ dir: opts.paths.netnsDir, exec: opts.exec });
    this.cache = new CniCache(opts.paths.cniCacheDir);
    this.ports = new HostPortReservations({ logger: this.logger });
    this.invoker = new CniInvoker({ exec: opts.exec, binDirs: this.binDirs, resolve: (t) => this.pluginPath(t) });
  }

  init(): Promise<void> {
    this.ready ??= this.doInit().catch((err: unknown) => {
      this.ready = undefined;
      throw err;
    });
    return this.ready;
  }

  private async doInit(): Promise<void> {
    await this.findPlugins();
    // The daemon's own (node/private-state.ts): 0700 dirs, 0600 files.
    await fs.mkdir(this.paths.cniConfDir, { recursive: true, mode: 0o700 });
    await fs.mkdir(this.paths.ipamDir, { recursive: true, mode: 0o700 });
    await this.cache.init();
    await this.netns.prepareDir();
    // For reference and debugging only: attach uses the rendered list (portmap only with hostPorts),
    // DEL the cached one.
    const conf = path.join(this.paths.cniConfDir, `10-${this.paths.networkName}.conflist`);
    await fs.writeFile(conf, JSON.stringify(this.bridgeList, null, 2) + '\n', { mode: 0o600 });
    await this.enableIpForward();
    if (await installNodeMasq(this.exec, this.masq)) {
      this.logger.info({ chain: this.masq.chain, podCidr: this.masq.podCidr }, 'installed node egress masquerade');
    }
  }

  private async findPlugins(): Promise<void> {
    const missing: string[] = [];
    for (const type of REQUIRED_PLUGINS) {
      const found = await firstExecutable(this.binDirs.map((d) => path.join(d, type)));
      if (found) this.pluginPaths.set(type, found);
      else missing.push(type);
    }
    if (missing.length > 0) {
      throw new UnavailableError(
        `cni plugins ${missing.join(', ')} not found in ${this.binDirs.join(', ')}: install the containernetworking-plugins package`,
      );
    }
  }

  private pluginPath(type: string): string {
    return this.pluginPaths.get(type) ?? path.join(this.binDirs[0] ?? '/usr/lib/cni', type);
  }

  /** Masquerade and pod egress need forwarding; the bridge plugin would also set it on first ADD. */
  private async enableIpForward(): Promise<void> {
    const file = '/proc/sys/net/ipv4/ip_forward';
    const value = (await fs.readFile(file, 'utf8')).trim();
    if (value === '1') return;
    await fs.writeFile(file, '1');
    this.logger.info('enabled net.ipv4.ip_forward (needed for pod egress masquerade)');
  }

  createNetns(sandboxId: string): Promise<string> {
    return this.netns.create(sandboxId);
  }

  async removeNetns(netnsPath: string): Promise<void> {
    await this.netns.remove(netnsPath);
    if (netnsPath) this.detached.delete(path.basename(netnsPath));
  }

  attach(req: NetworkAttachRequest): Promise<NetworkAttachResult> {
    return this.locks.run(req.sandboxId, async () => {
      await this.init();
      this.detached.delete(req.sandboxId);
      this.inflight.add(req.sandboxId);
      try {
        return await this.attachLocked(req);
      } finally {
        this.inflight.delete(req.sandboxId);
      }
    });
  }

  private async attachLocked(req: NetworkAttachRequest): Promise<NetworkAttachResult> {
    if (await this.cache.read(this.bridgeList.name, req.sandboxId, POD_IFNAME)) {
      // Attached before (a retried sandbox start): start from a clean slate rather than stack a second IP.
      await this.detachLocked(req);
    }
    await this.ports.reserve(req.sandboxId, req.portMappings);
    try {
      await this.addNetwork(this.loopbackList, LOOPBACK_IFNAME, req, {});
      const caps = { portMappings: toCniPortMappings(req.portMappings) };
      const result = await this.addNetwork(selectPlugins(this.bridgeList, caps), POD_IFNAME, req, caps);
      const { ip, gateway } = podAddressOf(result);
      return { ip, gateway, cniResult: result };
    } catch (err) {
      await this.detachLocked(req).catch((undoErr: unknown) =>
        this.logger.warn({ sandboxId: req.sandboxId, err: errorMessage(undoErr) }, 'undo failed network attach'),
      );
      await this.ports.release(req.sandboxId);
      throw err;
    }
  }

  private async addNetwork(list: Conflist, ifName: string, req: NetworkAttachRequest, caps: CapabilityArgs) {
    const args = runtimeArgs(req, ifName);
    const result = await this.invoker.add(list, args, caps);
    await this.cache.write(buildCacheRecord({ list, args, cniArgs: buildCniArgs(args), caps, result }));
    return result;
  }

  detach(req: NetworkAttachRequest): Promise<void> {
    return this.locks.run(req.sandboxId, async () => {
      await this.init();
      // Stop and remove both detach; the second one need not run three plugins again.
      if (this.detached.has(req.sandboxId)) return;
      await this.detachLocked(req);
      this.detached.add(req.sandboxId);
    });
  }

  /**
   * DEL bridge list then loopback, each with the plugins, runtimeConfig and result of its cache record
   * (exactly what ADD ran); without a record, with the plugins ADD would select for these mappings.
   */
  private async detachLocked(req: NetworkAttachRequest): Promise<void> {
    const netnsAlive = await isNetnsMounted(req.netnsPath);
    const mappings = { portMappings: toCniPortMappings(req.portMappings) };
    const errors: unknown[] = [];
    let perPodMasq = false;
    for (const [current, ifName, caps] of [
      [this.bridgeList, POD_IFNAME, mappings],
      [this.loopbackList, LOOPBACK_IFNAME, {}],
    ] as const) {
      const record = await this.cache.read(current.name, req.sandboxId, ifName);
      const list = record ? cachedConflist(record) : selectPlugins(current, caps);
      const args = record ? recordArgs(record, req.netnsPath) : runtimeArgs(req, ifName);
      perPodMasq ||= masqueradesPerPod(list);
      await this.delNetwork(list, args, record?.capabilityArgs ?? caps, record?.result).catch((err: unknown) =>
        errors.push(err),
      );
    }
    if (errors.length > 0) throw errors[0];
    if (!netnsAlive && perPodMasq) {
      // An old (ipMasq) attachment whose bridge DEL could not read the pod IP: drop its chain by owner comment.
      await removeLeakedChains(this.exec, this.bridgeList.name, (id) => id !== req.sandboxId);
    }
    await this.ports.release(req.sandboxId);
  }

  /** Runs DEL of `list` (the cached or selected plugins) and drops the cache record. */
  private async delNetwork(list: Conflist, args: CniRuntimeArgs, caps: CapabilityArgs, result: unknown): Promise<void> {
    const netns = (await isNetnsMounted(args.netns)) ? args.netns : '';
    await this.invoker.del(list, { ...args, netns }, caps, result);
    await this.cache.remove(list.name, args.containerId, args.ifName);
  }

  async gc(liveSandboxIds: Set<string>): Promise<void> {
    await this.init();
    const keep = (id: string) => liveSandboxIds.has(id) || this.inflight.has(id);
    const { records, bad } = await this.cache.list();
    for (const file of bad) await fs.rm(file, { force: true });
    for (const record of records) {
      if (keep(record.containerId)) continue;
      await this.locks
        .run(record.containerId, () =>
          this.delNetwork(cachedConflist(record), recordArgs(record, ''), record.capabilityArgs, record.result),
        )
        .catch((err: unknown) => this.logger.warn({ id: record.containerId, err: errorMessage(err) }, 'gc cni del'));
    }
    for (const owner of this.ports.owners()) if (!keep(owner)) await this.ports.release(owner);
    for (const id of [...this.detached]) if (!keep(id)) this.detached.delete(id);
    await this.restoreReservations(records.filter((r) => keep(r.containerId) && r.ifName === POD_IFNAME));
    const ips = await removeLeakedIpamFiles(this.exec, this.paths.ipamDir, this.bridgeList.name, keep);
    const chains = await removeLeakedChains(this.exec, this.bridgeList.name, keep);
    const netns: string[] = [];
    for (const id of await this.netns.list()) {
      if (keep(id)) continue;
      await this.netns.remove(path.join(this.paths.netnsDir, id));
      netns.push(id);
    }
    if (ips.length + chains.length + netns.length > 0) {
      this.logger.info({ ips, chainOwners: chains, netns }, 'network gc removed leftovers');
    }
  }

  /** After a daemon restart the held sockets are gone: take the live sandboxes' host ports again. */
  private async restoreReservations(records: CniCacheRecord[]): Promise<void> {
    for (const r of records) {
      const mappings = (r.capabilityArgs.portMappings ?? []).map((m) => ({
        hostPort: m.hostPort,
        containerPort: m.containerPort,
        protocol: m.protocol.toUpperCase() as 'TCP' | 'UDP' | 'SCTP',
        ...(m.hostIP ? { hostIP: m.hostIP } : {}),
      }));
      await this.ports
        .reserve(r.containerId, mappings)
        .catch((err: unknown) => this.logger.warn({ id: r.containerId, err: errorMessage(err) }, 'restore host ports'));
    }
  }

  async teardownNode(): Promise<void> {
    const { records } = await this.cache.list();
    if (records.length > 0) {
      throw new ConflictError(`network "${this.paths.networkName}" still has ${records.length} attachments`);
    }
    await removeLeakedChains(this.exec, this.bridgeList.name, () => false).catch((err: unknown) =>
      this.logger.warn({ err: errorMessage(err) }, 'teardown chains'),
    );
    await removeNodeMasq(this.exec, this.masq.chain);
    // The portmap plugin's shared chains, once no CNI user's pod has host ports (or chains) left.
    await (async () => {
      const scaffold = planPortmapScaffoldRemoval(await runChecked(this.exec, 'iptables-save', ['-t', 'nat']));
      if (scaffold !== undefined) await runChecked(this.exec, 'iptables-restore', ['--noflush', '--wait'], { input: scaffold });
    })().catch((err: unknown) => this.logger.info({ err: errorMessage(err) }, 'CNI\'s shared host port chains stay'));
    const r = await this.exec.run('ip', ['link', 'del', this.paths.bridgeName]);
    if (r.code !== 0 && !/cannot find device/i.test(r.stderr)) {
      throw new InternalError(`delete bridge ${this.paths.bridgeName}: ${r.stderr.trim()}`);
    }
    await this.ports.releaseAll();
    for (const dir of [this.paths.cniConfDir, this.paths.cniCacheDir, this.paths.ipamDir]) {
      await fs.rm(dir, { recursive: true, force: true });
    }
    await fs.rmdir(path.dirname(this.paths.cniConfDir)).catch(() => undefined);
    await this.netns
      .removeDir()
      .catch((err: unknown) => this.logger.warn({ err: errorMessage(err) }, 'teardown netns dir'));
    this.ready = undefined;
  }
}

function runtimeArgs(req: NetworkAttachRequest, ifName: string): CniRuntimeArgs {
  return {
    containerId: req.sandboxId,
    netns: req.netnsPath,
    ifName,
    podNamespace: req.podNamespace,
    podName: req.podName,
    podUid: req.podUid,
  };
}

/** The ADD-time identity from a cache record; `netns` overrides the recorded path when given. */
function recordArgs(record: CniCacheRecord, netns: string): CniRuntimeArgs {
  const arg = (k: string) => record.cniArgs.find(([key]) => key === k)?.[1] ?? '';
  return {
    containerId: record.containerId,
    netns: netns || record.netns,
    ifName: record.ifName,
    podNamespace: arg('K8S_POD_NAMESPACE'),
    podName: arg('K8S_POD_NAME'),
    podUid: arg('K8S_POD_UID'),
  };
}

async function firstExecutable(candidates: string[]): Promise<string | undefined> {
  for (const file of candidates) {
    try {
      await fs.access(file, fsc.X_OK);
      return file;
    } catch {
      /* try the next dir */
    }
  }
  return undefined;
}
