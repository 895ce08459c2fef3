// Pod + container + image config → the runtime's ContainerConfig, as the kubelet builds the CRI
// request (pure). Env comes resolved from env.ts; mounts from the injected ContainerMountsFn.

import path from 'node:path';
import { ContainerConfigError } from '../errors.js';
import type { Container, Pod } from '../k8s/types.js';
import type { QosClass } from '../k8s/qos.js';
import { hugepageLimitsOf } from '../k8s/hugepages.js';
import { amountsOf } from '../k8s/pod-resources.js';
import { quantityToBytes, quantityToMilli } from '../k8s/quantity.js';
import type { ImageConfig } from '../images/images.js';
import {
  LABEL_CONTAINER_NAME,
  LABEL_POD_NAME,
  LABEL_POD_NAMESPACE,
  LABEL_POD_UID,
  type ContainerConfig,
  type LinuxContainerResources,
  type LinuxContainerSecurity,
  type Mount,
  type SeccompProfile,
} from '../runtime/runtime.js';
import { expandVars, mergeImageEnv, type EnvVarValue } from './env.js';
import {
  ANNOTATION_HASH,
  ANNOTATION_RESTART_COUNT,
  ANNOTATION_TERMINATION_MESSAGE_PATH,
  containerHash,
  podDescription,
} from './spec.js';

export const DEFAULT_TERMINATION_MESSAGE_PATH = '/dev/termination-log';
export const ANNOTATION_TERMINATION_MESSAGE_POLICY = 'io.kubernetes.container.terminationMessagePolicy';

export interface TranslateInput {
  pod: Pod;
  container: Container;
  /** Restart count of the new instance (metadata.attempt, log file name). */
  attempt: number;
  imageConfig: ImageConfig;
  /** The container's own env from resolveEnv (image env is merged here). */
  env: EnvVarValue[];
  mounts: Mount[];
  qosClass: QosClass;
  nodeMemoryBytes: number;
  /** The node's seccomp profile root (NodePaths.seccompDir); Localhost profiles are relative to it. */
  seccompDir: string;
  /** The kubelet's --seccomp-default: RuntimeDefault for containers that name no profile. */
  seccompDefault?: boolean;
}

/** Kubernetes' command rules (node-runtime.md §5.4), then $(VAR) expansion of command and args. */
export function commandOf(c: Container, image: ImageConfig, env: EnvVarValue[]): string[] {
  const map = new Map(env.map((e) => [e.key, e.value]));
  const expand = (list: string[]) => list.map((s) => expandVars(s, (n) => map.get(n)));
  const command = c.command?.length ? expand(c.command) : undefined;
  const args = c.args?.length ? expand(c.args) : undefined;
  if (command) return [...command, ...(args ?? [])];
  return [...(image.entrypoint ?? []), ...(args ?? image.cmd ?? [])];
}

/** The kubelet's milliCPUToShares: max(2, milli·1024/1000), at most 262144. */
export function cpuShares(milli: number): number {
  return Math.min(262144, Math.max(2, Math.floor((milli * 1024) / 1000)));
}

/** oom_score_adj by QoS class (pod-lifecycle.md §12). */
export function oomScoreAdj(qos: QosClass, memoryRequestBytes: number, nodeMemoryBytes: number, pod: Pod): number {
  if (qos === 'Guaranteed' || pod.spec.priorityClassName === 'system-node-critical') return -997;
  if (qos === 'BestEffort') return 1000;
  const adj = 1000 - Math.floor((1000 * memoryRequestBytes) / Math.max(1, nodeMemoryBytes));
  return Math.min(999, Math.max(3, adj));
}

export function resourcesOf(input: TranslateInput): LinuxContainerResources {
  const { container: c, qosClass, nodeMemoryBytes, pod } = input;
  const lim = c.resources?.limits ?? {};
  const req = c.resources?.requests ?? {};
  const cpuReq = req.cpu ?? lim.cpu;
  const memReq = req.memory ?? lim.memory;
  const out: LinuxContainerResources = { cpuShares: cpuShares(cpuReq !== undefined ? quantityToMilli(cpuReq) : 0) };
  if (lim.cpu !== undefined) {
    out.cpuPeriod = 100000;
    out.cpuQuota = Math.max(1000, quantityToMilli(lim.cpu) * 100);
  }
  if (lim.memory !== undefined) out.memoryLimitBytes = quantityToBytes(lim.memory);
  out.oomScoreAdj = oomScoreAdj(qosClass, memReq !== undefined ? quantityToBytes(memReq) : 0, nodeMemoryBytes, pod);
  const hugepageLimits = hugepageLimitsOf(amountsOf(lim));
  if (hugepageLimits.length) out.hugepageLimits = hugepageLimits;
  return out;
}

/** The uid the image's User names, when numeric ("1000", "1000:1000"); undefined for names. */
function imageUid(user: string): number | undefined {
  const u = user.split(':')[0];
  if (u === '') return 0;
  return /^\d+$/.test(u) ? Number(u) : undefined;
}

