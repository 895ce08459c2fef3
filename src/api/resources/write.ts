// create (POST), update (PUT) and patch (PATCH) for every resource, and their /status variants.
// Order as upstream: decode → kind/namespace checks → unknown fields → defaults → validation →
// admission (pods) → store. Main-resource writes keep the stored status; /status writes keep the rest.

import { BadRequestError, ConflictError, InvalidError, NotFoundError } from '../../errors.js';
import type { ApiResource } from '../../k8s/registry.js';
import type { KubeObject, Node, Pod } from '../../k8s/types.js';
import { applyDefaults } from '../defaults.js';
import { applyPatch } from '../patch.js';
import { validateCreate, validateEphemeralContainersUpdate, validateStatusUpdate } from '../validation/index.js';
import { HttpStatusError, unsupportedMediaType } from '../api-errors.js';
import type { ApiDeps } from '../deps.js';
import { contentType, decodeBody, readBody, readObject, sendJson, type RequestContext } from '../http.js';
import type { ResourceRoute } from '../route.js';
import {
  applyUrlNamespace,
  checkNamespaceWritable,
  checkUnknownFields,
  conflictMessage,
  isDryRun,
  sameObject,
  stripServerFields,
  writeTarget,
} from './common.js';
import { createCauses, decodeObject, patchInVersion, servedReply, servedResource, updateCauses as causesOfUpdate } from './served.js';
import { applyConfiguration, trackUpdate, type ApplyRequest } from '../apply/field-manager.js';
import { admissionFields } from '../apply/endpoint-fields.js';
import { fieldManagerFor, forceOf } from '../apply/manager-name.js';
import { checkDuplicateFields } from '../apply/strict.js';
import { admitNewPod, admitPod } from './pod-admission.js';
import { admitServiceAccount } from '../../serviceaccounts/admission.js';
import { forbidden as forbiddenField } from '../validation/field.js';
import { recordPlacement } from '../../scheduler/scheduler.js';
import { volumePlacement } from '../../scheduler/volume-binding.js';
import type { PersistentVolumeClaim } from '../../k8s/storage-types.js';
import type { FieldCause } from '../../errors.js';
import { admitClaimUpdate, admitNewClaim, admitNewStorageObject, prepareStorageStatusOnCreate, prepareStorageStatusUpdate } from './storage-admission.js';
import type { PlacementOutcome } from '../../scheduler/predicates.js';

/** Kinds whose status is owned by the system; main-resource writes cannot change it. */
const HAS_STATUS = new Set(['pods', 'namespaces', 'nodes', 'persistentvolumes', 'persistentvolumeclaims']);

function invalid(resource: ApiResource, name: string | undefined, causes: ReturnType<typeof validateCreate>): void {
  if (causes.length) throw new InvalidError({ resource: resource.resource, kind: resource.kind, name, ...(resource.group ? { group: resource.group } : {}) }, causes);
}

/** Secrets: stringData is write-only and merges into data (base64); type defaults to Opaque. */
function normalizeSecret(resource: ApiResource, obj: KubeObject): void {
  if (resource.resource !== 'secrets') return;
  const sd = obj.stringData as Record<string, string> | undefined;
  if (sd && typeof sd === 'object') {
    const data = { ...((obj.data as Record<string, string>) ?? {}) };
    for (const [k, v] of Object.entries(sd)) data[k] = Buffer.from(String(v)).toString('base64');
    obj.data = data;
  }
  delete obj.stringData;
  if (!obj.type) obj.type = 'Opaque';
}

/** As upstream's namespace defaults: the metadata.name label (set before the field manager runs). */
function labelNamespace(obj: KubeObject): void {
  if (obj.metadata.name) obj.metadata.labels = { ...(obj.metadata.labels ?? {}), 'kubernetes.io/metadata.name': obj.metadata.name };
}

/** As upstream's namespace strategy: the kubernetes finalizer, phase Active. */
function prepareNamespace(obj: KubeObject): void {
  obj.spec = { finalizers: ['kubernetes'] };
  obj.status = { phase: 'Active' };
}

/**
 * Prepares an object for creation (shared by POST and apply-patch on an absent object): `manager` is the
 * create's field manager, or `applied` the server-side apply that creates it.
 */
