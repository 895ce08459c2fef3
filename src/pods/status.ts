// computePodStatus: Pod (spec, old status) + observed runtime records + cached start errors + now →
// the PodStatus the kubelet would write. Pure. pod-lifecycle.md §1–§3.

import type {
  Container,
  ContainerState,
  ContainerStatus,
  Pod,
  PodCondition,
  PodPhase,
  PodStatus,
} from '../k8s/types.js';
import type { ContainerStatus as Rec } from '../runtime/runtime.js';
import { shouldStart } from './actions.js';
import { NO_PROBES, type ProbeView } from './probes/manager.js';
import { capPodMessages } from './termination-message.js';
import { DEADLINE_MESSAGE, pastDeadline, restartCountOf, restartPolicyOf, rfc3339, sidecarNames, type ObservedPod } from './spec.js';

/** A start attempt's failure, kept until a start succeeds (the kubelet's reasonCache). */
export interface StartError {
  reason: string;
  message: string;
}

/** An image as resolved on this node: the normalised reference and its imageID. */
export interface ResolvedImage {
  image: string;
  imageID: string;
}

export interface StatusInput {
  pod: Pod;
  observed: ObservedPod;
  /** By container name. */
  startErrors: ReadonlyMap<string, StartError>;
  /** By the spec's image string. */
  images: ReadonlyMap<string, ResolvedImage>;
  nodeIP: string;
  qosClass: NonNullable<PodStatus['qosClass']>;
  now: number;
  /** Termination messages read from logs (FallbackToLogsOnError), by record id. */
  logMessages?: ReadonlyMap<string, string>;
  /** Probe results: started and ready (default: no probes, so running = started = ready). */
  probes?: ProbeView;
}

export const RUNTIME_ID_PREFIX = 'runc://';

/** The condition types the pod manager writes; others (readiness gates, DisruptionTarget) are kept. */
export const OWN_CONDITIONS = ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled'];

function terminatedOf(r: Rec, logMessages?: ReadonlyMap<string, string>): ContainerState {
  const reason = r.reason || (r.exitCode === 0 ? 'Completed' : 'Error');
  const message = r.message || logMessages?.get(r.id);
  return {
    terminated: {
      exitCode: r.exitCode,
      reason,
      ...(message ? { message } : {}),
      startedAt: r.startedAt ? rfc3339(r.startedAt) : null,
      finishedAt: r.finishedAt ? rfc3339(r.finishedAt) : null,
      containerID: RUNTIME_ID_PREFIX + r.id,
    },
  };
}

const vanished = (): ContainerState => ({
  terminated: {
    exitCode: 137,
    reason: 'ContainerStatusUnknown',
    message: 'The container could not be located when the pod was terminated',
    startedAt: null,
    finishedAt: null,
  },
});

function stateOf(r: Rec, logMessages?: ReadonlyMap<string, string>): ContainerState {
  switch (r.state) {
    case 'running':
      return { running: { startedAt: rfc3339(r.startedAt) } };
    case 'created':
      return { waiting: {} };
    case 'exited':
      return terminatedOf(r, logMessages);
    default:
      return vanished();
  }
}

function containerStatusOf(input: StatusInput, c: Container, init: boolean, old?: ContainerStatus, ephemeral = false): ContainerStatus {
  const { pod, observed } = input;
  const [cur, prev] = observed.containers.get(c.name) ?? [];
  const resolved = input.images.get(c.image ?? '');
  const hasInit = (pod.spec.initContainers ?? []).length > 0;
  let state: ContainerState;
  let lastState: ContainerState = prev?.state === 'exited' ? terminatedOf(prev, input.logMessages) : {};
  if (cur) state = stateOf(cur, input.logMessages);
  else if (old?.state.running) state = vanished();
  else state = { waiting: { reason: hasInit ? 'PodInitializing' : 'ContainerCreating' } };
  const sidecar = init && c.restartPolicy === 'Always';
  const err = input.startErrors.get(c.name);
  if (err && (ephemeral ? !cur : shouldStart(pod, cur, sidecar))) {
    if (state.terminated) lastState = state;
    state = { waiting: { reason: err.reason, ...(err.message ? { message: err.message } : {}) } };
  }
  const running = !!state.running;
  const probes = input.probes ?? NO_PROBES;
  const started = running && !!cur && probes.started(cur.id, c);
  // An ephemeral container is never ready: it has no probes, and the pod's readiness ignores it.
  const ready = ephemeral ? false : init && !sidecar ? state.terminated?.exitCode === 0 : started && probes.ready(cur.id, c);
  const status: ContainerStatus = {
    name: c.name,
    state,
    lastState,
    ready,
    restartCount: cur ? restartCountOf(cur) : old?.restartCount ?? 0,
    image: resolved?.image ?? c.image ?? '',
    imageID: cur ? resolved?.imageID || cur.imageRef : '',
    started,
  };
  if (cur) status.containerID = RUNTIME_ID_PREFIX + cur.id;
  return status;
}

