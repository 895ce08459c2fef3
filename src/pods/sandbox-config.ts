// Pod → the runtime's PodSandboxConfig, as the kubelet's generatePodSandboxConfig (pure), plus the
// host resolv.conf parser the manager uses once at start.

import { computeQosClass } from '../k8s/qos.js';
import type { Pod } from '../k8s/types.js';
import { quantityToBytes, quantityToMilli } from '../k8s/quantity.js';
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

/** Pod-level cgroup values: shares = sum of requests; quota and memory only when every container sets a limit. */
export function sandboxResourcesOf(pod: Pod): LinuxSandboxResources {
  const cs = pod.spec.containers;
  let cpuReq = 0;
  for (const c of cs) {
    const q = c.resources?.requests?.cpu ?? c.resources?.limits?.cpu;
    if (q !== undefined) cpuReq += quantityToMilli(q);
  }
  const out: LinuxSandboxResources = { cpuShares: cpuShares(cpuReq) };
  if (cs.every((c) => c.resources?.limits?.cpu !== undefined)) {
    const milli = cs.reduce((a, c) => a + quantityToMilli(c.resources!.limits!.cpu!), 0);
    out.cpuPeriod = 100000;
    out.cpuQuota = Math.max(1000, milli * 100);
  }
  if (cs.every((c) => c.resources?.limits?.memory !== undefined)) {
    out.memoryLimitBytes = cs.reduce((a, c) => a + quantityToBytes(c.resources!.limits!.memory!), 0);
  }
  return out;
}

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
