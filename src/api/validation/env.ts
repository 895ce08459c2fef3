// Container env and envFrom validation, and the downward-API selectors shared with downwardAPI volumes.

import type { FieldCause } from '../../errors.js';
import { isValidQuantity } from '../../k8s/quantity.js';
import { asArray, asObject, invalid, invalidEach, isObject, type Json, notSupported, required, str } from './field.js';
import { isConfigMapKey, isDNS1123Subdomain, isEnvVarName, isQualifiedName } from './names.js';

/** Field paths every downward-API consumer may read (upstream ConvertDownwardAPIFieldLabel). */
const CONVERTIBLE_FIELD_PATHS = new Set([
  'metadata.annotations', 'metadata.labels', 'metadata.name', 'metadata.namespace', 'metadata.uid',
  'spec.nodeName', 'spec.restartPolicy', 'spec.serviceAccountName', 'spec.schedulerName', 'status.phase',
  'status.hostIP', 'status.hostIPs', 'status.podIP', 'status.podIPs',
]);
/** What env vars may read, sorted as upstream prints them. */
const ENV_FIELD_PATHS = [
  'metadata.name', 'metadata.namespace', 'metadata.uid', 'spec.nodeName', 'spec.serviceAccountName',
  'status.hostIP', 'status.hostIPs', 'status.podIP', 'status.podIPs',
];
/** What downwardAPI volume files may hold. */
const VOLUME_FIELD_PATHS = ['metadata.annotations', 'metadata.labels', 'metadata.name', 'metadata.namespace', 'metadata.uid'];
const CONTAINER_RESOURCES = [
  'limits.cpu', 'limits.ephemeral-storage', 'limits.memory', 'requests.cpu', 'requests.ephemeral-storage', 'requests.memory',
];

/** `metadata.labels['key']` → ['metadata.labels', 'key']; anything else → null. */
function splitSubscript(path: string): [string, string] | null {
  const m = /^(.*)\['(.*)'\]$/.exec(path);
  return m ? [m[1], m[2]] : null;
}

/** An ObjectFieldSelector (fieldRef) used by env (`env`) or a downwardAPI volume (`volume`). */
export function validateFieldSelector(ref: Json, field: string, use: 'env' | 'volume'): FieldCause[] {
  const apiVersion = str(ref.apiVersion);
  const fieldPath = str(ref.fieldPath);
  if (!apiVersion) return [required(`${field}.apiVersion`)];
  if (!fieldPath) return [required(`${field}.fieldPath`)];
  if (apiVersion !== 'v1') {
    return [invalid(`${field}.fieldPath`, fieldPath, `error converting fieldPath: unsupported pod version: ${apiVersion}`)];
  }
  const unsupported = invalid(`${field}.fieldPath`, fieldPath, `error converting fieldPath: field label not supported: ${fieldPath}`);
  const sub = splitSubscript(fieldPath);
  if (sub) {
    const [base, key] = sub;
    if (base === 'metadata.annotations') return invalidEach(field, key.toLowerCase(), isQualifiedName(key.toLowerCase()));
    if (base === 'metadata.labels') return invalidEach(field, key, isQualifiedName(key));
    return [unsupported];
  }
  if (!CONVERTIBLE_FIELD_PATHS.has(fieldPath)) return [unsupported];
  const allowed = use === 'env' ? ENV_FIELD_PATHS : VOLUME_FIELD_PATHS;
  return allowed.includes(fieldPath) ? [] : [notSupported(`${field}.fieldPath`, fieldPath, allowed)];
}

/** A ResourceFieldSelector; containerName is required only inside downwardAPI volumes. */
export function validateResourceFieldSelector(ref: Json, field: string, needsContainer: boolean): FieldCause[] {
  const errs: FieldCause[] = [];
  if (needsContainer && !str(ref.containerName)) errs.push(required(`${field}.containerName`));
  const resource = str(ref.resource);
  if (!resource) errs.push(required(`${field}.resource`));
  else if (!CONTAINER_RESOURCES.includes(resource) && !/^(limits|requests)\.hugepages-/.test(resource)) {
    errs.push(notSupported(`${field}.resource`, resource, CONTAINER_RESOURCES));
  }
  if (ref.divisor !== undefined && ref.divisor !== null && !isValidQuantity(ref.divisor)) {
    errs.push(invalid(`${field}.divisor`, ref.divisor, 'must be a valid resource quantity'));
  }
  return errs;
}

function validateKeySelector(ref: Json, field: string): FieldCause[] {
  const errs: FieldCause[] = [];
  const name = str(ref.name);
  const key = str(ref.key);
  if (!name) errs.push(required(`${field}.name`));
  else errs.push(...invalidEach(`${field}.name`, name, isDNS1123Subdomain(name)));
  if (!key) errs.push(required(`${field}.key`));
  else errs.push(...invalidEach(`${field}.key`, key, isConfigMapKey(key)));
  return errs;
}

function validateValueFrom(env: Json, field: string): FieldCause[] {
  if (!isObject(env.valueFrom)) return [];
  const from = env.valueFrom;
  const errs: FieldCause[] = [];
  let sources = 0;
  if (isObject(from.fieldRef)) {
    sources++;
    errs.push(...validateFieldSelector(from.fieldRef, `${field}.fieldRef`, 'env'));
  }
  if (isObject(from.resourceFieldRef)) {
    sources++;
    errs.push(...validateResourceFieldSelector(from.resourceFieldRef, `${field}.resourceFieldRef`, false));
  }
  for (const k of ['configMapKeyRef', 'secretKeyRef'] as const) {
    if (!isObject(from[k])) continue;
    sources++;
    errs.push(...validateKeySelector(from[k] as Json, `${field}.${k}`));
  }
  if (sources === 0) {
    errs.push(invalid(field, '', 'must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`'));
  } else if (str(env.value) !== '') {
    errs.push(invalid(field, '', 'may not be specified when `value` is not empty'));
  } else if (sources > 1) {
    errs.push(invalid(field, '', 'may not have more than one field specified at a time'));
  }
  return errs;
}

export function validateEnv(env: unknown, field: string): FieldCause[] {
  const errs: FieldCause[] = [];
  asArray(env).forEach((raw, i) => {
    const ev = asObject(raw);
    const p = `${field}[${i}]`;
    const name = str(ev.name);
    if (!name) errs.push(required(`${p}.name`));
    else errs.push(...invalidEach(`${p}.name`, name, isEnvVarName(name)));
    errs.push(...validateValueFrom(ev, `${p}.valueFrom`));
  });
  return errs;
}

export function validateEnvFrom(envFrom: unknown, field: string): FieldCause[] {
  const errs: FieldCause[] = [];
  asArray(envFrom).forEach((raw, i) => {
    const ef = asObject(raw);
    const p = `${field}[${i}]`;
    const prefix = str(ef.prefix);
    if (prefix) errs.push(...invalidEach(`${p}.prefix`, prefix, isEnvVarName(prefix)));
    let sources = 0;
    for (const k of ['configMapRef', 'secretRef'] as const) {
      if (!isObject(ef[k])) continue;
      sources++;
      const name = str((ef[k] as Json).name);
      if (!name) errs.push(required(`${p}.${k}.name`));
      else errs.push(...invalidEach(`${p}.${k}.name`, name, isDNS1123Subdomain(name)));
    }
    if (sources === 0) errs.push(invalid(p, '', 'must specify one of: `configMapRef` or `secretRef`'));
    else if (sources > 1) errs.push(invalid(p, '', 'may not have more than one field specified at a time'));
  });
  return errs;
}
