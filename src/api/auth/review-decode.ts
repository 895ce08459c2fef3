// Decoding a review's request body as the apiserver's create handler does, with its 400 wording:
// the body's apiVersion and kind must be the ones the URL names (or absent), each known field must
// have the JSON type its Go field takes, unknown fields are dropped and null reads as absent.
//
//   SelfSubjectAccessReview in version "v1" cannot be handled as a SelfSubjectAccessReview:
//     json: cannot unmarshal number into Go struct field ResourceAttributes.spec.resourceAttributes.verb of type string
//   the API version in the data (authorization.k8s.io/v1beta1) does not match the expected API version (authorization.k8s.io/v1)

import { BadRequestError } from '../../errors.js';

/** A Go struct: its qualified type name (as %v prints it, "v1.ResourceAttributes") and its JSON fields. */
export interface StructShape {
  goType: string;
  fields: Record<string, FieldShape>;
}

/** 'object' takes any JSON object as is (a map, or a struct not checked here); 'any' takes any value. */
export type FieldShape = 'string' | 'bool' | 'strings' | 'object' | 'any' | StructShape;

/** What the URL says the body must be. */
export interface ExpectedKind {
  group: string;
  version: string;
  kind: string;
}

/**
 * Checks the body's apiVersion and kind against the URL's, then decodes the fields `shape` knows.
 * BadRequestError with the apiserver's wording when the body cannot be a `expected.kind`.
 */
export function decodeReview(body: unknown, expected: ExpectedKind, shape: StructShape): Record<string, unknown> {
  const groupVersion = `${expected.group}/${expected.version}`;
  if (!isObject(body)) {
    throw new BadRequestError(`the object provided is unrecognized (must be of type ${expected.kind}): the body is not a JSON object`);
  }
  const apiVersion = typeMetaField(body, 'apiVersion', expected.kind);
  const kind = typeMetaField(body, 'kind', expected.kind);
  if (kind !== '' && kind !== expected.kind) {
    const version = apiVersion === '' ? expected.version : apiVersion.slice(apiVersion.indexOf('/') + 1);
    throw new BadRequestError(
      `${kind} in version ${JSON.stringify(version)} cannot be handled as a ${expected.kind}: ` +
        `no kind ${JSON.stringify(kind)} is registered for version ${JSON.stringify(apiVersion || groupVersion)} in scheme "pkg/api/legacyscheme/scheme.go:30"`,
    );
  }
  if (apiVersion !== '' && apiVersion !== groupVersion) {
    throw new BadRequestError(`the API version in the data (${apiVersion}) does not match the expected API version (${groupVersion})`);
  }
  return decodeStruct(body, shape, [], (msg) => {
    throw new BadRequestError(`${expected.kind} in version ${JSON.stringify(expected.version)} cannot be handled as a ${expected.kind}: ${msg}`);
  });
}

function typeMetaField(body: Record<string, unknown>, key: 'apiVersion' | 'kind', kind: string): string {
  const v = body[key];
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  throw new BadRequestError(
    `the object provided is unrecognized (must be of type ${kind}): couldn't get version/kind; json parse error: ` +
      `json: cannot unmarshal ${jsonType(v)} into Go struct field .${key} of type string`,
  );
}

function decodeStruct(value: Record<string, unknown>, shape: StructShape, path: string[], fail: (msg: string) => never): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const structName = shape.goType.slice(shape.goType.lastIndexOf('.') + 1);
  for (const [key, field] of Object.entries(shape.fields)) {
    if (!Object.prototype.hasOwnProperty.call(value, key)) continue;
    const v = value[key];
    if (v === null || v === undefined) continue;
    const fieldPath = [...path, key];
    const mismatch = (goType: string): never =>
      fail(`json: cannot unmarshal ${jsonType(v)} into Go struct field ${structName}.${fieldPath.join('.')} of type ${goType}`);
    if (field === 'any') {
      out[key] = v;
    } else if (field === 'string') {
      if (typeof v !== 'string') mismatch('string');
      out[key] = v;
    } else if (field === 'bool') {
      if (typeof v !== 'boolean') mismatch('bool');
      out[key] = v;
    } else if (field === 'strings') {
      if (!Array.isArray(v)) mismatch('[]string');
      // An element of the wrong type reports the slice's element type, as Go does.
      for (const item of v as unknown[]) {
        if (typeof item !== 'string' && item !== null) mismatch('string');
      }
      out[key] = (v as unknown[]).map((item) => item ?? '');
    } else if (field === 'object') {
      if (!isObject(v)) mismatch('map[string]interface {}');
      out[key] = v;
    } else {
      if (!isObject(v)) mismatch(field.goType);
      out[key] = decodeStruct(v as Record<string, unknown>, field, fieldPath, fail);
    }
  }
  return out;
}

/** The JSON type name Go's UnmarshalTypeError uses. */
function jsonType(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'boolean') return 'bool';
  return typeof v; // string, number, object
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** metav1.ObjectMeta, enough to check that a review's metadata is empty. */
export const OBJECT_META: StructShape = {
  goType: 'v1.ObjectMeta',
  fields: {
    name: 'string',
    generateName: 'string',
    namespace: 'string',
    selfLink: 'string',
    uid: 'string',
    resourceVersion: 'string',
    generation: 'any',
    creationTimestamp: 'any',
    deletionTimestamp: 'any',
    deletionGracePeriodSeconds: 'any',
    labels: 'object',
    annotations: 'object',
    ownerReferences: 'any',
    finalizers: 'strings',
    managedFields: 'any',
  },
};

/**
 * Whether decoded metadata equals an empty ObjectMeta apart from managedFields, with apimachinery's
 * semantic equality: "", 0, false, null, [] and {} are all empty.
 */
export function isEmptyMeta(meta: Record<string, unknown>): boolean {
  return Object.entries(meta).every(([k, v]) => k === 'managedFields' || isZero(v));
}

function isZero(v: unknown): boolean {
  if (v === null || v === undefined || v === '' || v === 0 || v === false) return true;
  if (Array.isArray(v)) return v.length === 0;
  if (isObject(v)) return Object.keys(v).length === 0;
  return false;
}
