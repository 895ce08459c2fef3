// Sets of field paths (upstream's fieldpath.Set), as a trie keyed by path elements (path.ts). A node
// is a member when its own path is in the set; it may also have children. Operations return new sets
// and never mutate their inputs, sharing the subtrees they leave unchanged (sets are immutable once
// built); `insert` mutates the set it is given and is only for building a fresh one.
//
// FieldsV1 is the JSON form apiserver stores in managedFields[].fieldsV1: every child by its element
// string, `{}` for a member without children, and `".": {}` first when a node with children is a
// member itself. Elements are sorted as upstream's PathElement.Compare sorts them.

import { compareElements, isValidElement, keyElement, valueElement, type Path } from './path.js';

export interface FieldSet {
  member: boolean;
  children: Map<string, FieldSet>;
}

export function emptySet(): FieldSet {
  return { member: false, children: new Map() };
}

/** Adds `path` (a no-op for the empty path, as upstream). */
export function insert(set: FieldSet, path: Path): void {
  if (path.length === 0) return;
  let node = set;
  for (const e of path) {
    let child = node.children.get(e);
    if (!child) node.children.set(e, (child = emptySet()));
    node = child;
  }
  node.member = true;
}

/**
 * A position while building sets by walking an object: members are marked without copying paths, and a
 * node is only made when something at or below it is marked (so built sets have no empty nodes).
 */
export interface Cursor {
  parent?: Cursor;
  e: string;
  nodes: (FieldSet | undefined)[];
}

export function rootCursor(...sets: FieldSet[]): Cursor {
  return { e: '', nodes: sets };
}

export function childCursor(c: Cursor, e: string): Cursor {
  return { parent: c, e, nodes: [] };
}

function nodeAt(c: Cursor, k: number): FieldSet {
  let n = c.nodes[k];
  if (n) return n;
  const p = nodeAt(c.parent!, k);
  n = p.children.get(c.e);
  if (!n) p.children.set(c.e, (n = emptySet()));
  c.nodes[k] = n;
  return n;
}

/** Inserts the cursor's path into its `k`th set (a no-op at the root, as for the empty path). */
export function mark(c: Cursor, k = 0): void {
  if (c.parent) nodeAt(c, k).member = true;
}

export function cursorPath(c: Cursor): string[] {
  const out: string[] = [];
  for (let at: Cursor | undefined = c; at?.parent; at = at.parent) out.unshift(at.e);
  return out;
}

export function setOf(...paths: Path[]): FieldSet {
  const s = emptySet();
  for (const p of paths) insert(s, p);
  return s;
}

export function isEmpty(set: FieldSet): boolean {
  if (set.member) return false;
  for (const c of set.children.values()) if (!isEmpty(c)) return false;
  return true;
}

export function has(set: FieldSet, path: Path): boolean {
  let node: FieldSet | undefined = set;
  for (const e of path) {
    node = node.children.get(e);
    if (!node) return false;
  }
  return node.member && path.length > 0;
}

/** The subtree under `e` (upstream's WithPrefix), or undefined. */
export function childSet(set: FieldSet, e: string): FieldSet | undefined {
  return set.children.get(e);
}

const isBare = (s: FieldSet) => !s.member && s.children.size === 0;

export function union(a: FieldSet, b: FieldSet): FieldSet {
  if (isBare(b)) return a;
  if (isBare(a)) return b;
  const out: FieldSet = { member: a.member || b.member, children: new Map() };
  for (const [e, c] of a.children) {
    const other = b.children.get(e);
    out.children.set(e, other ? union(c, other) : c);
  }
  for (const [e, c] of b.children) if (!a.children.has(e)) out.children.set(e, c);
  return out;
}

/** Members of `a` that are not members of `b` (children compared level by level). */
export function difference(a: FieldSet, b: FieldSet): FieldSet {
  if (isBare(b)) return a;
  const out: FieldSet = { member: a.member && !b.member, children: new Map() };
  for (const [e, c] of a.children) {
    const other = b.children.get(e);
    const d = other ? difference(c, other) : c;
    if (!isEmpty(d)) out.children.set(e, d);
  }
  return out;
}

/** Members present in both. */
export function intersection(a: FieldSet, b: FieldSet): FieldSet {
  const out: FieldSet = { member: a.member && b.member, children: new Map() };
  for (const [e, c] of a.children) {
    const other = b.children.get(e);
    if (!other) continue;
    const i = intersection(c, other);
    if (!isEmpty(i)) out.children.set(e, i);
  }
  return out;
}

/** Members of `a` that are neither members of `b` nor below one (upstream's RecursiveDifference). */
export function recursiveDifference(a: FieldSet, b: FieldSet): FieldSet {
  if (isBare(b)) return a;
  const out: FieldSet = { member: a.member && !b.member, children: new Map() };
  for (const [e, c] of a.children) {
    const other = b.children.get(e);
    if (other?.member) continue;
    const d = other ? recursiveDifference(c, other) : c;
    if (!isEmpty(d)) out.children.set(e, d);
  }
  return out;
}

/** Every member path, as upstream's Set.Iterate: a node's members in sorted order, then its children's. */
export function members(set: FieldSet, prefix: string[] = []): string[][] {
  const out: string[][] = [];
  const keys = sortedKeys(set);
  for (const e of keys) if (set.children.get(e)!.member) out.push([...prefix, e]);
  for (const e of keys) out.push(...members(set.children.get(e)!, [...prefix, e]).filter((p) => p.length > prefix.length + 1));
  return out;
}

function sortedKeys(set: FieldSet): string[] {
  return [...set.children.keys()].sort(compareElements);
}

type FieldsV1 = Record<string, unknown>;

export function toFieldsV1(set: FieldSet): FieldsV1 {
  const out: FieldsV1 = {};
  for (const e of sortedKeys(set)) {
    const child = set.children.get(e)!;
    const inner = toFieldsV1(child);
    const hasInner = Object.keys(inner).length > 0;
    if (!hasInner && !child.member) continue;
    out[e] = child.member && hasInner ? { '.': {}, ...inner } : inner;
  }
  return out;
}

/** Parses a FieldsV1 object; throws on anything upstream's FieldsToSet refuses. */
export function fromFieldsV1(json: unknown): FieldSet {
  const set = emptySet();
  parseInto(set, json, true);
  return set;
}

function parseInto(node: FieldSet, json: unknown, root: boolean): void {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw new Error('fieldsV1 must be an object');
  const entries = Object.entries(json as FieldsV1);
  if (entries.length === 0 && !root) node.member = true;
  for (const [e, v] of entries) {
    if (e === '.') {
      if (root) throw new Error('"." at the root of fieldsV1');
      node.member = true;
      continue;
    }
    const key = canonical(e);
    let child = node.children.get(key);
    if (!child) node.children.set(key, (child = emptySet()));
    parseInto(child, v, false);
  }
}

/** The element as this module writes it (keys sorted, compact JSON), so equal paths compare equal. */
function canonical(e: string): string {
  if (!isValidElement(e)) throw new Error(`unknown path element ${JSON.stringify(e)}`);
  if (e[0] === 'v') return valueElement(JSON.parse(e.slice(2)));
  if (e[0] !== 'k') return e;
  const key: unknown = JSON.parse(e.slice(2));
  if (key === null || typeof key !== 'object' || Array.isArray(key)) throw new Error(`bad key element ${JSON.stringify(e)}`);
  return keyElement(Object.entries(key));
}
