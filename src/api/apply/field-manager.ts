// The field manager every API write goes through (upstream's FieldManager chain): it keeps
// metadata.managedFields of the written object.
// - trackUpdate (create, update, non-apply patch): the writer's Update entry takes the fields it
//   changed. managedFields sent in the request replace the stored ones when they decode and are not
//   empty (kubectl's client-side → server-side migration rewrites them with a JSON patch); an empty list
//   resets them; /status writes ignore them. An existing object without managedFields is not tracked
//   until someone applies (upstream's skipNonAppliedManager).
// - applyConfiguration (server-side apply): merge, prune, conflicts (409 unless force), the Apply
//   entry; the last-applied annotation is honoured for the manager "kubectl" (last-applied.ts).
// Internal writers that write the store directly (the pod manager's status) are not recorded.

import { BadRequestError } from '../../errors.js';
import { HttpStatusError } from '../api-errors.js';
import type { KubeObject } from '../../k8s/types.js';
import type { SchemaNode } from '../validation/schema.js';
import { applyConflictError } from './conflicts.js';
import { difference, emptySet, isEmpty, union, type FieldSet } from './field-set.js';
import { allowedConflicts, LAST_APPLIED_MANAGER, updateLastApplied } from './last-applied.js';
import { capUpdateManagers, decodeManagedFields, encodeManagedFields, isResetManagedFields } from './managed-fields.js';
import { ShapeError, type Json } from './schema-view.js';
import { apply, ConflictsError, update, type Managers, type UpdaterContext } from './updater.js';

export interface WriteTarget {
  schema: SchemaNode;
  /** The apiVersion written in entries ("v1", "coordination.k8s.io/v1"). */
  apiVersion: string;
  subresource?: string;
  /** Fields this endpoint's writers never own (endpoint-fields.ts). */
  ignored: FieldSet;
  /** The kind's empty object, the "live" side of a create. */
  empty: Json;
  /** RFC 3339 seconds. */
  time: string;
}


function withoutManaged(obj: KubeObject | Json): Json {
  const meta = (obj as Json).metadata;
  if (!meta || typeof meta !== 'object') return obj as Json;
  const { managedFields: _drop, ...rest } = meta as Json;
  return { ...(obj as Json), metadata: rest };
}

function decodeOrEmpty(entries: unknown): Managers {
  try {
    return decodeManagedFields(entries);
  } catch {
    return new Map();
  }
}

function setManaged(obj: KubeObject, managers: Managers): void {
  const encoded = encodeManagedFields(managers);
  if (encoded) obj.metadata.managedFields = encoded;
  else delete obj.metadata.managedFields;
}

/** The managers a non-apply write starts from (upstream's decodeLiveOrNew). */
function baseManagers(live: KubeObject | undefined, next: KubeObject, subresource: string | undefined): Managers {
  const liveEntries = live?.metadata.managedFields;
  if (subresource) return decodeOrEmpty(liveEntries);
  const requested = next.metadata.managedFields;
  if (isResetManagedFields(requested)) return new Map();
  try {
    const managers = decodeManagedFields(requested);
    if (managers.size) return managers;
  } catch {
    // an undecodable request keeps the stored entries, as upstream
  }
  return decodeOrEmpty(liveEntries);
}

/**
 * Records a create (`live` undefined), update or non-apply patch by `manager` on `next` (mutated).
 * `unowned` lists fields of `next` its writer does not own (admission-filled).
 */
export function trackUpdate(live: KubeObject | undefined, next: KubeObject, manager: string, target: WriteTarget, unowned: FieldSet = emptySet()): void {
  const base = baseManagers(live, next, target.subresource);
  if (base.size === 0 && live?.metadata.uid) {
    delete next.metadata.managedFields;
    return;
  }
  const ctx: UpdaterContext = { schema: target.schema, ignored: union(target.ignored, unowned) };
  const entry = { manager, operation: 'Update' as const, apiVersion: target.apiVersion, subresource: target.subresource, time: target.time };
  const managers = update(live ? withoutManaged(live) : target.empty, withoutManaged(next), ctx, base, entry);
  setManaged(next, capUpdateManagers(managers));
}

export interface ApplyRequest {
  config: KubeObject;
  manager: string;
  force: boolean;
}

/**
 * Server-side apply of `req.config` over `live` (undefined: the object is created). Returns the object to
 * write with its managedFields (`live` itself, with new managedFields, when nothing else changed).
 */
export function applyConfiguration(live: KubeObject | undefined, req: ApplyRequest, target: WriteTarget): KubeObject {
  if (req.config.metadata.managedFields !== undefined && req.config.metadata.managedFields !== null) {
    throw new BadRequestError('metadata.managedFields must be nil');
  }
  const ctx: UpdaterContext = { schema: target.schema, ignored: target.ignored };
  const liveValue = live ? withoutManaged(live) : target.empty;
  let managers = live ? decodeOrEmpty(live.metadata.managedFields) : new Map();
  if (managers.size === 0 && live) {
    const entry = { manager: 'before-first-apply', operation: 'Update' as const, apiVersion: target.apiVersion, subresource: target.subresource, time: target.time };
    managers = update(target.empty, liveValue, ctx, managers, entry);
  }
  const entry = { manager: req.manager, operation: 'Apply' as const, apiVersion: target.apiVersion, subresource: target.subresource, time: target.time };
  const config = withoutManaged(req.config);
  const run = (force: boolean) => apply(liveValue, config, ctx, managers, entry, force);
  let result: ReturnType<typeof apply>;
  try {
    result = run(req.force);
  } catch (err) {
    if (err instanceof ShapeError) throw typedPatchError(req.config, target.apiVersion, err);
    if (!(err instanceof ConflictsError)) throw err;
    // conflicts on fields the last client-side apply set to their live values are no conflicts for kubectl
    const allowed = req.manager === LAST_APPLIED_MANAGER && live ? allowedConflicts(liveValue, target.schema, target.apiVersion) : undefined;
    const remaining = allowed ? err.conflicts.map((c) => ({ ...c, set: difference(c.set, allowed) })).filter((c) => !isEmpty(c.set)) : err.conflicts;
    if (remaining.length) throw applyConflictError(remaining, managers);
    result = run(true);
  }
  const out = (result.object === undefined ? structuredClone(live) : result.object) as KubeObject;
  if (req.manager === LAST_APPLIED_MANAGER) updateLastApplied(out as unknown as Json, config);
  setManaged(out, result.managers);
  return out;
}

/**
 * A configuration the schema cannot type (undeclared fields, duplicate keys, items without keys): upstream's
 * text, as a 400 BadRequest. Upstream answers 500 here (kubernetes/kubernetes#122480, #139253, a bad request
 * reported as a server fault); the fix in review there (#139255) makes it 400, and a client's bad input is
 * never a 5xx here.
 */
function typedPatchError(config: KubeObject, apiVersion: string, err: Error): HttpStatusError {
  const slash = apiVersion.lastIndexOf('/');
  const gv = slash < 0 ? `/${apiVersion}` : apiVersion;
  const where = `${config.metadata.namespace ?? ''}/${config.metadata.name ?? ''}; ${gv}, Kind=${config.kind}`;
  return new HttpStatusError(400, 'BadRequest', `failed to create typed patch object (${where}): ${err.message}`);
}
