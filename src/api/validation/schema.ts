// A compact description of core/v1 object shapes: which field names exist (for strict decoding) and how
// lists merge under strategic merge patch (patchMergeKey / patchStrategy of k8s.io/api/core/v1).
// Builders keep the tables short: S scalar, A any content, M map with free keys, obj({...}), list(...).

export type SchemaNode =
  | { kind: 'scalar'; type?: 'string' | 'integer' }
  | { kind: 'any' }
  | { kind: 'map'; values: SchemaNode }
  | { kind: 'object'; fields: Record<string, SchemaNode> }
  | { kind: 'list'; items: SchemaNode; mergeKey?: string; set?: boolean; mapKeys?: string[]; keyDefaults?: Record<string, unknown> };

export const S: SchemaNode = { kind: 'scalar' };
export const A: SchemaNode = { kind: 'any' };
/** A map with free keys (labels, data, resource lists); values default to scalars. */
export const M: SchemaNode = { kind: 'map', values: S };

export function mapOf(values: SchemaNode): SchemaNode {
  return { kind: 'map', values };
}

export function obj(fields: Record<string, SchemaNode>): SchemaNode {
  return { kind: 'object', fields };
}

/** A list replaced whole by strategic merge (no patch strategy). */
export function list(items: SchemaNode): SchemaNode {
  return { kind: 'list', items };
}

/**
 * A list of objects merged by `key` (patchStrategy merge, patchMergeKey key). For server-side apply it is
 * an associative list keyed by `key`, or by `mapKeys` where the OpenAPI schema's x-kubernetes-list-map-keys
 * name more fields (a missing key field takes its `keyDefaults` value, as the schema's default).
 */
export function keyed(items: SchemaNode, key: string, mapKeys?: string[], keyDefaults?: Record<string, unknown>): SchemaNode {
  return { kind: 'list', items, mergeKey: key, ...(mapKeys ? { mapKeys } : {}), ...(keyDefaults ? { keyDefaults } : {}) };
}

/** A list of scalars merged as a set (patchStrategy merge on a primitive list). */
export function set(): SchemaNode {
  return { kind: 'list', items: S, set: true };
}

/** Several scalar fields at once: fields('a b c') → { a: S, b: S, c: S }. */
export function scalars(names: string): Record<string, SchemaNode> {
  return Object.fromEntries(names.split(/\s+/).filter(Boolean).map((n) => [n, S]));
}

/** Scalars whose JSON type Go's decoder checks (a number where a string belongs is a 400): strings. */
export const STR: SchemaNode = { kind: 'scalar', type: 'string' };
export const INT: SchemaNode = { kind: 'scalar', type: 'integer' };
export function strings(names: string): Record<string, SchemaNode> {
  return Object.fromEntries(names.split(/\s+/).filter(Boolean).map((n) => [n, STR]));
}

/** The field under `name` of an object node, or undefined when the node is not an object. */
export function childOf(node: SchemaNode | undefined, name: string): SchemaNode | undefined {
  if (!node) return undefined;
  if (node.kind === 'object') return node.fields[name];
  if (node.kind === 'map') return node.values;
  if (node.kind === 'any') return A;
  return undefined;
}
