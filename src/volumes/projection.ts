// Pure payload builders for the projected volume kinds (configMap, secret, downwardAPI, projected), following
// the kubelet's MakePayload: which keys become which files, with which modes, and which errors a
// missing object or key gives. The atomic writer puts the payload on disk.

import type {
  ConfigMap,
  ConfigMapVolumeSource,
  DownwardAPIVolumeSource,
  KeyToPath,
  Pod,
  ProjectedVolumeSource,
  Secret,
  SecretVolumeSource,
} from '../k8s/types.js';
import { ContainerConfigError } from '../errors.js';
import { DEFAULT_TOKEN_EXPIRATION_SECONDS, podServiceAccountName } from '../k8s/service-accounts.js';
import { containerResourceValue, type NodeResourceTotals } from '../k8s/resource-field.js';

/** One file of a projected volume: its bytes and permission bits. */
export interface FileProjection {
  data: Buffer;
  mode: number;
}

/** Relative path (may contain '/') → file. */
export type Payload = Map<string, FileProjection>;

/** The API's default for defaultMode (0644) on configMap, secret and downwardAPI volumes. */
export const DEFAULT_MODE = 0o644;

/**
 * A payload path must be relative, non-empty, free of '..' elements and must not start with '..'
 * (that prefix is reserved for the writer's own entries), as the kubelet's validatePath requires.
 */
export function validatePayloadPath(p: string): string | undefined {
  if (!p) return 'path must not be empty';
  if (p.length > 4096) return `path ${p} is too long`;
  if (p.startsWith('/')) return `path ${p} must be relative`;
  const parts = p.split('/');
  if (parts.some((x) => x === '..')) return `path ${p} must not contain '..'`;
  if (parts[0].startsWith('..')) return `path ${p} must not start with '..'`;
  return undefined;
}

function addItems(
  kind: 'configmap' | 'secret',
  values: Map<string, Buffer>,
  items: KeyToPath[] | undefined,
  defaultMode: number,
  optional: boolean,
): Payload {
  const payload: Payload = new Map();
  if (!items || items.length === 0) {
    for (const [key, data] of values) payload.set(key, { data, mode: defaultMode });
    return payload;
  }
  for (const item of items) {
    const data = values.get(item.key);
    if (data === undefined) {
      if (optional) continue;
      throw new ContainerConfigError(
        kind === 'configmap'
          ? `configmap references non-existent config key: ${item.key}`
          : `secret references non-existent secret key: ${item.key}`,
      );
    }
    payload.set(item.path, { data, mode: item.mode ?? defaultMode });
  }
  return payload;
}

function checkPaths(payload: Payload): Payload {
  for (const p of payload.keys()) {
    const bad = validatePayloadPath(p);
    if (bad) throw new ContainerConfigError(bad);
  }
  return payload;
}

/** ConfigMap volume payload; `cm` undefined means the object is absent. */
export function configMapPayload(src: ConfigMapVolumeSource, cm: ConfigMap | undefined): Payload {
  const optional = src.optional === true;
  if (!cm) {
    if (optional) return new Map();
    throw new ContainerConfigError(`configmap "${src.name}" not found`);
  }
  const values = new Map<string, Buffer>();
  for (const [k, v] of Object.entries(cm.data ?? {})) values.set(k, Buffer.from(v, 'utf8'));
  for (const [k, v] of Object.entries(cm.binaryData ?? {})) values.set(k, Buffer.from(v, 'base64'));
  return checkPaths(addItems('configmap', values, src.items, src.defaultMode ?? DEFAULT_MODE, optional));
}

/** Secret volume payload: values are base64 on the wire and decoded here. */
export function secretPayload(src: SecretVolumeSource, secret: Secret | undefined): Payload {
  const optional = src.optional === true;
  if (!secret) {
    if (optional) return new Map();
    throw new ContainerConfigError(`secret "${src.secretName}" not found`);
  }
  const values = new Map<string, Buffer>();
  for (const [k, v] of Object.entries(secret.data ?? {})) values.set(k, Buffer.from(v, 'base64'));
  // stringData is merged into data by the API on write; honour it if an object still carries it.
  for (const [k, v] of Object.entries(secret.stringData ?? {})) values.set(k, Buffer.from(v, 'utf8'));
  return checkPaths(addItems('secret', values, src.items, src.defaultMode ?? DEFAULT_MODE, optional));
}

/** The kubelet's map format for labels/annotations files: sorted `key="value"` lines (Go %q). */
export function formatMap(m: Record<string, string> | undefined): string {
  return Object.keys(m ?? {})
    .sort()
    .map((k) => `${k}=${JSON.stringify((m ?? {})[k])}\n`)
    .join('');
}

