// API defaulting (k8s.io/kubernetes pkg/apis/core/v1 defaults.go, plus what admission plugins and
// strategies add on create: ServiceAccount, Priority, DefaultTolerationSeconds, namespace finalizers), and
// the persistent storage kinds' SetDefaults_PersistentVolume/Claim and SetDefaults_StorageClass.
// applyDefaults mutates and is idempotent, so it is safe on create, update and patch results.

import type { Container, KubeObject, Pod, PodSpec, Probe, Volume } from '../k8s/types.js';
import { computeQosClass } from '../k8s/qos.js';
import { DEFAULT_SERVICE_ACCOUNT, DEFAULT_TOKEN_EXPIRATION_SECONDS } from '../k8s/service-accounts.js';
import { prepareLease } from './validation/lease.js';

type Json = Record<string, unknown>;

const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Sets `obj[key]` to `value` when it is absent, null or "" (Go's zero value). */
function setDefault(obj: Json, key: string, value: unknown): void {
  if (obj[key] === undefined || obj[key] === null || obj[key] === '') obj[key] = value;
}

/**
 * Always for `:latest` and untagged references, else IfNotPresent; a digest without a tag is
 * IfNotPresent (upstream uses the tag parsed from the reference).
 */
export function defaultPullPolicy(image: string): 'Always' | 'IfNotPresent' {
  const noDigest = image.split('@')[0];
  const hasDigest = noDigest !== image;
  const lastPart = noDigest.slice(noDigest.lastIndexOf('/') + 1);
  const colon = lastPart.lastIndexOf(':');
  const tag = colon >= 0 ? lastPart.slice(colon + 1) : hasDigest ? '' : 'latest';
  return tag === 'latest' ? 'Always' : 'IfNotPresent';
}

function defaultHandler(h: unknown): void {
  if (!isObj(h) || !isObj(h.httpGet)) return;
  setDefault(h.httpGet, 'path', '/');
  setDefault(h.httpGet, 'scheme', 'HTTP');
}

function defaultProbe(p: Probe | undefined): void {
  if (!isObj(p)) return;
  const probe = p as Json;
  setDefault(probe, 'timeoutSeconds', 1);
  setDefault(probe, 'periodSeconds', 10);
  setDefault(probe, 'successThreshold', 1);
  setDefault(probe, 'failureThreshold', 3);
  defaultHandler(probe);
}

/** Requests default to limits for every resource that has a limit and no request. */
function defaultResources(c: Json): void {
  if (!isObj(c.resources)) c.resources = {};
  const r = c.resources as Json;
  if (!isObj(r.limits)) return;
  const requests: Json = isObj(r.requests) ? r.requests : {};
  for (const [name, limit] of Object.entries(r.limits)) if (!(name in requests)) requests[name] = limit;
  r.requests = requests;
}

function defaultFieldRef(ref: unknown): void {
  if (isObj(ref)) setDefault(ref, 'apiVersion', 'v1');
}

function defaultContainer(raw: Container, hostNetwork: boolean, ephemeral: boolean): void {
  if (!isObj(raw)) return;
  const c = raw as unknown as Json;
  setDefault(c, 'imagePullPolicy', defaultPullPolicy(typeof c.image === 'string' ? c.image : ''));
  setDefault(c, 'terminationMessagePath', '/dev/termination-log');
  setDefault(c, 'terminationMessagePolicy', 'File');
  if (!ephemeral) defaultResources(c);
  for (const port of Array.isArray(c.ports) ? c.ports : []) {
    if (!isObj(port)) continue;
    setDefault(port, 'protocol', 'TCP');
    if (hostNetwork && !port.hostPort) port.hostPort = port.containerPort;
  }
  for (const env of Array.isArray(c.env) ? c.env : []) {
    if (!isObj(env) || !isObj(env.valueFrom)) continue;
    defaultFieldRef(env.valueFrom.fieldRef);
    if (isObj(env.valueFrom.resourceFieldRef)) setDefault(env.valueFrom.resourceFieldRef, 'divisor', '0');
  }
  defaultProbe(raw.livenessProbe);
  defaultProbe(raw.readinessProbe);
  defaultProbe(raw.startupProbe);
  if (isObj(c.lifecycle)) {
    defaultHandler(c.lifecycle.postStart);
    defaultHandler(c.lifecycle.preStop);
  }
}

function defaultVolume(v: Volume): void {
  if (!isObj(v)) return;
  const sources = Object.keys(v).filter((k) => k !== 'name' && v[k] !== undefined && v[k] !== null);
  if (sources.length === 0) v.emptyDir = {};
  if (isObj(v.configMap)) setDefault(v.configMap as unknown as Json, 'defaultMode', 420);
  if (isObj(v.secret)) setDefault(v.secret as unknown as Json, 'defaultMode', 420);
  if (isObj(v.hostPath)) setDefault(v.hostPath as unknown as Json, 'type', '');
  if (isObj(v.downwardAPI)) {
    setDefault(v.downwardAPI as unknown as Json, 'defaultMode', 420);
    for (const item of Array.isArray(v.downwardAPI.items) ? v.downwardAPI.items : []) {
      if (!isObj(item)) continue;
      defaultFieldRef(item.fieldRef);
      if (isObj(item.resourceFieldRef)) setDefault(item.resourceFieldRef as unknown as Json, 'divisor', '0');
    }
  }
  if (isObj(v.projected)) {
    setDefault(v.projected, 'defaultMode', 420);
    // SetDefaults_ServiceAccountTokenProjection: an hour.
    for (const src of Array.isArray(v.projected.sources) ? v.projected.sources : []) {
      if (isObj(src) && isObj(src.serviceAccountToken)) setDefault(src.serviceAccountToken as unknown as Json, 'expirationSeconds', DEFAULT_TOKEN_EXPIRATION_SECONDS);
    }
  }
}

/** Tolerations the DefaultTolerationSeconds admission plugin adds unless the pod has its own. */
const DEFAULT_TOLERATION_KEYS = ['node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable'];

function defaultTolerations(spec: PodSpec): void {
  const tolerations = Array.isArray(spec.tolerations) ? spec.tolerations : [];
  for (const key of DEFAULT_TOLERATION_KEYS) {
    const covered = tolerations.some(
      (t) => isObj(t) && (t.key === key || (!t.key && t.operator === 'Exists')) && (!t.effect || t.effect === 'NoExecute'),
    );
    if (!covered) tolerations.push({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 });
  }
  spec.tolerations = tolerations;
}

function defaultPod(pod: Pod): void {
  if (!isObj(pod.spec)) return;
  const spec = pod.spec;
  const s = spec as Json;
  setDefault(s, 'restartPolicy', 'Always');
  setDefault(s, 'dnsPolicy', 'ClusterFirst');
  setDefault(s, 'terminationGracePeriodSeconds', 30);
  setDefault(s, 'schedulerName', 'default-scheduler');
  // The v1 conversion: the deprecated serviceAccount stands in for an empty serviceAccountName and
  // always reads back as serviceAccountName.
  setDefault(s, 'serviceAccountName', typeof s.serviceAccount === 'string' && s.serviceAccount ? s.serviceAccount : DEFAULT_SERVICE_ACCOUNT);
  s.serviceAccount = s.serviceAccountName;
  setDefault(s, 'enableServiceLinks', true);
  if (!isObj(s.securityContext)) s.securityContext = {};
  setDefault(s, 'preemptionPolicy', 'PreemptLowerPriority');
  defaultTolerations(spec);
  const hostNetwork = spec.hostNetwork === true;
  for (const c of Array.isArray(spec.initContainers) ? spec.initContainers : []) defaultContainer(c, hostNetwork, false);
  for (const c of Array.isArray(spec.containers) ? spec.containers : []) defaultContainer(c, hostNetwork, false);
  for (const c of Array.isArray(spec.ephemeralContainers) ? spec.ephemeralContainers : []) defaultContainer(c, hostNetwork, true);
  for (const v of Array.isArray(spec.volumes) ? spec.volumes : []) defaultVolume(v);
  // PrepareForCreate: a new pod is Pending with its QoS class; both stay as they are once set.
  const status: Json = isObj(pod.status) ? (pod.status as Json) : {};
  setDefault(status, 'phase', 'Pending');
  if (Array.isArray(spec.containers)) setDefault(status, 'qosClass', computeQosClass(spec));
  pod.status = status;
}

/** stringData is write-only: each key overwrites data[key] as base64, then stringData is dropped. */
function defaultSecret(obj: KubeObject): void {
  if (isObj(obj.stringData)) {
    const data: Json = isObj(obj.data) ? obj.data : {};
    for (const [k, v] of Object.entries(obj.stringData)) data[k] = Buffer.from(String(v), 'utf8').toString('base64');
    obj.data = data;
  }
  delete obj.stringData;
  setDefault(obj, 'type', 'Opaque');
}

function defaultNamespace(obj: KubeObject): void {
  const spec: Json = isObj(obj.spec) ? obj.spec : {};
  if (!Array.isArray(spec.finalizers)) spec.finalizers = ['kubernetes'];
  obj.spec = spec;
  const status: Json = isObj(obj.status) ? obj.status : {};
  setDefault(status, 'phase', 'Active');
  obj.status = status;
}

/**
 * volumeAttributesClassName is dropped, as the API server does while the VolumeAttributesClass feature gate is
 * off (its 1.33 default): there is no VolumeAttributesClass API here to act on it.
 */
function dropVolumeAttributesClass(spec: Json): void {
  delete spec.volumeAttributesClassName;
}

/** SetDefaults_PersistentVolume (and SetDefaults_HostPathVolumeSource for its hostPath). */
function defaultPersistentVolume(obj: KubeObject): void {
  const spec: Json = isObj(obj.spec) ? obj.spec : {};
  setDefault(spec, 'persistentVolumeReclaimPolicy', 'Retain');
  if (spec.volumeMode === undefined || spec.volumeMode === null) spec.volumeMode = 'Filesystem';
  if (isObj(spec.hostPath)) setDefault(spec.hostPath, 'type', '');
  dropVolumeAttributesClass(spec);
  obj.spec = spec;
  const status: Json = isObj(obj.status) ? obj.status : {};
  setDefault(status, 'phase', 'Pending');
  obj.status = status;
}

/** SetDefaults_PersistentVolumeClaim and SetDefaults_PersistentVolumeClaimSpec. */
function defaultPersistentVolumeClaim(obj: KubeObject): void {
  const spec: Json = isObj(obj.spec) ? obj.spec : {};
  if (spec.volumeMode === undefined || spec.volumeMode === null) spec.volumeMode = 'Filesystem';
  dropVolumeAttributesClass(spec);
  obj.spec = spec;
  const status: Json = isObj(obj.status) ? obj.status : {};
  setDefault(status, 'phase', 'Pending');
  obj.status = status;
}

/** SetDefaults_StorageClass: both fields are pointers upstream, so only an absent value is defaulted. */
function defaultStorageClass(obj: KubeObject): void {
  if (obj.reclaimPolicy === undefined || obj.reclaimPolicy === null) obj.reclaimPolicy = 'Delete';
  if (obj.volumeBindingMode === undefined || obj.volumeBindingMode === null) obj.volumeBindingMode = 'Immediate';
}

/** Fills the defaults of `obj` (a `resource` such as "pods") in place. */
export function applyDefaults(resource: string, obj: KubeObject): void {
  if (!isObj(obj)) return;
  switch (resource) {
    case 'pods':
      defaultPod(obj as Pod);
      return;
    case 'secrets':
      defaultSecret(obj);
      return;
    case 'namespaces':
      defaultNamespace(obj);
      return;
    case 'persistentvolumes':
      defaultPersistentVolume(obj);
      return;
    case 'persistentvolumeclaims':
      defaultPersistentVolumeClaim(obj);
      return;
    case 'storageclasses':
      defaultStorageClass(obj);
      return;
    case 'leases':
      prepareLease(obj);
      return;
    default:
      return;
  }
}