function prepareCreate(deps: ApiDeps, ctx: RequestContext, route: ResourceRoute, obj: KubeObject, manager: string, applied?: ApplyRequest): { obj: KubeObject } & PlacementOutcome {
  const r = route.resource;
  applyUrlNamespace(obj, route);
  checkUnknownFields(ctx, r, obj);
  stripServerFields(obj);
  if (r.namespaced) checkNamespaceWritable(deps.store, r, obj.metadata.name ?? obj.metadata.generateName ?? '', obj.metadata.namespace!);
  const target = writeTarget(r, undefined, HAS_STATUS.has(r.resource), deps.clock.now());
  if (applied) obj.metadata.managedFields = applyConfiguration(undefined, applied, target).metadata.managedFields;
  const unowned = admissionFields(r.resource, obj);
  applyDefaults(r.resource, obj);
  if (r.resource === 'namespaces') labelNamespace(obj);
  if (!applied) trackUpdate(undefined, obj, manager, target, unowned);
  // An absent or null spec decodes to an empty PodSpec in Go, which validation then names (spec.containers).
  if (r.resource === 'pods') (obj as Pod).spec ??= {} as Pod['spec'];
  if (r.resource === 'pods') admitServiceAccount(deps.store, obj as Pod), admitNewPod(obj as Pod);
  if (r.resource === 'persistentvolumeclaims') admitNewClaim(deps.store, obj as PersistentVolumeClaim);
  admitNewStorageObject(r.resource, obj);
  prepareStorageStatusOnCreate(r.resource, obj, deps.clock.now());
  normalizeSecret(r, obj);
  invalid(servedResource(route), obj.metadata.name ?? obj.metadata.generateName, createCauses(route, obj));
  if (r.resource === 'pods') {
    const node = deps.store.tryGet<Node>('nodes', undefined, deps.nodeName);
    return { obj, ...admitPod(obj as Pod, deps.nodeName, deps.clock.now(), node, volumePlacement(deps.store, obj as Pod, deps.nodeName)) };
  }
  if (r.resource === 'namespaces') prepareNamespace(obj);
  return { obj, bound: false };
}

function storeCreate(deps: ApiDeps, ctx: RequestContext, r: ApiResource, obj: KubeObject, placed: PlacementOutcome): KubeObject {
  if (isDryRun(ctx.query)) return obj;
  const stored = deps.store.create(r.resource, obj);
  if (r.resource === 'pods') recordPlacement(deps.schedulerEvents, stored as Pod, deps.nodeName, placed);
  return stored;
}

export async function handleCreate(deps: ApiDeps, ctx: RequestContext, route: ResourceRoute): Promise<void> {
  const manager = fieldManagerFor('create', ctx.query, ctx.req.headers['user-agent']);
  const obj = decodeObject(ctx, route, await readObject(ctx));
  const placed = prepareCreate(deps, ctx, route, obj, manager);
  sendJson(ctx, 201, servedReply(route, storeCreate(deps, ctx, route.resource, obj, placed)));
}

/**
 * Merges the requested new state with the stored one according to the endpoint: the main resource
 * keeps the stored status, /status keeps everything but status (and labels/annotations are kept
 * from the request, as upstream's status strategy does).
 */
function mergeForEndpoint(r: ApiResource, route: ResourceRoute, current: KubeObject, next: KubeObject): KubeObject {
  const merged: KubeObject = { ...next, metadata: { ...next.metadata } };
  const m = merged.metadata;
  m.uid = current.metadata.uid;
  m.creationTimestamp = current.metadata.creationTimestamp;
  m.namespace = current.metadata.namespace;
  m.name = current.metadata.name;
  if (current.metadata.deletionTimestamp) {
    m.deletionTimestamp = current.metadata.deletionTimestamp;
    m.deletionGracePeriodSeconds = current.metadata.deletionGracePeriodSeconds;
  } else {
    delete m.deletionTimestamp;
    delete m.deletionGracePeriodSeconds;
  }
  if (route.subresource === 'ephemeralcontainers') {
    // Upstream's ephemeralContainersStrategy: only spec.ephemeralContainers comes from the request.
    const out = structuredClone(current) as KubeObject & { spec: { ephemeralContainers?: unknown } };
    const requested = (next as { spec?: { ephemeralContainers?: unknown } }).spec?.ephemeralContainers;
    if (requested === undefined) delete out.spec.ephemeralContainers;
    else out.spec.ephemeralContainers = requested;
    return withManagedFields(out, next);
  }
  if (route.subresource === 'status') {
    const out: KubeObject = { ...current, metadata: { ...current.metadata, labels: m.labels, annotations: m.annotations } };
    if (next.status === undefined) delete out.status;
    else out.status = next.status;
    return withManagedFields(out, next);
  }
  if (HAS_STATUS.has(r.resource)) {
    if (current.status === undefined) delete merged.status;
    else merged.status = current.status;
  }
  if (r.resource === 'pods') {
    // Upstream's PrepareForUpdate: ephemeral containers change only through pods/ephemeralcontainers.
    const cur = (current as Pod).spec?.ephemeralContainers;
    const spec = (merged as Pod).spec;
    if (spec && typeof spec === 'object') {
      if (cur === undefined) delete spec.ephemeralContainers;
      else spec.ephemeralContainers = cur;
    }
  }
  return merged;
}