export function securityOf(pod: Pod, c: Container, image: ImageConfig): LinuxContainerSecurity {
  const sc = c.securityContext ?? {};
  const psc = pod.spec.securityContext ?? {};
  const runAsUser = sc.runAsUser ?? psc.runAsUser;
  const runAsGroup = sc.runAsGroup ?? psc.runAsGroup;
  if (sc.runAsNonRoot ?? psc.runAsNonRoot) {
    const where = `(pod: "${podDescription(pod)}", container: ${c.name})`;
    const uid = runAsUser ?? imageUid(image.user ?? '');
    if (uid === undefined) {
      throw new ContainerConfigError(
        `container has runAsNonRoot and image has non-numeric user (${image.user}), cannot verify user is non-root ${where}`,
      );
    }
    if (uid === 0) throw new ContainerConfigError(`container has runAsNonRoot and image will run as root ${where}`);
  }
  const groups = [...(psc.supplementalGroups ?? [])];
  if (psc.fsGroup !== undefined && !groups.includes(psc.fsGroup)) groups.push(psc.fsGroup);
  const out: LinuxContainerSecurity = {
    privileged: sc.privileged ?? false,
    supplementalGroups: groups,
    readonlyRootfs: sc.readOnlyRootFilesystem ?? false,
    noNewPrivileges: sc.allowPrivilegeEscalation === false,
    capabilitiesAdd: sc.capabilities?.add ?? [],
    capabilitiesDrop: sc.capabilities?.drop ?? [],
  };
  if (runAsUser !== undefined) out.runAsUser = runAsUser;
  else if (image.user) out.imageUser = image.user;
  if (runAsGroup !== undefined) out.runAsGroup = runAsGroup;
  return out;
}

/**
 * The kubelet's getSeccompProfile: the container's seccompProfile, else the pod's; unset means the
 * node's default (RuntimeDefault with `serve --seccomp-default`, as the kubelet's flag, else none) and
 * Unconfined means none. Localhost names a file under seccompDir. Privileged containers keep what they
 * asked for here: the runtime ignores it, as CRI-O does.
 */
export function seccompOf(pod: Pod, c: Container, seccompDir: string, seccompDefault = false): SeccompProfile | undefined {
  const sp = c.securityContext?.seccompProfile ?? pod.spec.securityContext?.seccompProfile ?? (seccompDefault ? { type: 'RuntimeDefault' } : undefined);
  if (sp?.type === 'RuntimeDefault') return { type: 'RuntimeDefault' };
  if (sp?.type !== 'Localhost') return undefined;
  if (!sp.localhostProfile) throw new ContainerConfigError('localhostProfile must be set if seccompProfile type is Localhost.');
  // API validation keeps it relative and free of "..": checked again, since the file is read as root.
  const root = path.resolve(seccompDir);
  const localhostRef = path.resolve(root, sp.localhostProfile);
  if (!localhostRef.startsWith(`${root}${path.sep}`)) {
    throw new ContainerConfigError(`seccomp localhostProfile "${sp.localhostProfile}" is outside the node's seccomp directory ${root}`);
  }
  return { type: 'Localhost', localhostRef };
}

const seccompField = (p: SeccompProfile | undefined) => (p ? { seccompProfile: p } : {});

/** "TERM" / "SIGTERM" / "15" → "SIGTERM" style; the image's STOPSIGNAL, else SIGTERM. */
export function stopSignalOf(image: ImageConfig): string {
  const s = (image.stopSignal ?? '').trim();
  if (!s) return 'SIGTERM';
  if (/^\d+$/.test(s)) return s;
  return s.toUpperCase().startsWith('SIG') ? s.toUpperCase() : `SIG${s.toUpperCase()}`;
}

export function containerConfigOf(input: TranslateInput): ContainerConfig {
  const { pod, container: c, attempt, imageConfig: image } = input;
  const envs = mergeImageEnv(image.env ?? [], input.env);
  return {
    metadata: { name: c.name, attempt },
    image: c.image ?? '',
    args: commandOf(c, image, input.env),
    envs,
    workingDir: c.workingDir || image.workingDir || '/',
    mounts: input.mounts,
    logPath: `${c.name}/${attempt}.log`,
    stdin: c.stdin ?? false,
    stdinOnce: c.stdinOnce ?? false,
    tty: c.tty ?? false,
    labels: {
      [LABEL_POD_NAME]: pod.metadata.name ?? '',
      [LABEL_POD_NAMESPACE]: pod.metadata.namespace ?? '',
      [LABEL_POD_UID]: pod.metadata.uid ?? '',
      [LABEL_CONTAINER_NAME]: c.name,
    },
    annotations: {
      [ANNOTATION_RESTART_COUNT]: String(attempt),
      [ANNOTATION_HASH]: containerHash(c),
      [ANNOTATION_TERMINATION_MESSAGE_PATH]: c.terminationMessagePath || DEFAULT_TERMINATION_MESSAGE_PATH,
      [ANNOTATION_TERMINATION_MESSAGE_POLICY]: c.terminationMessagePolicy || 'File',
    },
    security: { ...securityOf(pod, c, image), ...seccompField(seccompOf(pod, c, input.seccompDir, input.seccompDefault)) },
    resources: resourcesOf(input),
    stopSignal: stopSignalOf(image),
    terminationMessagePath: c.terminationMessagePath || DEFAULT_TERMINATION_MESSAGE_PATH,
  };
}
