// Static pods from manifest files (pure), as the kubelet's file source makes them (pod-lifecycle.md):
// one Pod per file, named <name>-<node>, bound to the node, defaulted and validated as the API would,
// its UID derived from the file (content, path and node), so the same file gives the same pod after a
// daemon restart, and a changed file gives a new one that replaces it.

import { createHash } from 'node:crypto';
import YAML from 'yaml';
import { KUBE_YAML } from '../../k8s/yaml-schema.js';
import { applyDefaults } from '../../api/defaults.js';
import { validateCreate } from '../../api/validation/index.js';
import type { Node, Pod } from '../../k8s/types.js';
import { stableJson } from '../../pods/worker-record.js';

export const ANNOTATION_CONFIG_HASH = 'kubernetes.io/config.hash';
export const ANNOTATION_CONFIG_SOURCE = 'kubernetes.io/config.source';
export const ANNOTATION_CONFIG_SEEN = 'kubernetes.io/config.seen';
export const ANNOTATION_CONFIG_MIRROR = 'kubernetes.io/config.mirror';

/** Files the kubelet reads from its staticPodPath: not hidden, YAML or JSON. */
export function isManifestFile(name: string): boolean {
  return !name.startsWith('.') && /\.(ya?ml|json)$/i.test(name);
}

export function isStaticPod(pod: Pod): boolean {
  return pod.metadata.annotations?.[ANNOTATION_CONFIG_SOURCE] === 'file';
}

export function isMirrorPod(pod: Pod): boolean {
  return !!pod.metadata.annotations?.[ANNOTATION_CONFIG_MIRROR];
}

/** The UID the node runs a pod under: a mirror pod's static pod's (its config hash), else its own. */
export function runtimeUidOf(pod: Pod): string {
  return pod.metadata.annotations?.[ANNOTATION_CONFIG_MIRROR] || pod.metadata.uid || '';
}

export type ManifestResult = { ok: true; pod: Pod } | { ok: false; error: string };

/**
 * The static pod a manifest file describes. `file` is its path (part of the UID), `seen` the time the
 * daemon first read it (RFC 3339).
 */
export function staticPodFromManifest(text: string, file: string, nodeName: string, seen: string): ManifestResult {
  let obj: unknown;
  try {
    const docs = YAML.parseAllDocuments(text, KUBE_YAML).filter((d) => d.contents !== null);
    if (docs.length !== 1) return { ok: false, error: `want exactly one object in the file, found ${docs.length}` };
    if (docs[0].errors.length) return { ok: false, error: docs[0].errors[0].message };
    obj = docs[0].toJS();
  } catch (err) {
    return { ok: false, error: (err as Error).message };
  }
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) return { ok: false, error: 'not an object' };
  const pod = obj as Pod;
  if (pod.kind !== 'Pod' || (pod.apiVersion ?? 'v1') !== 'v1') return { ok: false, error: `want a v1 Pod, found ${pod.apiVersion ?? '?'} ${pod.kind ?? '?'}` };
  if (!pod.metadata?.name) return { ok: false, error: 'metadata.name is required' };
  if (!pod.spec || typeof pod.spec !== 'object') return { ok: false, error: 'spec is required' };
  // The kubelet's applyDefaults for a file source: the node's name appended, the default namespace,
  // bound to this node, tolerating every NoExecute taint, and the config annotations.
  const m = pod.metadata;
  m.name = `${m.name}-${nodeName.toLowerCase()}`;
  m.namespace ||= 'default';
  pod.spec.nodeName = nodeName;
  const tolerations = pod.spec.tolerations ?? [];
  if (!tolerations.some((t) => t.operator === 'Exists' && !t.key && t.effect === 'NoExecute')) {
    pod.spec.tolerations = [...tolerations, { operator: 'Exists', effect: 'NoExecute' }];
  }
  delete (pod as { status?: unknown }).status;
  applyDefaults('pods', pod);
  const errors = validateCreate('pods', pod);
  if (errors.length) return { ok: false, error: errors.map((e) => `${e.field}: ${e.message}`).join('; ') };
  const uid = createHash('md5').update(stableJson(pod)).update(`host:${nodeName}`).update(`file:${file}`).digest('hex');
  m.uid = uid;
  m.creationTimestamp = seen;
  m.annotations = { ...(m.annotations ?? {}), [ANNOTATION_CONFIG_HASH]: uid, [ANNOTATION_CONFIG_SEEN]: seen, [ANNOTATION_CONFIG_SOURCE]: 'file' };
  pod.status = { phase: 'Pending' };
  return { ok: true, pod };
}

/** The mirror pod that shows a static pod through the API: owned by the Node, annotated with the pod's hash. */
export function mirrorPodOf(pod: Pod, node: Pick<Node, 'metadata'> | undefined): Pod {
  const { uid: _uid, resourceVersion: _rv, creationTimestamp: _ct, ...meta } = pod.metadata;
  const hash = pod.metadata.annotations?.[ANNOTATION_CONFIG_HASH] ?? '';
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      ...meta,
      annotations: { ...(meta.annotations ?? {}), [ANNOTATION_CONFIG_MIRROR]: hash },
      ...(node?.metadata.uid
        ? { ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: node.metadata.name ?? '', uid: node.metadata.uid, controller: true }] }
        : {}),
    },
    spec: structuredClone(pod.spec),
    status: structuredClone(pod.status ?? { phase: 'Pending' }),
  };
}

/** Whether a stored mirror pod reflects this static pod (the kubelet's IsMirrorPodOf): same name, same hash. */
export function isMirrorPodOf(mirror: Pod, pod: Pod): boolean {
  const [m, p] = [mirror.metadata, pod.metadata];
  return m.name === p.name && m.namespace === p.namespace && m.annotations?.[ANNOTATION_CONFIG_MIRROR] === p.annotations?.[ANNOTATION_CONFIG_HASH];
}
