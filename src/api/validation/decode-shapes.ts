// What Go's JSON decoder refuses before any validation runs: a value of the wrong JSON type for its field
// (a string where the schema has an object, a list or a map; an object or a list where it has a scalar), and
// a non-string among labels, annotations and other map[string]string fields. The API server answers these
// 400 "<Kind> in version "v1" cannot be handled as a <Kind>: json: cannot unmarshal <type> into Go struct
// field <path> of type <type>"; without the check such a body is stored, and code that reads the field
// (admission, tables, the runtime) trips over it later. null is what Go decodes to a zero value, so it passes.

import type { SchemaNode } from './schema.js';

/** The first mismatch of `value` against `node`, as Go's decoder words it, or undefined. */
export function shapeMismatch(node: SchemaNode, value: unknown, path: string, stringMaps: ReadonlySet<string>): string | undefined {
  if (value === null || value === undefined) return undefined;
  const stack: [SchemaNode, unknown, string][] = [[node, value, path]];
  while (stack.length) {
    const [n, v, p] = stack.pop()!;
    if (v === null) continue;
    const type = jsonType(v);
    switch (n.kind) {
      case 'object':
        if (type !== 'object') return mismatch(type, p, 'object');
        for (const [k, child] of Object.entries(v as Record<string, unknown>)) {
          const f = Object.hasOwn(n.fields, k) ? n.fields[k] : undefined;
          if (f) stack.push([f, child, join(p, k)]);
        }
        break;
      case 'map':
        if (type !== 'object') return mismatch(type, p, 'map');
        for (const child of Object.values(v as Record<string, unknown>)) {
          if (stringMaps.has(p) && child !== null && typeof child !== 'string') return mismatch(jsonType(child), p, 'string');
          stack.push([n.values, child, p]);
        }
        break;
      case 'list':
        if (type !== 'array') return mismatch(type, p, 'array');
        for (const child of v as unknown[]) stack.push([n.items, child, p]);
        break;
      case 'scalar':
        if (type === 'object' || type === 'array') return mismatch(type, p, n.type ?? 'scalar');
        if (n.type === 'string' && type !== 'string') return mismatch(type, p, 'string');
        if (n.type === 'integer' && !(typeof v === 'number' && Number.isInteger(v))) return mismatch(typeof v === 'number' ? `number ${v}` : type, p, 'int32');
        break;
      default:
        break;
    }
  }
  return undefined;
}

function join(prefix: string, name: string): string {
  return prefix ? `${prefix}.${name}` : name;
}

function jsonType(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'boolean') return 'bool';
  return typeof v;
}

function mismatch(found: string, path: string, want: string): string {
  return `json: cannot unmarshal ${found} into Go struct field ${path} of type ${want}`;
}
