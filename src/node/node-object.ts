// The Node object this daemon registers for itself, as a kubelet does: capacity, addresses, node info
// and a Ready condition refreshed by a heartbeat. Pure builder; the daemon writes it to the store.

import os from 'node:os';
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
  const kib = Math.floor(f.memoryBytes / 1024);
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
    spec: { podCIDR: f.podCidr, podCIDRs: [f.podCidr] },
    status: {
      capacity: { cpu: String(f.cpus), memory: `${kib}Ki`, pods: String(f.maxPods), 'ephemeral-storage': '0' },
      allocatable: { cpu: String(f.cpus), memory: `${kib}Ki`, pods: String(f.maxPods), 'ephemeral-storage': '0' },
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
