// The parts of a Pod (core/v1) the pod view reads, and small pure helpers over them: which containers a pod
// has (init, regular, ephemeral) and their statuses (ages: pods-common.ts, the CLI's rule).
import type { KubeObject } from '../api.js';

export interface Probe {
  httpGet?: { path?: string; port?: number | string };
  tcpSocket?: { port?: number | string };
  exec?: { command?: string[] };
  grpc?: { port?: number };
  periodSeconds?: number;
}

export interface ContainerSpec {
  name: string;
  image?: string;
  restartPolicy?: string;
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  startupProbe?: Probe;
}

export interface ContainerState {
  waiting?: { reason?: string; message?: string };
  running?: { startedAt?: string };
  terminated?: { exitCode?: number; reason?: string; message?: string; finishedAt?: string };
}

export interface ContainerStatus {
  name: string;
  ready?: boolean;
  started?: boolean;
  restartCount?: number;
  state?: ContainerState;
  lastState?: ContainerState;
  image?: string;
}

export interface Pod extends KubeObject {
  metadata: KubeObject['metadata'] & { deletionTimestamp?: string; managedFields?: unknown };
  spec?: { nodeName?: string; initContainers?: ContainerSpec[]; containers?: ContainerSpec[]; ephemeralContainers?: ContainerSpec[] };
  status?: {
    phase?: string;
    reason?: string;
    message?: string;
    hostIP?: string;
    podIP?: string;
    podIPs?: { ip: string }[];
    initContainerStatuses?: ContainerStatus[];
    containerStatuses?: ContainerStatus[];
    ephemeralContainerStatuses?: ContainerStatus[];
  };
}

export type ContainerKind = 'init' | 'sidecar' | 'app' | 'ephemeral';

export interface PodContainer {
  name: string;
  kind: ContainerKind;
  spec: ContainerSpec;
  status?: ContainerStatus;
}

/** Every container of the pod in spec order: init ones (sidecars among them), regular, ephemeral. */
export function containersOf(pod: Pod | undefined): PodContainer[] {
  if (!pod) return [];
  const st = pod.status ?? {};
  const find = (list: ContainerStatus[] | undefined, name: string) => list?.find((s) => s.name === name);
  const out: PodContainer[] = [];
  for (const c of pod.spec?.initContainers ?? []) {
    const status = find(st.initContainerStatuses, c.name);
    out.push({ name: c.name, kind: c.restartPolicy === 'Always' ? 'sidecar' : 'init', spec: c, ...(status ? { status } : {}) });
  }
  for (const c of pod.spec?.containers ?? []) {
    const status = find(st.containerStatuses, c.name);
    out.push({ name: c.name, kind: 'app', spec: c, ...(status ? { status } : {}) });
  }
  for (const c of pod.spec?.ephemeralContainers ?? []) {
    const status = find(st.ephemeralContainerStatuses, c.name);
    out.push({ name: c.name, kind: 'ephemeral', spec: c, ...(status ? { status } : {}) });
  }
  return out;
}

/** "running", "waiting (ContainerCreating)", "terminated (Completed, exit 0)", or "unknown" without a status. */
export function stateText(state: ContainerState | undefined): string {
  if (!state) return 'unknown';
  if (state.running) return 'running';
  if (state.terminated) {
    const t = state.terminated;
    const bits = [t.reason, t.exitCode !== undefined ? `exit ${t.exitCode}` : undefined].filter(Boolean);
    return bits.length ? `terminated (${bits.join(', ')})` : 'terminated';
  }
  if (state.waiting) return state.waiting.reason ? `waiting (${state.waiting.reason})` : 'waiting';
  return 'unknown';
}

/** The pod's IPs as its status lists them (podIPs, else podIP). */
export function podIps(pod: Pod | undefined): string[] {
  const st = pod?.status;
  if (!st) return [];
  if (st.podIPs?.length) return st.podIPs.map((p) => p.ip);
  return st.podIP ? [st.podIP] : [];
}

export const podPath = (ns: string, name: string) => `/api/v1/namespaces/${encodeURIComponent(ns)}/pods/${encodeURIComponent(name)}`;
