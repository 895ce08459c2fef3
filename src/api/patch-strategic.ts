// Kubernetes strategic merge patch, driven by the core/v1 schema (merge keys and set lists).
//
// Maps merge recursively and null deletes a key. Lists with a merge key merge element-wise by that key;
// set lists (finalizers) merge as a union; other lists are replaced whole. Directives:
//   $patch: replace | delete | merge     on a map, or on a list element (with its merge key)
//   {"$patch": "replace"} as a list item replaces the whole list with the other items
//   $retainKeys: [..]                     keeps only those keys of the original map
//   $setElementOrder/<list>: [..]         the order of the merged list (upstream's mergeSortedSlice)
//   $deleteFromPrimitiveList/<list>: [..] removes values from a primitive list
// No directive survives into the result.

import { BadRequestError } from '../errors.js';
import { A, childOf, type SchemaNode } from './validation/schema.js';

type Json = Record<string, unknown>;

const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const SET_ORDER = '$setElementOrder/';
const DELETE_PRIMITIVE = '$deleteFromPrimitiveList/';

function listNode(node: SchemaNode | undefined): Extract<SchemaNode, { kind: 'list' }> | undefined {
  return node?.kind === 'list' ? node : undefined;
}

function keyOf(item: unknown, mergeKey: string | undefined): string {
  return JSON.stringify(mergeKey && isObj(item) ? item[mergeKey] : item);
}

/** Merges `patch` into a copy of `orig`; undefined means the map was deleted by `$patch: delete`. */
function mergeMap(orig: Json, patch: Json, node: SchemaNode): Json | undefined {
  const directive = patch.$patch;
  if (directive === 'delete') return undefined;
  if (directive === 'replace') return mergeMap({}, { ...patch, $patch: undefined }, node);
  if (directive !== undefined && directive !== 'merge') throw new BadRequestError(`unknown patch type: ${JSON.stringify(directive)} in map: ${JSON.stringify(patch)}`);
  let out: Json = structuredClone(orig);
  const retain = patch.$retainKeys;
  if (retain !== undefined) {
    if (!Array.isArray(retain) || retain.some((k) => typeof k !== 'string')) throw new BadRequestError('$retainKeys must be a list of strings');
    out = Object.fromEntries(Object.entries(out).filter(([k]) => retain.includes(k)));
  }
  const orders: [string, unknown][] = [];
  const deletions: [string, unknown][] = [];
  for (const [key, value] of Object.entries(patch)) {
    if (key === '$patch' || key === '$retainKeys') continue;
    if (key.startsWith(SET_ORDER)) orders.push([key.slice(SET_ORDER.length), value]);
    else if (key.startsWith(DELETE_PRIMITIVE)) deletions.push([key.slice(DELETE_PRIMITIVE.length), value]);
    else if (key.startsWith('$')) throw new BadRequestError(`unknown patch directive ${JSON.stringify(key)}`);
    else mergeField(out, key, value, childOf(node, key) ?? A);
  }
  for (const [key, values] of deletions) {
    if (!Array.isArray(values)) throw new BadRequestError(`${DELETE_PRIMITIVE}${key} must be a list`);
    if (Array.isArray(out[key])) {
      const drop = new Set(values.map((v) => JSON.stringify(v)));
      out[key] = (out[key] as unknown[]).filter((v) => !drop.has(JSON.stringify(v)));
    }
  }
  for (const [key, order] of orders) {
    if (!Array.isArray(order)) throw new BadRequestError(`${SET_ORDER}${key} must be a list`);
    if (Array.isArray(out[key])) out[key] = reorder(out[key] as unknown[], order, asArray(orig[key]), listNode(childOf(node, key))?.mergeKey);
  }
  return out;
}

