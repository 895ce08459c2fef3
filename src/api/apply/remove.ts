// Removes the members of a field set from a value, each with everything below it (upstream's
// TypedValue.RemoveItems). A map or list left empty by a removal goes too, as upstream's null does
// once the object is decoded.

import type { SchemaNode } from '../validation/schema.js';
import type { FieldSet } from './field-set.js';
import { fieldElement } from './path.js';
import { fieldNode, itemElements, itemsOf, listTypeOf, shapeOf, type Json } from './schema-view.js';

/** A copy of `value` without the members of `set`; undefined when nothing is left of it. */
export function removeItems(value: unknown, set: FieldSet, node: SchemaNode): unknown {
  const s = shapeOf(node, value);
  if (s === 'leaf' || set.children.size === 0) return value;
  if (s === 'map') {
    const out: Json = {};
    for (const [k, v] of Object.entries(value as Json)) {
      const sub = set.children.get(fieldElement(k));
      if (!sub) out[k] = v;
      else if (!sub.member) {
        const kept = removeItems(v, sub, fieldNode(node, k));
        if (kept !== undefined) out[k] = kept;
      }
    }
    return Object.keys(out).length ? out : undefined;
  }
  const items = value as unknown[];
  const elements = itemElements(listTypeOf(node), items, [], false);
  const out: unknown[] = [];
  items.forEach((item, i) => {
    const sub = set.children.get(elements[i]);
    if (!sub) out.push(item);
    else if (!sub.member) {
      const kept = removeItems(item, sub, itemsOf(node));
      if (kept !== undefined) out.push(kept);
    }
  });
  return out.length ? out : undefined;
}

