// Container environment, as the kubelet's makeEnvironmentVariables builds it (pure): envFrom first,
// then env in order (later names override earlier ones), each value $(VAR)-expanded against what is
// defined so far. The image's env is merged under it by mergeImageEnv. Missing non-optional
// ConfigMaps/Secrets/keys throw ContainerConfigError with the kubelet's wording.

import { ContainerConfigError } from '../errors.js';
import type { ConfigMap, Container, Pod, Secret } from '../k8s/types.js';
import { containerResourceValue } from '../k8s/resource-field.js';

/** Reads the objects env refers to (backed by the store in the daemon, by maps in tests). */
export interface ObjectLookup {
  configMap(namespace: string, name: string): ConfigMap | undefined;
  secret(namespace: string, name: string): Secret | undefined;
}

export interface EnvContext {
  pod: Pod;
  container: Container;
  lookup: ObjectLookup;
  nodeIP: string;
  /** The pod's IPs (the host's with hostNetwork); may be empty before the sandbox exists. */
  podIPs: string[];
  /** Node capacity, used by resourceFieldRef when the container sets no limit. */
  nodeCpuMilli: number;
  nodeMemoryBytes: number;
}

export interface EnvVarValue {
  key: string;
  value: string;
}

/** Classic env var name rule; keys from envFrom that fail it are skipped, as the kubelet does. */
const VALID_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

/**
 * Kubernetes $(VAR) expansion: `$$` → `$`, `$(NAME)` → its value, unknown or unclosed references stay
 * literal, any other `$x` is kept as is.
 */
export function expandVars(input: string, lookup: (name: string) => string | undefined): string {
  let out = '';
  let i = 0;
  while (i < input.length) {
    const ch = input[i];
    if (ch !== '$' || i + 1 >= input.length) {
      out += ch;
      i++;
      continue;
    }
    const next = input[i + 1];
    if (next === '$') {
      out += '$';
      i += 2;
    } else if (next === '(') {
      const close = input.indexOf(')', i + 2);
      if (close < 0) {
        out += '$(';
        i += 2;
        continue;
      }
      const name = input.slice(i + 2, close);
      out += lookup(name) ?? `$(${name})`;
      i = close + 1;
    } else {
      out += '$' + next;
      i += 2;
    }
  }
  return out;
}

const decodeSecret = (v: string) => Buffer.from(v, 'base64').toString('utf8');

function configMapData(ctx: EnvContext, name: string, optional?: boolean): Record<string, string> | undefined {
  const ns = ctx.pod.metadata.namespace ?? 'default';
  const cm = ctx.lookup.configMap(ns, name);
  if (!cm) {
    if (optional) return undefined;
    throw new ContainerConfigError(`configmap "${name}" not found`);
  }
  const data: Record<string, string> = { ...(cm.data ?? {}) };
  for (const [k, v] of Object.entries(cm.binaryData ?? {})) if (!(k in data)) data[k] = decodeSecret(v);
  return data;
}

function secretData(ctx: EnvContext, name: string, optional?: boolean): Record<string, string> | undefined {
  const ns = ctx.pod.metadata.namespace ?? 'default';
  const s = ctx.lookup.secret(ns, name);
  if (!s) {
    if (optional) return undefined;
    throw new ContainerConfigError(`secret "${name}" not found`);
  }
  const data: Record<string, string> = {};
  for (const [k, v] of Object.entries(s.data ?? {})) data[k] = decodeSecret(v);
  for (const [k, v] of Object.entries(s.stringData ?? {})) data[k] = v;
  return data;
}

/** fieldRef values the downward API offers to env. */
export function fieldRefValue(ctx: EnvContext, fieldPath: string): string {
  const { pod } = ctx;
  const m = /^metadata\.(labels|annotations)\['(.*)'\]$/.exec(fieldPath);
  if (m) return (m[1] === 'labels' ? pod.metadata.labels : pod.metadata.annotations)?.[m[2]] ?? '';
  switch (fieldPath) {
    case 'metadata.name':
      return pod.metadata.name ?? '';
    case 'metadata.namespace':
      return pod.metadata.namespace ?? '';
    case 'metadata.uid':
      return pod.metadata.uid ?? '';
    case 'spec.nodeName':
      return pod.spec.nodeName ?? '';
    case 'spec.serviceAccountName':
      return pod.spec.serviceAccountName ?? '';
    case 'status.hostIP':
      return ctx.nodeIP;
    case 'status.hostIPs':
      return ctx.nodeIP;
    case 'status.podIP':
      return ctx.podIPs[0] ?? '';
    case 'status.podIPs':
      return ctx.podIPs.join(',');
    default:
      throw new ContainerConfigError(`unsupported fieldPath: ${fieldPath}`);
  }
}

