// The metrics.k8s.io/v1beta1 objects as metrics-server serves them: PodMetrics and NodeMetrics (and their
// lists and Tables), from the usage the storage computed (rates.ts). Quantities are written as
// resource.Quantity writes them: CPU in nanocores (DecimalSI, scale -9: "1500u", "250m", "2"), memory in
// bytes (BinarySI: "5120Ki", "1234567"); the window as Go's time.Duration prints it ("15.004s"). Pure.

import { formatWholeQuantity } from '../k8s/quantity.js';
import type { NodeUsage, PodUsage, Usage } from './rates.js';

export const METRICS_GROUP = 'metrics.k8s.io';
export const METRICS_VERSION = 'v1beta1';
export const METRICS_API_VERSION = `${METRICS_GROUP}/${METRICS_VERSION}`;

const DECIMAL_SUFFIX: Record<number, string> = { [-9]: 'n', [-6]: 'u', [-3]: 'm', 0: '', 3: 'k', 6: 'M', 9: 'G', 12: 'T', 15: 'P', 18: 'E' };

/** value × 10^scale in Quantity's canonical DecimalSI form (trailing zeros folded into the suffix). */
export function formatDecimalQuantity(value: number, scale: number): string {
  if (value === 0) return '0';
  let v = BigInt(Math.trunc(value));
  let exp = scale;
  while (v % 10n === 0n) {
    v /= 10n;
    exp++;
  }
  while (((exp % 3) + 3) % 3 !== 0) {
    v *= 10n;
    exp--;
  }
  while (exp > 18) {
    v *= 1000n;
    exp -= 3;
  }
  return `${v}${DECIMAL_SUFFIX[exp]}`;
}

export const formatCpu = (nanoCores: number): string => formatDecimalQuantity(nanoCores, -9);

/** Bytes in BinarySI; below 1024 Quantity writes it as DecimalSI ("1k" for 1000). */
export const formatMemory = (bytes: number): string => (bytes < 1024 ? formatDecimalQuantity(bytes, 0) : formatWholeQuantity(bytes, '1Ki'));

/** Go's time.Duration.String for whole milliseconds: "0s", "850ms", "15.004s", "1m0.5s", "1h2m3s". */
export function goDuration(ms: number): string {
  if (ms === 0) return '0s';
  const sign = ms < 0 ? '-' : '';
  let rest = Math.abs(Math.round(ms));
  if (rest < 1000) return `${sign}${rest}ms`;
  const h = Math.floor(rest / 3_600_000);
  rest -= h * 3_600_000;
  const m = Math.floor(rest / 60_000);
  rest -= m * 60_000;
  const s = (rest / 1000).toFixed(3).replace(/\.?0+$/, '');
  return `${sign}${h ? `${h}h` : ''}${h || m ? `${m}m` : ''}${s}s`;
}

/** RFC 3339 to the second, as metav1.Time marshals. */
export const rfc3339 = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

function usageJson(u: Usage): { cpu: string; memory: string } {
  return { cpu: formatCpu(u.cpuNanoCores), memory: formatMemory(u.memoryBytes) };
}

/** What of a pod (or node) the metrics objects carry. */
export interface SubjectMeta {
  name?: string;
  namespace?: string;
  labels?: Record<string, string>;
}

function metadataOf(m: SubjectMeta, now: number): Record<string, unknown> {
  const out: Record<string, unknown> = { name: m.name ?? '' };
  if (m.namespace !== undefined) out.namespace = m.namespace;
  out.creationTimestamp = rfc3339(now);
  if (m.labels && Object.keys(m.labels).length) out.labels = m.labels;
  return out;
}

/**
 * A PodMetrics. `now` is its creationTimestamp (metrics-server stamps each object when served).
 * Containers come in `order` (the pod's spec order) where given, the others after them by name.
 */
export function podMetricsObject(pod: SubjectMeta, usage: PodUsage, now: number, order: string[] = []): Record<string, unknown> {
  const rank = (n: string) => {
    const i = order.indexOf(n);
    return i < 0 ? order.length : i;
  };
  const containers = [...usage.containers].sort((a, b) => rank(a.name) - rank(b.name) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return {
    kind: 'PodMetrics',
    apiVersion: METRICS_API_VERSION,
    metadata: metadataOf(pod, now),
    timestamp: rfc3339(usage.timestamp),
    window: goDuration(usage.windowMs),
    containers: containers.map((c) => ({ name: c.name, usage: usageJson(c.usage) })),
  };
}

export function nodeMetricsObject(node: SubjectMeta, usage: NodeUsage, now: number): Record<string, unknown> {
  return {
    kind: 'NodeMetrics',
    apiVersion: METRICS_API_VERSION,
    metadata: metadataOf(node, now),
    timestamp: rfc3339(usage.timestamp),
    window: goDuration(usage.windowMs),
    usage: usageJson(usage.usage),
  };
}

export function metricsList(kind: 'PodMetricsList' | 'NodeMetricsList', items: Record<string, unknown>[]): Record<string, unknown> {
  return { kind, apiVersion: METRICS_API_VERSION, metadata: {}, items };
}

/**
 * The Table metrics-server answers kubectl get with: Name, cpu, memory (each a sum over the pod's
 * containers) and Window. Rows carry the object as the request's includeObject asks (default its metadata).
 */
export function metricsTable(
  items: { object: Record<string, unknown>; usage: Usage[]; windowMs: number }[],
  version: 'v1' | 'v1beta1',
  includeObject: 'None' | 'Metadata' | 'Object',
): Record<string, unknown> {
  const columnDefinitions = [
    { name: 'Name', type: 'string', format: 'name', description: 'Name of the resource', priority: 0 },
    { name: 'cpu', type: 'string', format: 'quantity', description: '', priority: 0 },
    { name: 'memory', type: 'string', format: 'quantity', description: '', priority: 0 },
    { name: 'Window', type: 'string', format: 'duration', description: '', priority: 0 },
  ];
  const rows = items.map((it) => {
    const cpu = it.usage.reduce((s, u) => s + u.cpuNanoCores, 0);
    const memory = it.usage.reduce((s, u) => s + u.memoryBytes, 0);
    const meta = it.object.metadata as Record<string, unknown>;
    const row: Record<string, unknown> = { cells: [meta.name, formatCpu(cpu), formatMemory(memory), goDuration(it.windowMs)] };
    if (includeObject === 'Object') row.object = it.object;
    else if (includeObject === 'Metadata') row.object = { kind: 'PartialObjectMetadata', apiVersion: `meta.k8s.io/${version}`, metadata: meta };
    return row;
  });
  return { kind: 'Table', apiVersion: `meta.k8s.io/${version}`, metadata: {}, columnDefinitions: items.length ? columnDefinitions : null, rows };
}

/** The two resources of the group, as metrics-server lists them in discovery (no singular names). */
export const METRICS_RESOURCES = [
  { name: 'nodes', singularName: '', kind: 'NodeMetrics', namespaced: false, verbs: ['get', 'list'], versions: [METRICS_VERSION] },
  { name: 'pods', singularName: '', kind: 'PodMetrics', namespaced: true, verbs: ['get', 'list'], versions: [METRICS_VERSION] },
];