const hasStarted = (s: ContainerStatus) => !!(s.state.running || s.state.terminated || s.lastState.terminated);

/** §1: the phase from the API container statuses (inits in spec order, regular by name). */
export function computePhase(pod: Pod, inits: ContainerStatus[], regular: ContainerStatus[]): PodPhase {
  const sidecars = sidecarNames(pod);
  let pendInit = 0;
  let failInit = 0;
  let running = 0, stopped = 0, succeeded = 0, waiting = 0;
  for (const s of inits) {
    if (sidecars.has(s.name)) {
      // A sidecar counts as running; exited ones are ignored (they never decide the phase).
      if (s.state.running) {
        running++;
        if (!s.started) pendInit++;
      } else if (s.state.waiting && !s.lastState.terminated) pendInit++;
      continue;
    }
    const t = s.state.terminated ?? (s.state.waiting ? s.lastState.terminated : undefined);
    if (s.state.running || (!s.state.terminated && !s.lastState.terminated)) pendInit++;
    else if (t && t.exitCode !== 0) failInit++;
  }
  for (const s of regular) {
    if (s.state.running) running++;
    else if (s.state.terminated) {
      stopped++;
      if (s.state.terminated.exitCode === 0) succeeded++;
    } else if (s.lastState.terminated) stopped++;
    else waiting++;
  }
  const unknown = pod.spec.containers.length - regular.length;
  const rp = restartPolicyOf(pod);
  if (failInit > 0 && rp === 'Never') return 'Failed';
  if (pendInit > 0 && !regular.some(hasStarted)) return 'Pending';
  if (waiting > 0) return 'Pending';
  if (running > 0 && unknown === 0) return 'Running';
  if (stopped > 0 && unknown === 0) {
    if (pod.metadata.deletionTimestamp) return stopped === succeeded ? 'Succeeded' : 'Failed';
    if (rp === 'Always') return 'Running';
    if (stopped === succeeded) return 'Succeeded';
    return rp === 'Never' ? 'Failed' : 'Running';
  }
  return 'Pending';
}

function condition(
  old: PodCondition[],
  type: string,
  ok: boolean,
  now: number,
  reason?: string,
  message?: string,
): PodCondition {
  const status = ok ? 'True' : 'False';
  const prev = old.find((c) => c.type === type);
  const lastTransitionTime = prev && prev.status === status && prev.lastTransitionTime ? prev.lastTransitionTime : rfc3339(now);
  return {
    type,
    status,
    lastProbeTime: null,
    lastTransitionTime,
    ...(reason ? { reason } : {}),
    ...(message ? { message } : {}),
  };
}

const names = (list: ContainerStatus[]) => `[${list.map((s) => s.name).join(' ')}]`;

function readinessGateProblem(pod: Pod, old: PodCondition[]): string | undefined {
  for (const g of pod.spec.readinessGates ?? []) {
    const c = old.find((x) => x.type === g.conditionType);
    if (!c) return `corresponding condition of pod readiness gate "${g.conditionType}" does not exist.`;
    if (c.status !== 'True') return `the status of pod readiness gate "${g.conditionType}" is not "True", but ${c.status}`;
  }
  return undefined;
}

