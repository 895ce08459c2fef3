// What changed between two versions of an object (upstream's TypedValue.Compare): leaves that
// appeared (added), disappeared (removed) or changed (modified), plus maps, lists and list items that
// appeared or disappeared. Two empty (or absent) maps or lists compare as leaves, so `{}` keeps its
// distinction from absent.

import { isDeepStrictEqual } from 'node:util';
import type { SchemaNode } from '../validation/schema.js';
import { childCursor, emptySet, mark, rootCursor, type Cursor, type FieldSet } from './field-set.js';
import { fieldElement } from './path.js';
import { fieldNode, isObj, itemElements, itemsOf, listTypeOf, shapeOf, type Shape } from './schema-view.js';

export interface Comparison {
  added: FieldSet;
  modified: FieldSet;
  removed: FieldSet;
}

export function compare(lhs: unknown, rhs: unknown, node: SchemaNode): Comparison {
  const c: Comparison = { added: emptySet(), modified: emptySet(), removed: emptySet() };
  visit(lhs, rhs, node, rootCursor(c.added, c.modified, c.removed));
  return c;
}

const ADDED = 0;
const MODIFIED = 1;
const REMOVED = 2;

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

function visit(lhs: unknown, rhs: unknown, node: SchemaNode, at: Cursor): void {
  const s = shape(node, lhs, rhs);
  if (s === 'leaf') {
    if (lhs === undefined) mark(at, ADDED);
    else if (rhs === undefined) mark(at, REMOVED);
    else if (!isDeepStrictEqual(lhs, rhs)) mark(at, MODIFIED);
    return;
  }
  if (s === 'list') visitList(asList(lhs), asList(rhs), node, at);
  else visitMap(asMap(lhs), asMap(rhs), node, at);
  if (lhs === undefined) mark(at, ADDED);
  else if (rhs === undefined) mark(at, REMOVED);
}

const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const asMap = (v: unknown): Record<string, unknown> => (isObj(v) ? v : {});

function visitMap(lhs: Record<string, unknown>, rhs: Record<string, unknown>, node: SchemaNode, at: Cursor): void {
  for (const k in lhs) {
    if (lhs[k] === undefined) continue;
    visit(lhs[k], rhs[k], fieldNode(node, k), childCursor(at, fieldElement(k)));
  }
  for (const k in rhs) {
    if (rhs[k] === undefined || lhs[k] !== undefined) continue;
    visit(undefined, rhs[k], fieldNode(node, k), childCursor(at, fieldElement(k)));
  }
}

function visitList(lhs: unknown[], rhs: unknown[], node: SchemaNode, at: Cursor): void {
  const lt = listTypeOf(node);
  const items = itemsOf(node);
  const le = itemElements(lt, lhs, [], false);
  const re = itemElements(lt, rhs, [], false);
  const right = new Map(re.map((e, i) => [e, rhs[i]] as const));
  const left = new Set(le);
  le.forEach((e, i) => visit(lhs[i], right.get(e), items, childCursor(at, e)));
  re.forEach((e, i) => {
    if (!left.has(e)) visit(undefined, rhs[i], items, childCursor(at, e));
  });
}