/** resourceFieldRef (k8s/resource-field.ts). */
export function resourceFieldValue(ctx: EnvContext, resource: string, containerName?: string, divisor?: string | number): string {
  const ref = { resource, ...(containerName ? { containerName } : {}), ...(divisor !== undefined ? { divisor } : {}) };
  return containerResourceValue(ctx.pod, ctx.container, ref, { cpuMilli: ctx.nodeCpuMilli, memoryBytes: ctx.nodeMemoryBytes });
}

function envFromEntries(ctx: EnvContext, env: Map<string, string>): void {
  for (const src of ctx.container.envFrom ?? []) {
    const data = src.configMapRef
      ? configMapData(ctx, src.configMapRef.name, src.configMapRef.optional)
      : src.secretRef
        ? secretData(ctx, src.secretRef.name, src.secretRef.optional)
        : undefined;
    if (!data) continue;
    for (const [k, v] of Object.entries(data)) {
      const key = (src.prefix ?? '') + k;
      if (VALID_NAME.test(key)) env.set(key, v);
    }
  }
}

function valueFrom(ctx: EnvContext, src: NonNullable<Container['env']>[number]['valueFrom']): string | undefined {
  const ns = ctx.pod.metadata.namespace ?? 'default';
  if (!src) return '';
  if (src.fieldRef) return fieldRefValue(ctx, src.fieldRef.fieldPath);
  if (src.resourceFieldRef) {
    const r = src.resourceFieldRef;
    return resourceFieldValue(ctx, r.resource, r.containerName, r.divisor);
  }
  if (src.configMapKeyRef) {
    const ref = src.configMapKeyRef;
    const data = configMapData(ctx, ref.name, ref.optional);
    if (!data) return undefined;
    if (!(ref.key in data)) {
      if (ref.optional) return undefined;
      throw new ContainerConfigError(`couldn't find key ${ref.key} in ConfigMap ${ns}/${ref.name}`);
    }
    return data[ref.key];
  }
  if (src.secretKeyRef) {
    const ref = src.secretKeyRef;
    const data = secretData(ctx, ref.name, ref.optional);
    if (!data) return undefined;
    if (!(ref.key in data)) {
      if (ref.optional) return undefined;
      throw new ContainerConfigError(`couldn't find key ${ref.key} in Secret ${ns}/${ref.name}`);
    }
    return data[ref.key];
  }
  return '';
}

/** The container's own environment (envFrom, then env), in definition order, without the image's. */
export function resolveEnv(ctx: EnvContext): EnvVarValue[] {
  const env = new Map<string, string>();
  envFromEntries(ctx, env);
  for (const e of ctx.container.env ?? []) {
    if (e.valueFrom) {
      const v = valueFrom(ctx, e.valueFrom);
      if (v !== undefined) env.set(e.name, v);
    } else {
      env.set(e.name, expandVars(e.value ?? '', (n) => env.get(n)));
    }
  }
  return [...env].map(([key, value]) => ({ key, value }));
}

/** Image env ("K=V" strings) first, overridden by name by the container's env. */
export function mergeImageEnv(imageEnv: string[], own: EnvVarValue[]): EnvVarValue[] {
  const out = new Map<string, string>();
  for (const kv of imageEnv) {
    const i = kv.indexOf('=');
    if (i > 0) out.set(kv.slice(0, i), kv.slice(i + 1));
    else if (kv) out.set(kv, '');
  }
  for (const e of own) {
    out.delete(e.key); // re-insert so the container's order wins for overridden names
    out.set(e.key, e.value);
  }
  return [...out].map(([key, value]) => ({ key, value }));
}
