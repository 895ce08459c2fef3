// ObjectMeta validation on create and update (apimachinery's ValidateObjectMeta / ValidateObjectMetaUpdate).

import type { FieldCause } from '../../errors.js';
import type { ObjectMeta } from '../../k8s/types.js';
import { asArray, forbidden, invalid, invalidEach, isObject, required, str, tooLong } from './field.js';
import {
  annotationsSize,
  isDNS1123Label,
  isQualifiedName,
  isValidLabelValue,
  TOTAL_ANNOTATION_SIZE_LIMIT,
  validateObjectName,
} from './names.js';

export interface MetaRules {
  /** Whether the kind lives in a namespace (then metadata.namespace is required and a DNS label). */
  namespaced: boolean;
  /** The rule for metadata.name: most kinds use a DNS subdomain, namespaces a DNS label. */
  name: 'subdomain' | 'label';
}

const STANDARD_FINALIZERS = new Set(['kubernetes', 'orphan', 'foregroundDeletion']);
const IMMUTABLE_MSG = 'field is immutable';

export function validateLabels(labels: unknown, field: string): FieldCause[] {
  if (!isObject(labels)) return [];
  const errs: FieldCause[] = [];
  for (const [k, v] of Object.entries(labels)) {
    errs.push(...invalidEach(field, k, isQualifiedName(k)));
    errs.push(...invalidEach(field, v, isValidLabelValue(str(v))));
  }
  return errs;
}

export function validateAnnotations(annotations: unknown, field: string): FieldCause[] {
  if (!isObject(annotations)) return [];
  const errs: FieldCause[] = [];
  for (const k of Object.keys(annotations)) {
    errs.push(...invalidEach(field, k, isQualifiedName(k.toLowerCase())));
  }
  if (annotationsSize(annotations as Record<string, string>) > TOTAL_ANNOTATION_SIZE_LIMIT) {
    errs.push(tooLong(field, TOTAL_ANNOTATION_SIZE_LIMIT));
  }
  return errs;
}

function validateFinalizers(finalizers: unknown, field: string): FieldCause[] {
  const errs: FieldCause[] = [];
  asArray(finalizers).forEach((f, i) => {
    const name = str(f);
    const path = `${field}[${i}]`;
    const msgs = isQualifiedName(name);
    errs.push(...invalidEach(path, name, msgs));
    if (msgs.length === 0 && !name.includes('/') && !STANDARD_FINALIZERS.has(name)) {
      errs.push(invalid(path, name, 'name is neither a standard finalizer name nor is it fully qualified'));
    }
  });
  return errs;
}

function validateOwnerReferences(refs: unknown, field: string): FieldCause[] {
  const errs: FieldCause[] = [];
  asArray(refs).forEach((r, i) => {
    const ref = isObject(r) ? r : {};
    const path = `${field}[${i}]`;
    if (!str(ref.apiVersion)) errs.push(invalid(`${path}.apiVersion`, str(ref.apiVersion), 'version must not be empty'));
    if (!str(ref.kind)) errs.push(invalid(`${path}.kind`, str(ref.kind), 'kind must not be empty'));
    if (!str(ref.name)) errs.push(invalid(`${path}.name`, str(ref.name), 'name must not be empty'));
    if (!str(ref.uid)) errs.push(invalid(`${path}.uid`, str(ref.uid), 'uid must not be empty'));
  });
  return errs;
}

/** metadata checks on create; names must already be generated if generateName was used. */
export function validateObjectMeta(meta: ObjectMeta | undefined, rules: MetaRules): FieldCause[] {
  const m: ObjectMeta = isObject(meta) ? meta : {};
  const errs: FieldCause[] = [];
  const name = str(m.name);
  const generateName = str(m.generateName);
  if (generateName) {
    errs.push(...invalidEach('metadata.generateName', generateName, validateObjectName(rules.name, generateName, true)));
  }
  if (!name && !generateName) errs.push(required('metadata.name', 'name or generateName is required'));
  else if (name) errs.push(...invalidEach('metadata.name', name, validateObjectName(rules.name, name, false)));
  const ns = str(m.namespace);
  if (rules.namespaced) {
    if (!ns) errs.push(required('metadata.namespace'));
    else errs.push(...invalidEach('metadata.namespace', ns, isDNS1123Label(ns)));
  } else if (ns) {
    errs.push(forbidden('metadata.namespace', 'not allowed on this type'));
  }
  if (typeof m.generation === 'number' && m.generation < 0) {
    errs.push(invalid('metadata.generation', m.generation, 'must be greater than or equal to 0'));
  }
  errs.push(...validateLabels(m.labels, 'metadata.labels'));
  errs.push(...validateAnnotations(m.annotations, 'metadata.annotations'));
  errs.push(...validateOwnerReferences(m.ownerReferences, 'metadata.ownerReferences'));
  errs.push(...validateFinalizers(m.finalizers, 'metadata.finalizers'));
  return errs;
}

/** metadata checks on update: the create rules plus identity fields that never change. */
export function validateObjectMetaUpdate(
  meta: ObjectMeta | undefined,
  old: ObjectMeta | undefined,
  rules: MetaRules,
): FieldCause[] {
  const m: ObjectMeta = isObject(meta) ? meta : {};
  const o: ObjectMeta = isObject(old) ? old : {};
  const errs = validateObjectMeta(m, rules);
  for (const key of ['name', 'namespace', 'uid'] as const) {
    if (str(m[key]) !== str(o[key])) errs.push(invalid(`metadata.${key}`, str(m[key]), IMMUTABLE_MSG));
  }
  if (m.creationTimestamp && o.creationTimestamp && m.creationTimestamp !== o.creationTimestamp) {
    errs.push(invalid('metadata.creationTimestamp', m.creationTimestamp, IMMUTABLE_MSG));
  }
  return errs;
}
