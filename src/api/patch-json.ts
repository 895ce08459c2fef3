// RFC 6902 JSON patch with RFC 6901 pointers. A malformed document throws BadRequestError; an operation
// that cannot apply to this target is returned as a `failure` cause (the API answers 422 for those).

import { BadRequestError, type FieldCause } from '../errors.js';
import { invalid, notFound } from './validation/field.js';

type Json = Record<string, unknown>;
type Container = Json | unknown[];

interface Operation {
  op: 'add' | 'remove' | 'replace' | 'move' | 'copy' | 'test';
  path: string;
  from?: string;
  value?: unknown;
}

/** Thrown inside the applier for an operation that does not apply; caught and returned as a value. */
class PatchFailure {
  constructor(readonly cause: FieldCause) {}
}

const OPS = new Set(['add', 'remove', 'replace', 'move', 'copy', 'test']);

function parseOperations(patch: unknown): Operation[] {
  if (!Array.isArray(patch)) throw new BadRequestError('the json patch must be a JSON array of operations');
  return patch.map((raw, i) => {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new BadRequestError(`json patch operation ${i} is not an object`);
    const op = raw as Json;
    if (typeof op.op !== 'string' || !OPS.has(op.op)) throw new BadRequestError(`json patch operation ${i}: unexpected op ${JSON.stringify(op.op ?? null)}`);
    if (typeof op.path !== 'string') throw new BadRequestError(`json patch operation ${i} (${op.op}) is missing "path"`);
    if ((op.op === 'move' || op.op === 'copy') && typeof op.from !== 'string') {
      throw new BadRequestError(`json patch operation ${i} (${op.op}) is missing "from"`);
    }
    if ((op.op === 'add' || op.op === 'replace' || op.op === 'test') && !('value' in op)) {
      throw new BadRequestError(`json patch operation ${i} (${op.op}) is missing "value"`);
    }
    return op as unknown as Operation;
  });
}

/** "/a/b~1c/0" → ["a", "b/c", "0"]; "" is the whole document. */
export function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new BadRequestError(`json patch path ${JSON.stringify(pointer)} must start with "/"`);
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** "/spec/containers/0/image" → "spec.containers[0].image", the API's field notation. */
function fieldOf(pointer: string): string {
  let out = '';
  for (const seg of parsePointer(pointer)) out += /^\d+$/.test(seg) ? `[${seg}]` : out ? `.${seg}` : seg;
  return out;
}

function missing(pointer: string): PatchFailure {
  return new PatchFailure(notFound(fieldOf(pointer), pointer));
}

function arrayIndex(arr: unknown[], seg: string, pointer: string, forAdd: boolean): number {
  if (forAdd && seg === '-') return arr.length;
  if (!/^(0|[1-9]\d*)$/.test(seg)) throw missing(pointer);
  const i = Number(seg);
  if (i > arr.length || (!forAdd && i === arr.length)) throw missing(pointer);
  return i;
}

/** The container holding the last segment of `pointer`, and that segment. */
function parentOf(doc: unknown, pointer: string): [Container, string] {
  const segs = parsePointer(pointer);
  let cur: unknown = doc;
  for (const seg of segs.slice(0, -1)) {
    if (Array.isArray(cur)) cur = cur[arrayIndex(cur, seg, pointer, false)];
    else if (typeof cur === 'object' && cur !== null && Object.hasOwn(cur, seg)) cur = (cur as Json)[seg];
    else throw missing(pointer);
  }
  if (typeof cur !== 'object' || cur === null) throw missing(pointer);
  return [cur as Container, segs[segs.length - 1]];
}

function get(doc: unknown, pointer: string): unknown {
  if (pointer === '') return doc;
  const [parent, key] = parentOf(doc, pointer);
  if (Array.isArray(parent)) return parent[arrayIndex(parent, key, pointer, false)];
  if (!Object.hasOwn(parent, key)) throw missing(pointer);
  return parent[key];
}

function add(doc: unknown, pointer: string, value: unknown): unknown {
  if (pointer === '') return value;
  const [parent, key] = parentOf(doc, pointer);
  if (Array.isArray(parent)) parent.splice(arrayIndex(parent, key, pointer, true), 0, value);
  else parent[key] = value;
  return doc;
}

function remove(doc: unknown, pointer: string): unknown {
  if (pointer === '') throw new BadRequestError('json patch cannot remove the whole document');
  const [parent, key] = parentOf(doc, pointer);
  if (Array.isArray(parent)) parent.splice(arrayIndex(parent, key, pointer, false), 1);
  else if (Object.hasOwn(parent, key)) delete parent[key];
  else throw missing(pointer);
  return doc;
}

function applyOne(doc: unknown, op: Operation): unknown {
  switch (op.op) {
    case 'add':
      return add(doc, op.path, structuredClone(op.value));
    case 'remove':
      return remove(doc, op.path);
    case 'replace':
      get(doc, op.path);
      return add(remove(doc, op.path), op.path, structuredClone(op.value));
    case 'move': {
      if (op.path.startsWith(`${op.from}/`)) throw new BadRequestError(`json patch cannot move ${op.from} into its own child ${op.path}`);
      const value = get(doc, op.from!);
      return add(remove(doc, op.from!), op.path, value);
    }
    case 'copy':
      return add(doc, op.path, structuredClone(get(doc, op.from!)));
    case 'test': {
      const actual = get(doc, op.path);
      if (!deepEqual(actual, op.value)) {
        throw new PatchFailure(invalid(fieldOf(op.path), op.value ?? null, `testing value ${op.path} failed: test failed`));
      }
      return doc;
    }
  }
}

/** JSON deep equality; object key order does not matter. */
function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  }
  const ak = Object.keys(a);
  const bo = b as Json;
  return ak.length === Object.keys(bo).length && ak.every((k) => Object.hasOwn(bo, k) && deepEqual((a as Json)[k], bo[k]));
}

/** Applies every operation in order to a copy of `target`; all or nothing. */
export function applyJsonPatch(target: unknown, patch: unknown): { value: unknown } | { failure: FieldCause } {
  const ops = parseOperations(patch);
  let doc: unknown = structuredClone(target);
  try {
    for (const op of ops) doc = applyOne(doc, op);
  } catch (err) {
    if (err instanceof PatchFailure) return { failure: err.cause };
    throw err;
  }
  return { value: doc };
}
