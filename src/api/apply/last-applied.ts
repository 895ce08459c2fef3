// How server-side apply meets client-side apply's kubectl.kubernetes.io/last-applied-configuration
// annotation, for the manager "kubectl" only (upstream's lastAppliedManager and lastAppliedUpdater):
// - a conflict on a field whose live value is still the one the annotation recorded is not a conflict
//   (the fields were applied client-side by the same user), so the apply is retried with force;
// - after an apply, an object that has the annotation gets it rewritten to the applied configuration,
//   so a later client-side apply computes its three-way diff from what was applied last.

import type { SchemaNode } from '../validation/schema.js';
import { compare } from './compare.js';
import { difference, type FieldSet } from './field-set.js';
import { isObj, type Json } from './schema-view.js';
import { fieldSetOf } from './to-field-set.js';

export const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';
export const LAST_APPLIED_MANAGER = 'kubectl';
const MAX_ANNOTATIONS_BYTES = 256 * 1024;

function annotationsOf(obj: unknown): Record<string, string> | undefined {
  const m = isObj(obj) && isObj(obj.metadata) ? obj.metadata : undefined;
  return m && isObj(m.annotations) ? (m.annotations as Record<string, string>) : undefined;
}

/** Fields the annotation records with the value the live object still has; undefined without one. */
export function allowedConflicts(live: Json, schema: SchemaNode, apiVersion: string): FieldSet | undefined {
  const text = annotationsOf(live)?.[LAST_APPLIED];
  if (!text) return undefined;
  let last: unknown;
  try {
    last = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isObj(last) || last.apiVersion !== apiVersion) return undefined;
  let set: FieldSet;
  try {
    set = fieldSetOf(last, schema, true);
  } catch {
    return undefined;
  }
  const cmp = compare(last, live, schema);
  return difference(difference(difference(set, cmp.modified), cmp.added), cmp.removed);
}

/** Go's encoding/json of an unstructured object: sorted keys, HTML characters escaped, a newline after. */
export function goJson(value: unknown): string {
  const sort = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sort);
    if (!isObj(v)) return v;
    return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sort(v[k])]));
  };
  const escapes: Record<string, string> = { '<': '\\u003c', '>': '\\u003e', '&': '\\u0026', '\u2028': '\\u2028', '\u2029': '\\u2029' };
  return `${JSON.stringify(sort(value)).replace(/[<>&\u2028\u2029]/g, (c) => escapes[c])}\n`;
}

/** Rewrites the annotation of `result` (when it has one) to `config` without the annotation. */
export function updateLastApplied(result: Json, config: Json): void {
  const annotations = annotationsOf(result);
  if (!annotations?.[LAST_APPLIED]) return;
  const applied = structuredClone(config);
  const appliedAnnotations = annotationsOf(applied);
  if (appliedAnnotations) delete appliedAnnotations[LAST_APPLIED];
  annotations[LAST_APPLIED] = goJson(applied);
  const size = Object.entries(annotations).reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(String(v)), 0);
  if (size > MAX_ANNOTATIONS_BYTES) delete annotations[LAST_APPLIED];
}