function asArray(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

function mergeField(out: Json, key: string, value: unknown, node: SchemaNode): void {
  if (value === null) {
    delete out[key];
  } else if (isObj(value)) {
    const merged = mergeMap(isObj(out[key]) ? (out[key] as Json) : {}, value, node);
    if (merged === undefined) delete out[key];
    else out[key] = merged;
  } else if (Array.isArray(value)) {
    out[key] = mergeList(asArray(out[key]), value, node);
  } else {
    out[key] = value;
  }
}

/** A fresh item from a patch: directives processed, nothing merged. */
function fresh(item: unknown, node: SchemaNode): unknown {
  return isObj(item) ? mergeMap({}, item, node) : structuredClone(item);
}

function mergeList(orig: unknown[], patch: unknown[], node: SchemaNode): unknown[] {
  const list = listNode(node);
  const items = list?.items ?? A;
  const replaceAll = patch.some((p) => isObj(p) && p.$patch === 'replace' && Object.keys(p).length === 1);
  const rest = patch.filter((p) => !(isObj(p) && p.$patch !== undefined && Object.keys(p).length === 1));
  if (replaceAll || !list || (!list.mergeKey && !list.set)) {
    return rest.map((p) => fresh(p, items)).filter((p) => p !== undefined);
  }
  if (list.set) {
    const out = [...orig];
    const seen = new Set(orig.map((v) => JSON.stringify(v)));
    for (const v of rest) if (!seen.has(JSON.stringify(v))) out.push(v), seen.add(JSON.stringify(v));
    return out;
  }
  return mergeKeyedList(orig, rest, list.mergeKey!, items);
}

function mergeKeyedList(orig: unknown[], patch: unknown[], mergeKey: string, items: SchemaNode): unknown[] {
  const out = orig.map((o) => structuredClone(o));
  for (const item of patch) {
    if (!isObj(item) || !(mergeKey in item)) {
      throw new BadRequestError(`map: ${JSON.stringify(item)} does not contain declared merge key: ${mergeKey}`);
    }
    const key = keyOf(item, mergeKey);
    const at = out.findIndex((o) => keyOf(o, mergeKey) === key);
    if (item.$patch === 'delete') {
      if (at >= 0) out.splice(at, 1);
      continue;
    }
    if (at < 0) out.push(fresh(item, items));
    else out[at] = item.$patch === 'replace' ? fresh(item, items) : mergeMap(out[at] as Json, item, items);
  }
  return out.filter((o) => o !== undefined);
}

/**
 * Orders `merged` by `order` (upstream mergeSortedSlice): items named in `order` come in that order;
 * the others ("server-only") keep their original relative position, interleaved by original index.
 */
function reorder(merged: unknown[], order: unknown[], original: unknown[], mergeKey: string | undefined): unknown[] {
  const rank = new Map(order.map((o, i) => [keyOf(o, mergeKey), i] as const));
  const serverIndex = new Map(original.map((o, i) => [keyOf(o, mergeKey), i] as const));
  const patched = merged.filter((m) => rank.has(keyOf(m, mergeKey)));
  patched.sort((a, b) => rank.get(keyOf(a, mergeKey))! - rank.get(keyOf(b, mergeKey))!);
  const serverOnly = merged.filter((m) => !rank.has(keyOf(m, mergeKey)));
  const out: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < serverOnly.length || j < patched.length) {
    if (j >= patched.length) out.push(serverOnly[i++]);
    else if (i >= serverOnly.length) out.push(patched[j++]);
    else {
      const li = serverIndex.get(keyOf(serverOnly[i], mergeKey));
      const ri = serverIndex.get(keyOf(patched[j], mergeKey));
      if (li !== undefined && ri !== undefined && li < ri) out.push(serverOnly[i++]);
      else out.push(patched[j++]);
    }
  }
  return out;
}

/** Strategic-merges `patch` into a copy of `original` shaped by `schema`. */
export function strategicMerge(original: unknown, patch: Json, schema: SchemaNode): unknown {
  const merged = mergeMap(isObj(original) ? original : {}, patch, schema);
  if (merged === undefined) throw new BadRequestError('a strategic merge patch may not delete the whole object');
  return merged;
}
