// Ownership of fields among managers (upstream's merge.Updater). Each manager entry (a manager name,
// operation, apiVersion and subresource) owns a field set. An update gives its writer every field it
// added or changed and takes them from everyone else; removed fields leave every owner. An apply makes
// the applier own exactly the fields of its configuration, prunes the fields it applied last time and
// no longer applies (unless someone else owns them) and, without force, fails on fields another
// manager owns whose value it would change.

import { isDeepStrictEqual } from 'node:util';
import type { SchemaNode } from '../validation/schema.js';
import { compare, type Comparison } from './compare.js';
import { difference, emptySet, intersection, isEmpty, recursiveDifference, union, type FieldSet } from './field-set.js';
import { mergeValues } from './merge.js';
import { removeItems } from './remove.js';
import { ensureNamedFieldsAreMembers, fieldSetOf } from './to-field-set.js';

export interface ManagerEntry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  subresource?: string;
  /** RFC 3339 seconds. */
  time?: string;
  set: FieldSet;
}

/** Entries by identity (managerId). */
export type Managers = Map<string, ManagerEntry>;

/** As upstream's BuildManagerIdentifier: an Apply entry is one per manager whatever its apiVersion. */
export function managerId(e: Pick<ManagerEntry, 'manager' | 'operation' | 'apiVersion' | 'subresource'>): string {
  return JSON.stringify([e.manager, e.operation, e.operation === 'Apply' ? '' : e.apiVersion, e.subresource ?? '']);
}

export interface Conflict {
  id: string;
  set: FieldSet;
}

export class ConflictsError extends Error {
  constructor(readonly conflicts: Conflict[]) {
    super('apply conflicts');
  }
}

export interface UpdaterContext {
  schema: SchemaNode;
  /** Fields nobody owns through this endpoint (status on the main resource, spec on /status). */
  ignored: FieldSet;
}

/** Fields kept out of every set: the server owns them (upstream's stripMetaManager). */
const STRIPPED = fieldSetOf(
  { apiVersion: '', kind: '', metadata: { name: '', namespace: '', creationTimestamp: '', selfLink: '', uid: '', clusterName: '', generation: '', managedFields: '', resourceVersion: '' } },
  { kind: 'any' },
);

/** Removes the server-owned members (metadata itself among them, not what lies below it). */
export function stripMeta(set: FieldSet): FieldSet {
  return difference(set, STRIPPED);
}

function withSet(e: ManagerEntry, set: FieldSet): ManagerEntry {
  return { ...e, set };
}

/**
 * The shared step of update and apply: other managers lose what changed (refused as conflicts unless
 * `force`) and what was removed; entries left empty are dropped.
 */
function transfer(live: unknown, next: unknown, ctx: UpdaterContext, managers: Managers, self: string, force: boolean): { managers: Managers; cmp: Comparison } {
  const raw = compare(live, next, ctx.schema);
  const cmp: Comparison = {
    added: recursiveDifference(raw.added, ctx.ignored),
    modified: recursiveDifference(raw.modified, ctx.ignored),
    removed: recursiveDifference(raw.removed, ctx.ignored),
  };
  const changed = union(cmp.modified, cmp.added);
  const conflicts: Conflict[] = [];
  for (const [id, e] of managers) {
    if (id === self) continue;
    const c = intersection(e.set, changed);
    if (!isEmpty(c)) conflicts.push({ id, set: c });
  }
  if (!force && conflicts.length) throw new ConflictsError(conflicts);
  const out: Managers = new Map();
  for (const [id, e] of managers) {
    if (id === self) {
      out.set(id, e);
      continue;
    }
    const kept = difference(difference(e.set, changed), cmp.removed);
    if (!isEmpty(kept)) out.set(id, withSet(e, kept));
  }
  return { managers: out, cmp };
}

/** A non-apply write by `entry`'s manager: it takes over every field it changed. */
export function update(live: unknown, next: unknown, ctx: UpdaterContext, managers: Managers, entry: Omit<ManagerEntry, 'set'>): Managers {
  const self = '\u0000current-operation';
  const { managers: out, cmp } = transfer(live, next, ctx, managers, self, true);
  const own = stripMeta(recursiveDifference(union(cmp.modified, cmp.added), ctx.ignored));
  if (isEmpty(own)) return out;
  const id = managerId(entry);
  const previous = out.get(id)?.set ?? emptySet();
  out.set(id, { ...entry, set: union(own, previous) });
  return out;
}

export interface ApplyResult {
  /** The merged object, or undefined when the apply changed nothing in it. */
  object: unknown;
  managers: Managers;
}

/** An apply of `config` by `entry`'s manager over `live`. Throws ConflictsError unless `force`. */
export function apply(live: unknown, config: unknown, ctx: UpdaterContext, managers: Managers, entry: Omit<ManagerEntry, 'set'>, force: boolean): ApplyResult {
  const id = managerId(entry);
  const lastSet = managers.get(id)?.set;
  const applied = recursiveDifference(fieldSetOf(config, ctx.schema, true), ctx.ignored);
  const withApplier: Managers = new Map(managers);
  withApplier.set(id, { ...entry, set: applied });
  let next = mergeValues(live, config, ctx.schema);
  if (lastSet && !isEmpty(lastSet)) next = prune(next, withApplier, lastSet, ctx.schema);
  const { managers: out } = transfer(live, next, ctx, withApplier, id, force);
  const own = stripMeta(out.get(id)!.set);
  const changed = !isDeepStrictEqual(live, next);
  // the applier's time moves only when the object changed (upstream's managedFieldsUpdater)
  const time = changed ? entry.time : managers.get(id)?.time;
  if (isEmpty(own)) out.delete(id);
  else out.set(id, { ...entry, time, set: own });
  return { object: changed ? next : undefined, managers: out };
}

/**
 * Removes what the applier applied last time (`lastSet`) and nobody, the applier's new configuration
 * included, owns now (upstream's prune, addBackOwnedItems and addBackDanglingItems).
 */
function prune(merged: unknown, managers: Managers, lastSet: FieldSet, schema: SchemaNode): unknown {
  let owned = emptySet();
  for (const e of managers.values()) owned = union(owned, e.set);
  const toRemove = difference(ensureNamedFieldsAreMembers(lastSet, schema), ensureNamedFieldsAreMembers(owned, schema));
  return removeItems(merged, toRemove, schema) ?? {};
}
