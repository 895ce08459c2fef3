// The set of fields an object holds (upstream's TypedValue.ToFieldSet): every leaf (scalar, atomic list
// or map, null, empty map), every item of a granular list, and every key of a free-form map. Fields of
// a struct that hold a non-empty map are not members themselves, only their contents.

import type { SchemaNode } from '../validation/schema.js';
import { childCursor, cursorPath, emptySet, mark, rootCursor, type Cursor, type FieldSet } from './field-set.js';
import { fieldElement, formatPath } from './path.js';
import { fieldNode, isNamedField, isObj, itemElements, itemsOf, listTypeOf, shapeOf, ShapeError } from './schema-view.js';

/** `strict` (an applied configuration) refuses undeclared fields, list items without a key and duplicate keys. */
export function fieldSetOf(value: unknown, node: SchemaNode, strict = false): FieldSet {
  const out = emptySet();
  walk(value, node, rootCursor(out), strict);
  return out;
}

function walk(value: unknown, node: SchemaNode, at: Cursor, strict: boolean): void {
  const shape = shapeOf(node, value);
  if (shape === 'leaf') {
    mark(at);
    return;
  }
  if (shape === 'list') {
    const items = value as unknown[];
    const elements = itemElements(listTypeOf(node), items, strict ? cursorPath(at) : [], strict);
    items.forEach((item, i) => {
      const c = childCursor(at, elements[i]);
      walk(item, itemsOf(node), c, strict);
      mark(c);
    });
    return;
  }
  const map = value as Record<string, unknown>;
  for (const k in map) {
    const v = map[k];
    if (v === undefined) continue;
    if (strict && node.kind === 'object' && !Object.hasOwn(node.fields, k)) {
      // upstream types the configuration against the schema: an undeclared field fails whatever fieldValidation says
      throw new ShapeError(`${formatPath([...cursorPath(at), fieldElement(k)])}: field not declared in schema`);
    }
    const c = childCursor(at, fieldElement(k));
    walk(v, fieldNode(node, k), c, strict);
    if (v === null || (isObj(v) && Object.keys(v).length === 0) || !isNamedField(node, k)) mark(c);
  }
}

/**
 * The set plus, as members, every struct field on the way to one of its members (upstream's
 * EnsureNamedFieldsAreMembers), so pruning can drop a struct field its applier no longer sets.
 */
export function ensureNamedFieldsAreMembers(set: FieldSet, node: SchemaNode): FieldSet {
  const out: FieldSet = { member: set.member, children: new Map() };
  for (const [e, child] of set.children) {
    let childNode: SchemaNode;
    let named = false;
    if (e.startsWith('f:')) {
      const name = e.slice(2);
      childNode = fieldNode(node, name);
      named = isNamedField(node, name);
    } else {
      childNode = itemsOf(node);
    }
    const c = ensureNamedFieldsAreMembers(child, childNode);
    if (named) c.member = true;
    out.children.set(e, c);
  }
  return out;
}