/** A subresource's result carries the request's managedFields: an apply computed them (others are recomputed). */
function withManagedFields(out: KubeObject, next: KubeObject): KubeObject {
  if (next.metadata.managedFields === undefined) delete out.metadata.managedFields;
  else out.metadata.managedFields = next.metadata.managedFields;
  return out;
}

/**
 * The shared tail of PUT and PATCH: defaults, managedFields (for `manager`; an apply's `compute` keeps
 * them itself), validation and an atomic write with preconditions.
 */
function writeUpdate(
  deps: ApiDeps,
  ctx: RequestContext,
  route: ResourceRoute,
  compute: (current: KubeObject) => KubeObject,
  manager: string | undefined,
): KubeObject {
  const r = route.resource;
  const ns = r.namespaced ? route.namespace : undefined;
  const name = route.name!;
  const dryRun = isDryRun(ctx.query);
  let result: KubeObject | undefined;
  const mutate = (current: KubeObject): KubeObject | undefined => {
    const requested = compute(structuredClone(current));
    const rv = requested.metadata.resourceVersion;
    if (rv && rv !== current.metadata.resourceVersion) {
      throw new ConflictError(conflictMessage(r.resource, name), { resource: r.resource, name });
    }
    checkUnknownFields(ctx, r, requested);
    const next = mergeForEndpoint(r, route, current, requested);
    if (route.subresource !== 'status') {
      applyDefaults(r.resource, next);
      normalizeSecret(r, next);
      if (r.resource === 'persistentvolumeclaims') admitClaimUpdate(deps.store, next as PersistentVolumeClaim, current as PersistentVolumeClaim);
    } else {
      prepareStorageStatusUpdate(r.resource, next, current, deps.clock.now());
    }
    if (manager !== undefined) trackUpdate(current, next, manager, writeTarget(r, route.subresource, HAS_STATUS.has(r.resource), deps.clock.now()));
    invalid(servedResource(route), name, updateCauses(r, route, next, current));
    refuseNewFinalizers(r, name, next, current);
    next.metadata.resourceVersion = current.metadata.resourceVersion;
    if (dryRun || sameObject(next, current)) {
      result = dryRun ? next : current;
      return undefined;
    }
    return next;
  };
  const stored = deps.store.modify<KubeObject>(r.resource, ns, name, mutate);
  if (!result && finalized(r, stored)) return deps.store.delete<KubeObject>(r.resource, ns, name, { expectedUid: stored.metadata.uid });
  return result ?? stored;
}

function updateCauses(r: ApiResource, route: ResourceRoute, next: KubeObject, current: KubeObject): FieldCause[] {
  if (route.subresource === 'ephemeralcontainers') return validateEphemeralContainersUpdate(next as Pod, current as Pod);
  if (route.subresource === 'status' && STORAGE_STATUS.has(r.resource)) return validateStatusUpdate(r.resource, next, current);
  return causesOfUpdate(route, next, current);
}

/** Kinds whose /status writes have rules of their own (the PV and PVC status strategies). */
const STORAGE_STATUS = new Set(['persistentvolumes', 'persistentvolumeclaims']);

/** Kinds whose deletion waits for their finalizers here (pods and namespaces have their own paths). */
const FINALIZED_HERE = (r: ApiResource) => r.resource !== 'pods' && r.resource !== 'namespaces';

/** A marked object whose last finalizer was just removed: it goes now, as upstream's store removes it. */
function finalized(r: ApiResource, obj: KubeObject): boolean {
  return FINALIZED_HERE(r) && !!obj.metadata.deletionTimestamp && !obj.metadata.finalizers?.length;
}

