// Strict decoding: the fields of a request body that the Kubernetes schema does not know, as JSON paths
// in the API server's format (`spec.containers[0].imagePullPolicyy`), so the API can answer
// `strict decoding error: unknown field "<path>"` (fieldValidation=Strict) or warn (Warn).
// Type mismatches are not reported here; free-key maps (labels, data, limits) accept any key.

import { SCHEMAS } from './schema-objects.js';
import type { SchemaNode } from './schema.js';

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function join(prefix: string, name: string): string {
  return prefix ? `${prefix}.${name}` : name;
}

function walk(node: SchemaNode, value: unknown, path: string, out: string[]): void {
  switch (node.kind) {
    case 'object':
      if (!isPlainObject(value)) return;
      for (const [k, v] of Object.entries(value)) {
        const child = node.fields[k];
        if (child) walk(child, v, join(path, k), out);
        else out.push(join(path, k));
      }
      return;
    case 'map':
      if (!isPlainObject(value)) return;
      for (const [k, v] of Object.entries(value)) walk(node.values, v, `${path}[${k}]`, out);
      return;
    case 'list':
      if (Array.isArray(value)) value.forEach((v, i) => walk(node.items, v, `${path}[${i}]`, out));
      return;
    default:
      return;
  }
}

/**
 * JSON paths of the fields of `obj` unknown to the schema of `resource`, in document order. An
 * unknown resource has no schema, so nothing is reported for it.
 */
export function findUnknownFields(resource: string, obj: unknown): string[] {
  const schema = Object.hasOwn(SCHEMAS, resource) ? SCHEMAS[resource] : undefined;
  return schema ? findUnknownFieldsIn(schema, obj) : [];
}

/** The same against a given schema (a version served over another resource's storage has its own). */
export function findUnknownFieldsIn(schema: SchemaNode, obj: unknown): string[] {
  const out: string[] = [];
  walk(schema, obj, '', out);
  return out;
}