/** Resolves a downward API fieldRef path against the pod, as the kubelet's ExtractFieldPathAsString. */
export function podFieldValue(pod: Pod, fieldPath: string): string {
  const meta = pod.metadata;
  const sub = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(fieldPath);
  if (sub) return (sub[1] === 'labels' ? meta.labels : meta.annotations)?.[sub[2]] ?? '';
  switch (fieldPath) {
    case 'metadata.name':
      return meta.name ?? '';
    case 'metadata.namespace':
      return meta.namespace ?? '';
    case 'metadata.uid':
      return meta.uid ?? '';
    case 'metadata.labels':
      return formatMap(meta.labels);
    case 'metadata.annotations':
      return formatMap(meta.annotations);
    case 'spec.nodeName':
      return pod.spec.nodeName ?? '';
    case 'spec.serviceAccountName':
      return pod.spec.serviceAccountName ?? '';
    case 'status.hostIP':
      return pod.status?.hostIP ?? '';
    case 'status.podIP':
      return pod.status?.podIP ?? '';
    default:
      throw new ContainerConfigError(`unsupported fieldPath: ${fieldPath}`);
  }
}

/** downwardAPI volume payload: fieldRef items from the pod, resourceFieldRef items from a container's resources. */
export function downwardApiPayload(src: DownwardAPIVolumeSource, pod: Pod, node: NodeResourceTotals, defaultMode = src.defaultMode ?? DEFAULT_MODE): Payload {
  const payload: Payload = new Map();
  for (const item of src.items ?? []) {
    let value: string;
    if (item.fieldRef) value = podFieldValue(pod, item.fieldRef.fieldPath);
    else if (item.resourceFieldRef) value = containerResourceValue(pod, undefined, item.resourceFieldRef, node);
    else throw new ContainerConfigError(`downwardAPI item ${item.path}: one of fieldRef and resourceFieldRef must be set`);
    payload.set(item.path, { data: Buffer.from(value, 'utf8'), mode: item.mode ?? defaultMode });
  }
  return checkPaths(payload);
}

/** A projected serviceAccountToken source's request, as the kubelet makes it for the pod. */
export interface PodTokenRequest {
  serviceAccountName: string;
  /** [audience], or [] for the API's own. */
  audiences: string[];
  expirationSeconds: number;
  boundObjectRef: { apiVersion: 'v1'; kind: 'Pod'; name: string; uid: string };
}

/** Where the kubelet side gets the pod's tokens (the token manager), and forgets them with the pod. */
export interface PodTokenSource {
  token(namespace: string, req: PodTokenRequest): string;
  forgetPod(podUid: string): void;
}

/**
 * What a projected volume reads besides the pod: ConfigMaps and Secrets of its namespace, and tokens of
 * the pod's service account (the kubelet's token manager; throws when none can be had).
 */
export interface ProjectionLookup {
  configMap(name: string): ConfigMap | undefined;
  secret(name: string): Secret | undefined;
  serviceAccountToken?(req: PodTokenRequest): string;
}

/** The token request of a serviceAccountToken source (upstream's projected plugin). */
export function podTokenRequest(pod: Pod, src: { audience?: string; expirationSeconds?: number }): PodTokenRequest {
  return {
    serviceAccountName: podServiceAccountName(pod),
    audiences: src.audience ? [src.audience] : [],
    expirationSeconds: src.expirationSeconds ?? DEFAULT_TOKEN_EXPIRATION_SECONDS,
    boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: pod.metadata.name ?? '', uid: pod.metadata.uid ?? '' },
  };
}

/**
 * projected volume payload: its sources merged in order under one defaultMode (0644), as the
 * kubelet's projected plugin does. A serviceAccountToken source is a token bound to the pod, written
 * with the defaultMode, or 0600 when the pod has an fsGroup (whose ownership step then opens it to
 * the group). clusterTrustBundle (and podCertificate) need API kinds peapod does not serve: they fail
 * the mount with a message that says so.
 */
export function projectedPayload(src: ProjectedVolumeSource, pod: Pod, lookup: ProjectionLookup, node: NodeResourceTotals): Payload {
  const defaultMode = src.defaultMode ?? DEFAULT_MODE;
  const payload: Payload = new Map();
  const merge = (p: Payload) => {
    for (const [k, v] of p) payload.set(k, v);
  };
  for (const s of src.sources ?? []) {
    if (s.configMap) merge(configMapPayload({ ...s.configMap, defaultMode }, lookup.configMap(s.configMap.name)));
    else if (s.secret) merge(secretPayload({ secretName: s.secret.name, ...s.secret, defaultMode }, lookup.secret(s.secret.name)));
    else if (s.downwardAPI) merge(downwardApiPayload(s.downwardAPI, pod, node, defaultMode));
    else if (s.serviceAccountToken) {
      if (!lookup.serviceAccountToken) throw new ContainerConfigError('projected source serviceAccountToken: this node issues no service account tokens');
      const token = lookup.serviceAccountToken(podTokenRequest(pod, s.serviceAccountToken));
      const mode = pod.spec.securityContext?.fsGroup !== undefined ? 0o600 : defaultMode;
      payload.set(s.serviceAccountToken.path, { data: Buffer.from(token, 'utf8'), mode });
    } else {
      const kind = Object.keys(s)[0] ?? 'none';
      throw new ContainerConfigError(`projected source ${kind} is not supported by this node yet`);
    }
  }
  return checkPaths(payload);
}
