// The Node object this daemon registers for itself, as a kubelet does: capacity, addresses, node info
// and a Ready condition refreshed by a heartbeat. Pure builder; the daemon writes it to the store.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { hugePageSizeOf, hugePageUnitSize } from '../k8s/hugepages.js';
import type { Node } from '../k8s/types.js';

export interface NodeFacts {
  nodeName: string;
  nodeIP: string;
  podCidr: string;
  kernelVersion: string;
  osImage: string;
  runtimeVersion: string;
  kubeletVersion: string;
  cpus: number;
  memoryBytes: number;
  maxPods: number;
  /** Size of the filesystem holding the data dir (container logs, writable layers, emptyDirs). */
  ephemeralStorageBytes: number;
  /** Pre-allocated huge pages by resource name (hugepages-2Mi, hugepages-1Gi), in bytes. */
  hugepages: Record<string, number>;
  /** The host's identity (readHostIdentity); each '' when unknown, as the kubelet reports what cAdvisor could not read. */
  identity?: HostIdentity;
}

/** nodeInfo's machineID, systemUUID and bootID: required fields of NodeSystemInfo (clients that check them refuse a Node without). */
export interface HostIdentity {
  machineID: string;
  systemUUID: string;
  bootID: string;
}

/**
 * Where the kubelet (through cAdvisor) reads them: /etc/machine-id (else dbus's copy), the DMI product
 * UUID, the kernel's boot id. `read` returns a file's text or undefined when it cannot be read.
 */
export function readHostIdentity(read: (file: string) => string | undefined = readText): HostIdentity {
  const first = (...files: string[]) => files.map((f) => read(f)?.trim()).find((v) => v) ?? '';
  return {
    machineID: first('/etc/machine-id', '/var/lib/dbus/machine-id'),
    systemUUID: first('/sys/class/dmi/id/product_uuid'),
    bootID: first('/proc/sys/kernel/random/boot_id'),
  };
}

function readText(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** The node's resources by name, in the API's quantity notation (capacity = allocatable: nothing reserved). */
export function nodeResources(f: NodeFacts): Record<string, string> {
  const out: Record<string, string> = {
    cpu: String(f.cpus),
    'ephemeral-storage': `${Math.floor(f.ephemeralStorageBytes / 1024)}Ki`,
    memory: `${Math.floor(f.memoryBytes / 1024)}Ki`,
    pods: String(f.maxPods),
  };
  for (const [name, bytes] of Object.entries(f.hugepages)) out[name] = bytes % (1 << 20) === 0 ? `${bytes / (1 << 20)}Mi` : String(bytes);
  return out;
}

/** Huge page pools of this host from sysfs (hugepages-2048kB/nr_hugepages → hugepages-2Mi). */
export function readHugepages(root = '/sys/kernel/mm/hugepages'): Record<string, number> {
  const out: Record<string, number> = {};
  let dirs: string[] = [];
  try {
    dirs = fs.readdirSync(root);
  } catch {
    return out;
  }
  for (const d of dirs) {
    const m = /^hugepages-(\d+)kB$/.exec(d);
    if (!m) continue;
    const kb = Number(m[1]);
    const count = Number(fs.readFileSync(path.join(root, d, 'nr_hugepages'), 'utf8').trim()) || 0;
    const name = kb % (1 << 20) === 0 ? `hugepages-${kb >> 20}Gi` : `hugepages-${kb >> 10}Mi`;
    out[name] = count * kb * 1024;
  }
  return out;
}

/**
 * The pools pods may be given: a page size the host's hugetlb controller cannot limit is advertised as 0
 * (pods that ask for it are then rejected at admission, OutOfhugepages-<size>), since a pod there could
 * use the whole pool whatever it asked for. Returns the advertised pools and the names zeroed.
 */
export function limitableHugepages(pools: Record<string, number>, controllerSizes: readonly string[]): { pools: Record<string, number>; unlimited: string[] } {
  const out: Record<string, number> = {};
  const unlimited: string[] = [];
  for (const [name, bytes] of Object.entries(pools)) {
    const page = hugePageSizeOf(name);
    const ok = page !== undefined && controllerSizes.includes(hugePageUnitSize(page));
    out[name] = ok ? bytes : 0;
    if (!ok && bytes > 0) unlimited.push(name);
  }
  return { pools: out, unlimited };
}

/** The first non-internal IPv4 address of the host, else 127.0.0.1. */
export function detectNodeIP(): string {
  for (const addrs of Object.values(os.networkInterfaces())) {
    for (const a of addrs ?? []) {
      if (a.family === 'IPv4' && !a.internal) return a.address;
    }
  }
  return '127.0.0.1';
}

export function buildNode(f: NodeFacts, nowIso: string, previous?: Node): Node {
  const ready = previous?.status?.conditions?.find((c) => c.type === 'Ready');
  const transition = ready?.status === 'True' ? ready.lastTransitionTime ?? nowIso : nowIso;
  const pressure = (type: string, reason: string, message: string) => ({
    type,
    status: 'False' as const,
    lastHeartbeatTime: nowIso,
    lastTransitionTime: previous?.status?.conditions?.find((c) => c.type === type)?.lastTransitionTime ?? nowIso,
    reason,
    message,
  });
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      ...(previous?.metadata ?? {}),
      name: f.nodeName,
      labels: {
        ...(previous?.metadata.labels ?? {}),
        'kubernetes.io/hostname': f.nodeName,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        'beta.kubernetes.io/os': 'linux',
        'beta.kubernetes.io/arch': 'amd64',
      },
    },
    // taints and unschedulable (kubectl taint, cordon) are the user's: kept across heartbeats
    spec: { ...(previous?.spec ?? {}), podCIDR: f.podCidr, podCIDRs: [f.podCidr] },
    status: {
      capacity: nodeResources(f),
      allocatable: nodeResources(f),
      conditions: [
        pressure('MemoryPressure', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
        pressure('DiskPressure', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
        pressure('PIDPressure', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
        {
          type: 'Ready',
          status: 'True',
          lastHeartbeatTime: nowIso,
          lastTransitionTime: transition,
          reason: 'KubeletReady',
          message: 'kubelet is posting ready status',
        },
      ],
      addresses: [
        { type: 'InternalIP', address: f.nodeIP },
        { type: 'Hostname', address: f.nodeName },
      ],
      nodeInfo: {
        machineID: f.identity?.machineID ?? '',
        systemUUID: f.identity?.systemUUID ?? '',
        bootID: f.identity?.bootID ?? '',
        kernelVersion: f.kernelVersion,
        osImage: f.osImage,
        containerRuntimeVersion: f.runtimeVersion,
        kubeletVersion: f.kubeletVersion,
        kubeProxyVersion: '',
        operatingSystem: 'linux',
        architecture: 'amd64',
      },
    },
  };
}