/** Upstream's ValidateObjectMetaUpdate: an object being deleted takes no new finalizers. */
function refuseNewFinalizers(r: ApiResource, name: string, next: KubeObject, current: KubeObject): void {
  if (!current.metadata.deletionTimestamp) return;
  const had = new Set(current.metadata.finalizers ?? []);
  const added = (next.metadata.finalizers ?? []).filter((f) => !had.has(f));
  if (!added.length) return;
  const list = added.map((f) => JSON.stringify(f)).join(', ');
  invalid(r, name, [forbiddenField('metadata.finalizers', `no new finalizers can be added if the object is being deleted, found new finalizers []string{${list}}`)]);
}

function nameMismatch(obj: KubeObject, route: ResourceRoute): BadRequestError {
  return new BadRequestError(`the name of the object (${obj.metadata.name}) does not match the name on the URL (${route.name})`);
}

export async function handleUpdate(deps: ApiDeps, ctx: RequestContext, route: ResourceRoute): Promise<void> {
  const manager = fieldManagerFor('update', ctx.query, ctx.req.headers['user-agent']);
  const body = decodeObject(ctx, route, await readObject(ctx));
  if (body.metadata.name && body.metadata.name !== route.name) {
    throw nameMismatch(body, route);
  }
  body.metadata.name = route.name;
  applyUrlNamespace(body, route);
  const updated = writeUpdate(deps, ctx, route, () => body, manager);
  sendJson(ctx, 200, servedReply(route, updated));
}

const PATCH_TYPES = new Set([
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
  'application/apply-patch+yaml',
]);

export async function handlePatch(deps: ApiDeps, ctx: RequestContext, route: ResourceRoute): Promise<void> {
  const type = contentType(ctx);
  if (type === 'application/apply-patch+cbor') throw unsupportedMediaType(type);
  if (!PATCH_TYPES.has(type)) {
    throw new HttpStatusError(415, 'UnsupportedMediaType', `the server does not support patch type ${JSON.stringify(type)}`);
  }
  const apply = type === 'application/apply-patch+yaml';
  const manager = fieldManagerFor(apply ? 'apply' : 'patch', ctx.query, ctx.req.headers['user-agent']);
  const raw = await readBody(ctx);
  const patch = decodeBody(raw, type);
  if (apply) return handleApply(deps, ctx, route, raw, patch, manager);
  const patched = writeUpdate(deps, ctx, route, (current) => {
    return patchInVersion(ctx, route, current, (obj) => applyPatch(obj, type, patch));
  }, manager);
  sendJson(ctx, 200, servedReply(route, patched));
}

/** Server-side apply: creates the object when absent (201), else merges the configuration into it. */
function handleApply(deps: ApiDeps, ctx: RequestContext, route: ResourceRoute, raw: Buffer, patch: unknown, manager: string): void {
  const r = route.resource;
  if (!patch || typeof patch !== 'object' || Array.isArray(patch)) throw new BadRequestError('error decoding patch: the apply configuration must be an object');
  checkDuplicateFields(ctx, raw);
  const config = decodeObject(ctx, route, patch as Record<string, unknown>, true);
  if (config.metadata.name && config.metadata.name !== route.name) {
    throw nameMismatch(config, route);
  }
  applyUrlNamespace(config, route);
  const applied: ApplyRequest = { config, manager, force: forceOf(ctx.query) };
  const ns = r.namespaced ? route.namespace : undefined;
  if (!route.subresource && !deps.store.getStored(r.resource, ns, route.name!)) {
    const obj = structuredClone(config);
    obj.metadata.name = route.name;
    const placed = prepareCreate(deps, ctx, route, obj, manager, applied);
    sendJson(ctx, 201, servedReply(route, storeCreate(deps, ctx, r, obj, placed)));
    return;
  }
  const target = writeTarget(r, route.subresource, HAS_STATUS.has(r.resource), deps.clock.now());
  sendJson(ctx, 200, servedReply(route, writeUpdate(deps, ctx, route, (current) => applyConfiguration(current, applied, target), undefined)));
}

export function ensureExists(deps: ApiDeps, route: ResourceRoute): KubeObject {
  const r = route.resource;
  const obj = deps.store.tryGet<KubeObject>(r.resource, r.namespaced ? route.namespace : undefined, route.name!);
  if (!obj) throw NotFoundError.of({ resource: r.resource, name: route.name });
  return obj;
}
