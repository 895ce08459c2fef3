// Small pure facts about a Pod spec that planning, status and sync all need.

import { createHash } from 'node:crypto';
import type { Container, ObjectReference, Pod } from '../k8s/types.js';
import type { ContainerStatus as RuntimeContainerStatus, PodSandboxStatus } from '../runtime/runtime.js';

export type RestartPolicy = 'Always' | 'OnFailure' | 'Never';

/**
 * init: an initContainer without restartPolicy; sidecar: an initContainer with restartPolicy Always.
 * Sidecars are treated as plain init containers for now (native sidecars are a later issue), but the
 * kind is kept so that they slot in.
 */
export type ContainerKind = 'init' | 'sidecar' | 'regular' | 'ephemeral';

export const ANNOTATION_RESTART_COUNT = 'io.kubernetes.container.restartCount';
export const ANNOTATION_HASH = 'io.kubernetes.container.hash';
export const ANNOTATION_TERMINATION_MESSAGE_PATH = 'io.kubernetes.container.terminationMessagePath';

/** What the pod manager observed in the runtime for one pod. */
export interface ObservedPod {
  /** This pod's sandboxes, newest first. */
  sandboxes: PodSandboxStatus[];
  /** Runtime records by container name (init and regular), newest first. */
  containers: Map<string, RuntimeContainerStatus[]>;
}

/** The kubelet's format.Pod: name_namespace(uid), as messages name a pod. */
export const podDescription = (pod: Pod) => `${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})`;

export function restartPolicyOf(pod: Pod): RestartPolicy {
  return pod.spec.restartPolicy ?? 'Always';
}

export function kindOf(c: Container, init: boolean): ContainerKind {
  if (!init) return 'regular';
  return c.restartPolicy === 'Always' ? 'sidecar' : 'init';
}

/** The event fieldPath of a container: spec.containers{c} or spec.initContainers{c}. */
export function fieldPathOf(pod: Pod, name: string): string {
  const init = (pod.spec.initContainers ?? []).some((c) => c.name === name);
  return init ? `spec.initContainers{${name}}` : `spec.containers{${name}}`;
}

/** The pod as events name it, and one of its containers by fieldPath when given. */
export function podReference(pod: Pod, container?: string): ObjectReference {
  const m = pod.metadata;
  const ref: ObjectReference = { kind: 'Pod', apiVersion: 'v1', namespace: m.namespace, name: m.name, uid: m.uid };
  return container ? { ...ref, fieldPath: fieldPathOf(pod, container) } : ref;
}

/** Where hooks and probes aim: the newest sandbox's IP, or the node's with hostNetwork; '' before any. */
export function podIPOf(pod: Pod, observed: ObservedPod, nodeIP: string): string {
  if (pod.spec.hostNetwork) return nodeIP;
  // The newest sandbox's only: while its network is still being attached an older one's (released) IP
  // may belong to another pod by now.
  return observed.sandboxes[0]?.ip ?? '';
}

/** The names of the pod's sidecars (initContainers with restartPolicy Always). */
export function sidecarNames(pod: Pod): Set<string> {
  return new Set((pod.spec.initContainers ?? []).filter((c) => c.restartPolicy === 'Always').map((c) => c.name));
}

/** The kubelet hashes only what may change in place: name and image. A change restarts the container. */
export function containerHash(c: Container): string {
  return createHash('sha256').update(JSON.stringify([c.name, c.image ?? ''])).digest('hex').slice(0, 8);
}

/** The image as the kubelet names it in messages: the spec's, with ":latest" added when untagged. */
export function imageWithDefaultTag(image: string): string {
  if (image.includes('@')) return image;
  const lastSlash = image.lastIndexOf('/');
  return image.slice(lastSlash + 1).includes(':') ? image : `${image}:latest`;
}

/** Default pull policy: Always for ":latest" or no tag, else IfNotPresent. */
export function pullPolicyOf(c: Container): 'Always' | 'IfNotPresent' | 'Never' {
  if (c.imagePullPolicy) return c.imagePullPolicy;
  const img = c.image ?? '';
  if (img.includes('@')) return 'IfNotPresent';
  return imageWithDefaultTag(img).endsWith(':latest') ? 'Always' : 'IfNotPresent';
}

/** Groups records by container name, newest first (createdAt, then attempt). */
export function groupByName(records: RuntimeContainerStatus[]): Map<string, RuntimeContainerStatus[]> {
  const out = new Map<string, RuntimeContainerStatus[]>();
  for (const r of records) {
    const list = out.get(r.metadata.name) ?? [];
    list.push(r);
    out.set(r.metadata.name, list);
  }
  for (const list of out.values()) {
    list.sort((a, b) => b.createdAt - a.createdAt || b.metadata.attempt - a.metadata.attempt);
  }
  return out;
}

export function newestRecord(obs: ObservedPod, name: string): RuntimeContainerStatus | undefined {
  return obs.containers.get(name)?.[0];
}

/**
 * The restart count the next instance of `name` gets: the newest record's count + 1, else 0.
 * TODO(pods): recover it from the highest <n>.log when no record survives (pod-lifecycle.md §3).
 */
export function nextAttempt(obs: ObservedPod, name: string): number {
  const r = newestRecord(obs, name);
  return r ? restartCountOf(r) + 1 : 0;
}

export function restartCountOf(r: RuntimeContainerStatus): number {
  const a = Number(r.annotations[ANNOTATION_RESTART_COUNT]);
  return Number.isFinite(a) ? a : r.metadata.attempt;
}

/** RFC3339 with 1 s precision, as the API shows times. */
export function rfc3339(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export const DEADLINE_MESSAGE = 'Pod was active on the node longer than the specified deadline';

/** When activeDeadlineSeconds runs out (unix ms), counted from status.startTime; undefined if unset. */
export function deadlineOf(pod: Pod): number | undefined {
  const secs = pod.spec.activeDeadlineSeconds;
  const start = pod.status?.startTime;
  if (!secs || !start) return undefined;
  return Date.parse(start) + secs * 1000;
}

export function pastDeadline(pod: Pod, now: number): boolean {
  const d = deadlineOf(pod);
  return d !== undefined && now >= d;
}
