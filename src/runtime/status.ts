// Pure conversions from records to the Runtime's status types, the exit reason rules and signal names.

import { constants } from 'node:os';
import type { ContainerRecord, SandboxRecord } from './state.js';
import type { ContainerFilter, ContainerStatus, PodSandboxFilter, PodSandboxStatus } from './runtime.js';

/** Kubernetes' reasons: OOMKilled when the kernel killed it for memory, Completed for 0, else Error. */
export function exitReason(code: number, oomKilled: boolean): string {
  if (oomKilled) return 'OOMKilled';
  return code === 0 ? 'Completed' : 'Error';
}

/** "SIGTERM", "TERM", "15", "sigrtmin+3" → the name runc accepts (numbers pass through). */
export function resolveSignal(sig: string | undefined): string {
  const s = (sig ?? '').trim().toUpperCase();
  if (s === '') return 'SIGTERM';
  if (/^\d+$/.test(s)) return s;
  const name = s.startsWith('SIG') ? s : `SIG${s}`;
  if (name in constants.signals) return name;
  const rt = /^SIGRTM(IN|AX)([+-]\d+)?$/.exec(name);
  if (rt) {
    const base = rt[1] === 'IN' ? 34 : 64;
    return String(base + Number(rt[2] ?? 0));
  }
  throw new Error(`unknown stop signal "${sig}"`);
}

export function toContainerStatus(r: ContainerRecord, imageRef: string): ContainerStatus {
  return {
    id: r.id,
    sandboxId: r.sandboxId,
    metadata: { ...r.config.metadata },
    state: r.state === 'creating' ? 'unknown' : r.state,
    createdAt: r.createdAt,
    startedAt: r.startedAt,
    finishedAt: r.finishedAt,
    exitCode: r.exitCode,
    reason: r.state === 'exited' ? r.reason : '',
    message: r.message,
    image: r.config.image,
    imageRef,
    labels: { ...r.config.labels },
    annotations: { ...r.config.annotations },
    logPath: r.logPath,
    pid: r.state === 'running' || r.state === 'created' ? r.pid : 0,
  };
}

export function toSandboxStatus(r: SandboxRecord): PodSandboxStatus {
  return {
    id: r.id,
    metadata: { ...r.config.metadata },
    state: r.state === 'ready' ? 'ready' : 'notready',
    createdAt: r.createdAt,
    ...(r.ip && !r.config.hostNetwork ? { ip: r.ip } : {}),
    additionalIps: [],
    pid: r.state === 'ready' ? (r.pausePid ?? 0) : 0,
    ...(r.netnsPath ? { netnsPath: r.netnsPath } : {}),
    hostNetwork: r.config.hostNetwork,
    labels: { ...r.config.labels },
    annotations: { ...r.config.annotations },
  };
}

export function matchLabels(labels: Record<string, string>, sel?: Record<string, string>): boolean {
  // A loop, not Object.entries(): every pod's sync matches each runtime record against its pod UID.
  if (sel) for (const k in sel) if (labels[k] !== sel[k]) return false;
  return true;
}

export function matchContainer(s: ContainerStatus, f?: ContainerFilter): boolean {
  if (!f) return true;
  return (
    (!f.id || s.id === f.id) &&
    (!f.sandboxId || s.sandboxId === f.sandboxId) &&
    (!f.state || s.state === f.state) &&
    matchLabels(s.labels, f.labelSelector)
  );
}

export function matchSandbox(s: PodSandboxStatus, f?: PodSandboxFilter): boolean {
  if (!f) return true;
  return (!f.id || s.id === f.id) && (!f.state || s.state === f.state) && matchLabels(s.labels, f.labelSelector);
}

/**
 * The process-start failure inside a `runc create` error (missing or non-executable binary, bad cwd), or
 * undefined for any other create failure. runc execs the process during create; containerd and the kubelet
 * report such failures when the container *starts* (RunContainerError, then StartError with exit 128).
 */
export function processStartFailure(createError: string): string | undefined {
  const quoted = /msg="((?:[^"\\]|\\.)*)"/.exec(createError);
  const text = quoted ? quoted[1]!.replace(/\\(.)/g, '$1') : createError;
  const m = /(runc create failed: )?unable to start container process: .*/.exec(text);
  return m ? m[0].trim() : undefined;
}
