// How server-side apply reads the schema tables of api/validation: list types (associative lists with
// their key fields, sets of scalars, atomic lists), named fields, and the path element of a list item.
// A list with a merge key is associative (keyed by its mapKeys when the schema names more than one
// field), a merge-as-set list is a set, any other list is atomic. `any` content behaves as upstream's
// deduced schema: maps are granular, lists atomic.

import { A, type SchemaNode } from '../validation/schema.js';
import { formatPath, indexElement, keyElement, valueElement, type Element, type Path } from './path.js';

export type Json = Record<string, unknown>;

export const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

export type ListType = { type: 'map'; keys: string[]; defaults: Record<string, unknown> } | { type: 'set' } | { type: 'atomic' };

export function listTypeOf(node: SchemaNode): ListType {
  if (node.kind !== 'list') return { type: 'atomic' };
  if (node.mergeKey) return { type: 'map', keys: node.mapKeys ?? [node.mergeKey], defaults: node.keyDefaults ?? {} };
  if (node.set) return { type: 'set' };
  return { type: 'atomic' };
}

export function itemsOf(node: SchemaNode): SchemaNode {
  return node.kind === 'list' ? node.items : A;
}

/** The schema of field `name` inside `node` (unknown fields take any content). */
export function fieldNode(node: SchemaNode, name: string): SchemaNode {
  if (node.kind === 'object') return node.fields[name] ?? A;
  if (node.kind === 'map') return node.values;
  return A;
}

/** A field the schema declares (a struct field), as opposed to a key of a free-form map. */
export function isNamedField(node: SchemaNode, name: string): boolean {
  return node.kind === 'object' && name in node.fields;
}

/** How a value is walked: granular maps, granular lists (associative or set) or leaves. */
export type Shape = 'map' | 'list' | 'leaf';

export function shapeOf(node: SchemaNode, value: unknown): Shape {
  if (isObj(value)) return node.kind === 'object' || node.kind === 'map' || node.kind === 'any' ? 'map' : 'leaf';
  if (Array.isArray(value)) return listTypeOf(node).type === 'atomic' ? 'leaf' : 'list';
  return 'leaf';
}

export class ShapeError extends Error {}

/**
 * The path element of item `i` of a granular list, or undefined when it has none (an item without any
 * key field, or a set member that is not a scalar): strict callers (an applied configuration) refuse it.
 */
export function itemElement(lt: ListType, item: unknown): Element | undefined {
  if (lt.type === 'set') return isObj(item) || Array.isArray(item) ? undefined : valueElement(item);
  if (lt.type !== 'map' || !isObj(item)) return undefined;
  const fields: [string, unknown][] = [];
  for (const k of lt.keys) {
    if (item[k] !== undefined && item[k] !== null) fields.push([k, item[k]]);
    else if (lt.defaults[k] !== undefined) fields.push([k, lt.defaults[k]]);
  }
  return fields.length ? keyElement(fields) : undefined;
}

/**
 * Elements of every item of a granular list, in order; items without an element or repeating one get
 * `i:<n>` (lenient, for stored objects) or throw ShapeError (strict, for applied configurations).
 */
export function itemElements(lt: ListType, items: unknown[], path: Path, strict: boolean): Element[] {
  const seen = new Set<Element>();
  return items.map((item, i) => {
    const e = itemElement(lt, item);
    if (e === undefined) {
      if (strict) {
        const what = lt.type === 'set' ? 'a set may only hold scalars' : `associative list with keys has an element that omits all key fields ${JSON.stringify(lt.type === 'map' ? lt.keys : [])}`;
        throw new ShapeError(`${formatPath(path)}: ${what}`);
      }
      return indexElement(i);
    }
    if (seen.has(e)) {
      if (strict) throw new ShapeError(`${formatPath(path)}: duplicate entries for key ${formatPath([e])}`);
      return indexElement(i);
    }
    seen.add(e);
    return e;
  });
}
