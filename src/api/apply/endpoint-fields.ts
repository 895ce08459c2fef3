// What a write through one endpoint can own, and the object a create starts from.
// - The main resource of a kind with a status subresource owns no status; /status owns no spec
//   (upstream's strategies' GetResetFields).
// - Fields peapod fills in its defaulting step but Kubernetes fills after the field manager ran (pod
//   admission: ServiceAccount, Priority, DefaultTolerationSeconds; a namespace's spec.finalizers from
//   PrepareForCreate) belong to nobody unless the request set them.
// - A create compares against the kind's empty Go object, whose non-pointer struct fields are present
//   (`spec: {}`, `status: {}`; a Pod's `spec.containers: null`), so those are not "added" by it.

import type { SchemaNode } from '../validation/schema.js';
import { emptySet, insert, type FieldSet } from './field-set.js';
import { fieldElement } from './path.js';
import type { Json } from './schema-view.js';

export function ignoredFields(hasStatus: boolean, subresource: string | undefined): FieldSet {
  const set = emptySet();
  if (subresource === 'status') insert(set, [fieldElement('spec')]);
  else if (hasStatus) insert(set, [fieldElement('status')]);
  return set;
}

/** Fields peapod's defaulting fills that upstream fills after the field manager (admission, PrepareForCreate). */
const FILLED_LATER: Record<string, string[][]> = {
  pods: ['serviceAccountName', 'serviceAccount', 'tolerations', 'preemptionPolicy', 'priority'].map((f) => ['spec', f]),
  namespaces: [['spec', 'finalizers']],
};

/** The fields of FILLED_LATER the request (an object before defaulting) did not set itself. */
export function admissionFields(resource: string, request: Json): FieldSet {
  const set = emptySet();
  for (const path of FILLED_LATER[resource] ?? []) {
    let v: unknown = request;
    for (const f of path) v = v && typeof v === 'object' ? (v as Json)[f] : undefined;
    if (v === undefined) insert(set, path.map(fieldElement));
  }
  return set;
}

/** Struct fields that are pointers upstream (absent from an empty object). */
const POINTER_FIELDS = new Set(['series', 'related']);

export function emptyObject(schema: SchemaNode, resource: string): Json {
  const out: Json = {};
  if (schema.kind !== 'object') return out;
  for (const [name, node] of Object.entries(schema.fields)) {
    if (name !== 'metadata' && node.kind === 'object' && !POINTER_FIELDS.has(name)) out[name] = {};
  }
  if (resource === 'pods') out.spec = { containers: null };
  return out;
}
