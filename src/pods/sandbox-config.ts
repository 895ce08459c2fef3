// Pod → the runtime's PodSandboxConfig, as the kubelet's generatePodSandboxConfig (pure), plus the
// host resolv.conf parser the manager uses once at start.

import { computeQosClass } from '../k8s/qos.js';
import type { Pod } from '../k8s/types.js';
import { hugepageLimitsOf } from '../k8s/hugepages.js';
import { podLimitWhenAllSet, podLimits, podRequests } from '../k8s/pod-resources.js';
import { podLogDirectory, type NodePaths } from '../node/paths.js';
import {
  LABEL_POD_NAME,
  LABEL_POD_NAMESPACE,
  LABEL_POD_UID,
  type DNSConfig,
  type LinuxSandboxResources,
  type PodSandboxConfig,
  type PortMapping,
} from '../runtime/runtime.js';
import { cpuShares } from './translate.js';
import { podDescription } from './spec.js';

const MAX_DNS_SERVERS = 3;
const MAX_DNS_SEARCHES = 32;

/** Parses resolv.conf text: nameserver, search/domain and options lines. */
export function parseResolvConf(text: string): DNSConfig {
  const out: DNSConfig = { servers: [], searches: [], options: [] };
  for (const raw of text.split('\n')) {
    const line = raw.replace(/[#;].*$/, '').trim();
    const [key, ...rest] = line.split(/\s+/);
    if (key === 'nameserver' && rest[0]) out.servers.push(rest[0]);
    else if (key === 'search' || key === 'domain') out.searches = rest;
    else if (key === 'options') out.options.push(...rest);
  }
  return out;
}

/** The kubelet truncates hostnames to 63 chars and trims trailing '-' and '.'. */
export function podHostname(pod: Pod): string {
  const name = pod.spec.hostname || pod.metadata.name || '';
  if (name.length <= 63) return name;
  return name.slice(0, 63).replace(/[-.]+$/, '');
}

const uniq = (xs: string[]) => [...new Set(xs)];

/**
 * dnsPolicy: Default, and ClusterFirst(WithHostNet) since peapod has no cluster DNS, use the host's
 * resolv.conf; None uses dnsConfig only. dnsConfig is merged on top for every policy.
 */
/**
 * Whether the pod asks for the cluster's DNS, which this node does not have (no --cluster-dns): the
 * kubelet then falls back to the host's resolv.conf and says so (MissingClusterDNS).
 */
export function wantsClusterDns(pod: Pod): boolean {
  const policy = pod.spec.dnsPolicy ?? 'ClusterFirst';
  return policy === 'ClusterFirstWithHostNet' || (policy === 'ClusterFirst' && !pod.spec.hostNetwork);
}

export const missingClusterDnsMessage = (pod: Pod) =>
  `pod: "${podDescription(pod)}". kubelet does not have ClusterDNS IP configured and cannot create Pod using "ClusterFirst" policy. Falling back to "Default" policy.`;

export function podDns(pod: Pod, host: DNSConfig): DNSConfig {
  const base: DNSConfig = pod.spec.dnsPolicy === 'None' ? { servers: [], searches: [], options: [] } : host;
  const cfg = pod.spec.dnsConfig ?? {};
  const options = new Map<string, string>();
  for (const o of base.options) {
    const [k, v] = o.split(':', 2);
    options.set(k, v === undefined ? k : `${k}:${v}`);
  }
  for (const o of cfg.options ?? []) options.set(o.name, o.value !== undefined ? `${o.name}:${o.value}` : o.name);
  return {
    servers: uniq([...base.servers, ...(cfg.nameservers ?? [])]).slice(0, MAX_DNS_SERVERS),
    searches: uniq([...base.searches, ...(cfg.searches ?? [])]).slice(0, MAX_DNS_SEARCHES),
    options: [...options.values()],
  };
}

export function portMappingsOf(pod: Pod): PortMapping[] {
  if (pod.spec.hostNetwork) return [];
  const out: PortMapping[] = [];
  for (const c of pod.spec.containers) {
    for (const p of c.ports ?? []) {
      if (!p.hostPort) continue;
      out.push({ protocol: p.protocol ?? 'TCP', containerPort: p.containerPort, hostPort: p.hostPort, hostIP: p.hostIP ?? '' });
    }
  }
  return out;
}

/**
 * Pod-level cgroup values, as the kubelet's ResourceConfigForPod: shares from the pod's effective cpu
 * request (init containers and sidecars counted as they run, pod-resources.ts); for a Burstable pod a
 * cpu quota or memory limit only when every container, init containers included, sets that limit
 * (Guaranteed pods always have them); a BestEffort pod gets the minimum shares and nothing else. Huge
 * pages are limited to what the pod requests.
 */
export function sandboxResourcesOf(pod: Pod): LinuxSandboxResources {
  const qos = computeQosClass(pod.spec);
  const requests = podRequests(pod.spec);
  const hugepageLimits = hugepageLimitsOf(requests);
  const huge = hugepageLimits.length ? { hugepageLimits } : {};
  if (qos === 'BestEffort') return { cpuShares: cpuShares(0), ...huge };
  // A Guaranteed pod's containers all set both limits, so it always gets them.
  const limits = podLimits(pod.spec);
  const cpuLimit = podLimitWhenAllSet(pod.spec, 'cpu', limits);
  const memoryLimit = podLimitWhenAllSet(pod.spec, 'memory', limits);
  const out: LinuxSandboxResources = { cpuShares: cpuShares(requests.get('cpu') ?? 0), ...huge };
  if (cpuLimit !== undefined) {
    out.cpuPeriod = CPU_PERIOD_US;
    // The kubelet's MilliCPUToQuota: 0 (no quota) without a limit, else at least 1 ms per period.
    out.cpuQuota = cpuLimit === 0 ? 0 : Math.max(1000, (cpuLimit * CPU_PERIOD_US) / 1000);
  }
  if (memoryLimit !== undefined) out.memoryLimitBytes = memoryLimit;
  return out;
}

const CPU_PERIOD_US = 100000;

/** The pod cgroup's QoS level (none for Guaranteed), as the kubelet's cgroup parent. */
function qosLevelOf(pod: Pod): { qosLevel?: 'burstable' | 'besteffort' } {
  const qos = computeQosClass(pod.spec);
  return qos === 'Guaranteed' ? {} : { qosLevel: qos === 'Burstable' ? 'burstable' : 'besteffort' };
}

export function sandboxConfigOf(pod: Pod, attempt: number, paths: NodePaths, hostDns: DNSConfig): PodSandboxConfig {
  const m = pod.metadata;
  const name = m.name ?? '';
  const namespace = m.namespace ?? 'default';
  const uid = m.uid ?? '';
  const sysctls: Record<string, string> = {};
  for (const s of pod.spec.securityContext?.sysctls ?? []) sysctls[s.name] = s.value;
  return {
    metadata: { name, namespace, uid, attempt },
    hostname: podHostname(pod),
    logDirectory: podLogDirectory(paths, namespace, name, uid),
    dns: podDns(pod, hostDns),
    hostAliases: (pod.spec.hostAliases ?? []).map((h) => ({ ip: h.ip, hostnames: h.hostnames ?? [] })),
    portMappings: portMappingsOf(pod),
    labels: { ...(m.labels ?? {}), [LABEL_POD_NAME]: name, [LABEL_POD_NAMESPACE]: namespace, [LABEL_POD_UID]: uid },
    annotations: { ...(m.annotations ?? {}) },
    hostNetwork: pod.spec.hostNetwork ?? false,
    hostPID: pod.spec.hostPID ?? false,
    hostIPC: pod.spec.hostIPC ?? false,
    shareProcessNamespace: pod.spec.shareProcessNamespace ?? false,
    sysctls,
    resources: sandboxResourcesOf(pod),
    ...qosLevelOf(pod),
  };
}
