// What changed between two versions of an object (upstream's TypedValue.Compare): leaves that
// appeared (added), disappeared (removed) or changed (modified), plus maps, lists and list items that
// appeared or disappeared. Two empty (or absent) maps or lists compare as leaves, so `{}` keeps its
// distinction from absent.

import { isDeepStrictEqual } from 'node:util';
import type { SchemaNode } from '../validation/schema.js';
import { emptySet, insert, type FieldSet } from './field-set.js';
import { fieldElement } from './path.js';
import { fieldNode, isObj, itemElements, itemsOf, listTypeOf, shapeOf, type Shape } from './schema-view.js';

export interface Comparison {
  added: FieldSet;
  modified: FieldSet;
  removed: FieldSet;
}

export function compare(lhs: unknown, rhs: unknown, node: SchemaNode): Comparison {
  const c: Comparison = { added: emptySet(), modified: emptySet(), removed: emptySet() };
  visit(lhs, rhs, node, [], c);
  return c;
}

function isEmptyValue(v: unknown): boolean {
  return v === undefined || v === null || (Array.isArray(v) && v.length === 0) || (isObj(v) && Object.keys(v).length === 0);
}

function shape(node: SchemaNode, lhs: unknown, rhs: unknown): Shape {
  if (isEmptyValue(lhs) && isEmptyValue(rhs)) return 'leaf';
  const l = lhs === undefined || lhs === null ? undefined : shapeOf(node, lhs);
  const r = rhs === undefined || rhs === null ? undefined : shapeOf(node, rhs);
  if (l && r && l !== r) return 'leaf';
  return r ?? l ?? 'leaf';
}

function visit(lhs: unknown, rhs: unknown, node: SchemaNode, path: string[], c: Comparison): void {
  const s = shape(node, lhs, rhs);
  if (s === 'leaf') {
    if (lhs === undefined) insert(c.added, path);
    else if (rhs === undefined) insert(c.removed, path);
    else if (!isDeepStrictEqual(lhs, rhs)) insert(c.modified, path);
    return;
  }
  if (s === 'list') visitList(asList(lhs), asList(rhs), node, path, c);
  else visitMap(asMap(lhs), asMap(rhs), node, path, c);
  if (lhs === undefined) insert(c.added, path);
  else if (rhs === undefined) insert(c.removed, path);
}

const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const asMap = (v: unknown): Record<string, unknown> => (isObj(v) ? v : {});

function visitMap(lhs: Record<string, unknown>, rhs: Record<string, unknown>, node: SchemaNode, path: string[], c: Comparison): void {
  for (const k of Object.keys(lhs)) {
    if (lhs[k] === undefined) continue;
    visit(lhs[k], rhs[k], fieldNode(node, k), [...path, fieldElement(k)], c);
  }
  for (const k of Object.keys(rhs)) {
    if (rhs[k] === undefined || lhs[k] !== undefined) continue;
    visit(undefined, rhs[k], fieldNode(node, k), [...path, fieldElement(k)], c);
  }
}

function visitList(lhs: unknown[], rhs: unknown[], node: SchemaNode, path: string[], c: Comparison): void {
  const lt = listTypeOf(node);
  const items = itemsOf(node);
  const le = itemElements(lt, lhs, path, false);
  const re = itemElements(lt, rhs, path, false);
  const right = new Map(re.map((e, i) => [e, rhs[i]] as const));
  const left = new Map(le.map((e, i) => [e, lhs[i]] as const));
  le.forEach((e, i) => visit(lhs[i], right.get(e), items, [...path, e], c));
  re.forEach((e, i) => {
    if (!left.has(e)) visit(undefined, rhs[i], items, [...path, e], c);
  });
}
