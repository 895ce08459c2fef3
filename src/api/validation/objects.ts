// Validation of ConfigMap, Secret, Namespace and Node (upstream ValidateConfigMap, ValidateSecret,
// ValidateNamespace, ValidateNode), on create and update; Events have events.ts.

import type { FieldCause } from '../../errors.js';
import type { KubeObject } from '../../k8s/types.js';
import { asArray, asObject, forbidden, invalid, invalidEach, type Json, required, str, tooLong } from './field.js';
import { type MetaRules, validateObjectMeta, validateObjectMetaUpdate } from './meta.js';
import { isConfigMapKey, isQualifiedName } from './names.js';

/** ConfigMaps and Secrets hold at most 1 MiB of data. */
export const MAX_DATA_SIZE = 1024 * 1024;
const IMMUTABLE_WHEN_SET = 'field is immutable when `immutable` is set';

export const CONFIGMAP_META: MetaRules = { namespaced: true, name: 'subdomain' };
export const SECRET_META: MetaRules = { namespaced: true, name: 'subdomain' };
export const NAMESPACE_META: MetaRules = { namespaced: false, name: 'label' };
export const NODE_META: MetaRules = { namespaced: false, name: 'subdomain' };

/**
 * Byte offset of the first invalid character of standard base64 (padding required), or -1 if valid;
 * the offset mirrors Go's "illegal base64 data at input byte N".
 */
export function base64ErrorOffset(s: string): number {
  const bad = /[^A-Za-z0-9+/=]/.exec(s);
  if (bad) return bad.index;
  const pad = s.indexOf('=');
  // Padding may only end the input, as one or two '=' completing a 4-character group.
  if (pad >= 0 && (!/^={1,2}$/.test(s.slice(pad)) || s.length % 4 !== 0)) return pad;
  if (s.length % 4 !== 0) return s.length - (s.length % 4);
  return -1;
}

function base64Size(s: string): number {
  return Buffer.from(s, 'base64').length;
}

export function validateConfigMap(obj: KubeObject): FieldCause[] {
  const errs = validateObjectMeta(obj.metadata, CONFIGMAP_META);
  const data = asObject(obj.data);
  const binary = asObject(obj.binaryData);
  let total = 0;
  for (const [k, v] of Object.entries(data)) {
    errs.push(...invalidEach(`data[${k}]`, k, isConfigMapKey(k)));
    if (k in binary) errs.push(invalid(`data[${k}]`, k, 'duplicate of key present in binaryData'));
    total += Buffer.byteLength(str(v));
  }
  for (const [k, v] of Object.entries(binary)) {
    errs.push(...invalidEach(`binaryData[${k}]`, k, isConfigMapKey(k)));
    const off = base64ErrorOffset(str(v));
    if (off >= 0) errs.push(invalid(`binaryData[${k}]`, '<binary>', `illegal base64 data at input byte ${off}`));
    else total += base64Size(str(v));
  }
  if (total > MAX_DATA_SIZE) errs.push(tooLong('', MAX_DATA_SIZE));
  return errs;
}

function validateImmutableData(obj: KubeObject, old: KubeObject, keys: string[]): FieldCause[] {
  if (old.immutable !== true) return [];
  const errs: FieldCause[] = [];
  if (obj.immutable !== true) errs.push(forbidden('immutable', IMMUTABLE_WHEN_SET));
  for (const k of keys) {
    if (JSON.stringify(sorted(asObject(obj[k]))) !== JSON.stringify(sorted(asObject(old[k])))) {
      errs.push(forbidden(k, IMMUTABLE_WHEN_SET));
    }
  }
  return errs;
}