function conditionsOf(input: StatusInput, phase: PodPhase, inits: ContainerStatus[], regular: ContainerStatus[]): PodCondition[] {
  const { pod, observed, now } = input;
  const old = pod.status?.conditions ?? [];
  const sb = observed.sandboxes[0];
  // As the kubelet: a ready sandbox whose network is attached (an IP, unless the pod uses the host's).
  const started = sb?.state === 'ready' && (pod.spec.hostNetwork || !!sb.ip);
  const out: PodCondition[] = [condition(old, 'PodReadyToStartContainers', started, now)];

  const sidecars = sidecarNames(pod);
  // A sidecar is done initializing once started; an init container once it exited 0.
  const incomplete = inits.filter((s) => (sidecars.has(s.name) ? !s.started : !s.ready));
  if (phase === 'Succeeded') out.push(condition(old, 'Initialized', true, now, 'PodCompleted'));
  else if (incomplete.length === 0 || regular.some(hasStarted)) out.push(condition(old, 'Initialized', true, now));
  else out.push(condition(old, 'Initialized', false, now, 'ContainersNotInitialized', `containers with incomplete status: ${names(incomplete)}`));

  let containersReady: PodCondition;
  if (phase === 'Succeeded' || phase === 'Failed') {
    const reason = phase === 'Succeeded' ? 'PodCompleted' : 'PodFailed';
    containersReady = condition(old, 'ContainersReady', false, now, reason);
  } else {
    // Sidecars, then regular containers, each in spec order (the kubelet's order).
    const bySpec = pod.spec.containers.map((c) => regular.find((s) => s.name === c.name)).filter((s): s is ContainerStatus => !!s);
    const unready = [...inits.filter((s) => sidecars.has(s.name)), ...bySpec].filter((s) => !s.ready);
    const message = unready.length ? `containers with unready status: ${names(unready)}` : undefined;
    containersReady = condition(old, 'ContainersReady', !unready.length, now, message && 'ContainersNotReady', message);
  }
  const gate = containersReady.status === 'True' ? readinessGateProblem(pod, old) : undefined;
  const ready = gate
    ? condition(old, 'Ready', false, now, 'ReadinessGatesNotReady', gate)
    : condition(old, 'Ready', containersReady.status === 'True', now, containersReady.reason, containersReady.message);
  out.push(ready, containersReady);
  const scheduled = old.find((c) => c.type === 'PodScheduled');
  out.push(scheduled?.status === 'True' ? scheduled : condition(old, 'PodScheduled', true, now));
  return [...out, ...old.filter((c) => !OWN_CONDITIONS.includes(c.type))];
}

function ipsOf(input: StatusInput): string[] {
  const { pod, observed, nodeIP } = input;
  if (pod.spec.hostNetwork) return [nodeIP];
  // The newest sandbox's; while it has none yet (its network is being attached), the pod keeps the IPs
  // it showed, as the kubelet's cache keeps them: never an older sandbox's, released meanwhile.
  const sb = observed.sandboxes[0];
  if (sb?.ip) return [sb.ip, ...sb.additionalIps];
  return (pod.status?.podIPs ?? []).map((x) => x.ip);
}

/** The pod's termination messages share 12 KiB (termination-message.ts). */
function capMessages(statuses: ContainerStatus[]): void {
  const slots = statuses.flatMap((s) => [s.state.terminated, s.lastState.terminated]).filter((t) => t?.message);
  const capped = capPodMessages(slots.map((t) => t!.message!));
  slots.forEach((t, i) => (t!.message = capped[i]));
}

export function computePodStatus(input: StatusInput): PodStatus {
  const { pod, nodeIP, now } = input;
  const old = pod.status ?? {};
  const oldOf = (list: ContainerStatus[] | undefined, name: string) => list?.find((s) => s.name === name);
  const inits = (pod.spec.initContainers ?? []).map((c) =>
    containerStatusOf(input, c, true, oldOf(old.initContainerStatuses, c.name)),
  );
  const regular = pod.spec.containers
    .map((c) => containerStatusOf(input, c, false, oldOf(old.containerStatuses, c.name)))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  capMessages([...inits, ...regular]);
  const terminal = old.phase === 'Succeeded' || old.phase === 'Failed';
  const deadline = !terminal && pastDeadline(pod, now);
  const phase = terminal ? old.phase! : deadline ? 'Failed' : computePhase(pod, inits, regular);
  const keep = old.phase === phase;
  const reason = deadline ? 'DeadlineExceeded' : keep ? old.reason : undefined;
  const message = deadline ? DEADLINE_MESSAGE : keep ? old.message : undefined;
  const ips = ipsOf(input);
  const status: PodStatus = {
    phase,
    conditions: conditionsOf(input, phase, inits, regular),
    ...(reason ? { reason } : {}),
    ...(message ? { message } : {}),
    hostIP: nodeIP,
    hostIPs: [{ ip: nodeIP }],
    ...(ips.length ? { podIP: ips[0], podIPs: ips.map((ip) => ({ ip })) } : {}),
    startTime: old.startTime ?? rfc3339(now),
    ...(inits.length ? { initContainerStatuses: inits } : {}),
    containerStatuses: regular,
    qosClass: input.qosClass,
  };
  const ephemeral = (pod.spec.ephemeralContainers ?? []).map((c) =>
    containerStatusOf(input, c, false, oldOf(old.ephemeralContainerStatuses, c.name), true),
  );
  if (ephemeral.length) status.ephemeralContainerStatuses = ephemeral;
  return status;
}