function sorted(o: Json): [string, unknown][] {
  return Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

export function validateConfigMapUpdate(obj: KubeObject, old: KubeObject): FieldCause[] {
  const errs = validateObjectMetaUpdate(obj.metadata, old.metadata, CONFIGMAP_META);
  errs.push(...validateImmutableData(obj, old, ['data', 'binaryData']));
  errs.push(...validateConfigMap(obj).filter((e) => !e.field.startsWith('metadata.')));
  return errs;
}

/** Keys a typed Secret must carry (upstream ValidateSecret). */
const REQUIRED_SECRET_KEYS: Record<string, string[]> = {
  'kubernetes.io/dockercfg': ['.dockercfg'],
  'kubernetes.io/dockerconfigjson': ['.dockerconfigjson'],
  'kubernetes.io/ssh-auth': ['ssh-privatekey'],
  'kubernetes.io/tls': ['tls.crt', 'tls.key'],
};

export function validateSecret(obj: KubeObject): FieldCause[] {
  const errs = validateObjectMeta(obj.metadata, SECRET_META);
  const data = asObject(obj.data);
  let total = 0;
  for (const [k, v] of Object.entries(data)) {
    errs.push(...invalidEach(`data[${k}]`, k, isConfigMapKey(k)));
    const off = base64ErrorOffset(str(v));
    if (off >= 0) errs.push(invalid(`data[${k}]`, '<secret contents redacted>', `illegal base64 data at input byte ${off}`));
    else total += base64Size(str(v));
  }
  for (const k of Object.keys(asObject(obj.stringData))) {
    errs.push(...invalidEach(`stringData[${k}]`, k, isConfigMapKey(k)));
  }
  if (total > MAX_DATA_SIZE) errs.push(tooLong('data', MAX_DATA_SIZE));
  const type = str(obj.type);
  for (const key of REQUIRED_SECRET_KEYS[type] ?? []) {
    if (!(key in data)) errs.push(required(`data[${key}]`));
  }
  if (type === 'kubernetes.io/basic-auth' && !('username' in data) && !('password' in data)) {
    errs.push(required('data[username]', 'either username or password is required'));
  }
  return errs;
}

export function validateSecretUpdate(obj: KubeObject, old: KubeObject): FieldCause[] {
  const errs = validateObjectMetaUpdate(obj.metadata, old.metadata, SECRET_META);
  if (str(obj.type) !== str(old.type)) errs.push(invalid('type', str(obj.type), 'field is immutable'));
  errs.push(...validateImmutableData(obj, old, ['data']));
  errs.push(...validateSecret(obj).filter((e) => !e.field.startsWith('metadata.')));
  return errs;
}

function validateNamespaceFinalizers(obj: KubeObject): FieldCause[] {
  const errs: FieldCause[] = [];
  asArray(asObject(obj.spec).finalizers).forEach((f, i) => {
    const name = str(f);
    const msgs = isQualifiedName(name);
    errs.push(...invalidEach(`spec.finalizers[${i}]`, name, msgs));
    if (msgs.length === 0 && !name.includes('/') && name !== 'kubernetes') {
      errs.push(invalid(`spec.finalizers[${i}]`, name, 'name is neither a standard finalizer name nor is it fully qualified'));
    }
  });
  return errs;
}

export function validateNamespace(obj: KubeObject): FieldCause[] {
  return [...validateObjectMeta(obj.metadata, NAMESPACE_META), ...validateNamespaceFinalizers(obj)];
}

export function validateNamespaceUpdate(obj: KubeObject, old: KubeObject): FieldCause[] {
  return [...validateObjectMetaUpdate(obj.metadata, old.metadata, NAMESPACE_META), ...validateNamespaceFinalizers(obj)];
}

export function validateNode(obj: KubeObject): FieldCause[] {
  return validateObjectMeta(obj.metadata, NODE_META);
}

export function validateNodeUpdate(obj: KubeObject, old: KubeObject): FieldCause[] {
  return validateObjectMetaUpdate(obj.metadata, old.metadata, NODE_META);
}

/** Core v1 events: light checks of what kubectl and the event recorder rely on. */
