// spec.volumes validation (upstream ValidateVolumes / validateVolumeSource), for the sources peapod runs
// and a name-level check of the rest. Returns the causes and the set of valid volume names that
// volumeMounts may reference.

import type { FieldCause } from '../../errors.js';
import { isValidQuantity } from '../../k8s/quantity.js';
import {
  asArray,
  asObject,
  duplicate,
  forbidden,
  invalid,
  invalidEach,
  isObject,
  type Json,
  notSupported,
  required,
  str,
} from './field.js';
import { isDNS1123Label, isDNS1123Subdomain } from './names.js';
import { validateFieldSelector, validateResourceFieldSelector } from './env.js';
import { validateProjectedTokenSources } from '../../serviceaccounts/validation.js';

/** Every VolumeSource member of core/v1 (1.33), in upstream's checking order. */
export const VOLUME_SOURCE_TYPES = [
  'hostPath', 'emptyDir', 'gcePersistentDisk', 'awsElasticBlockStore', 'gitRepo', 'secret', 'nfs', 'iscsi',
  'glusterfs', 'persistentVolumeClaim', 'rbd', 'flexVolume', 'cinder', 'cephfs', 'flocker', 'downwardAPI', 'fc',
  'azureFile', 'configMap', 'vsphereVolume', 'quobyte', 'azureDisk', 'photonPersistentDisk', 'projected',
  'portworxVolume', 'scaleIO', 'storageos', 'csi', 'ephemeral', 'image',
] as const;

export const FILE_MODE_ERROR = 'must be a number between 0 and 0777 (octal), both inclusive';
export const QUANTITY_ERROR =
  "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
const HOST_PATH_TYPES = ['', 'BlockDevice', 'CharDevice', 'Directory', 'DirectoryOrCreate', 'File', 'FileOrCreate', 'Socket'];

/** A path that must stay inside its parent: relative and without '..' elements. */
export function validateLocalDescendingPath(path: string, field: string): FieldCause[] {
  const errs: FieldCause[] = [];
  if (path.startsWith('/')) errs.push(invalid(field, path, 'must be a relative path'));
  errs.push(...validatePathNoBacksteps(path, field));
  return errs;
}

export function validatePathNoBacksteps(path: string, field: string): FieldCause[] {
  return path.split('/').includes('..') ? [invalid(field, path, "must not contain '..'")] : [];
}

/** A file path inside a volume (items[].path): required, descending, and not starting with '..'. */
function validateLocalNonReservedPath(path: string, field: string): FieldCause[] {
  const errs = validateLocalDescendingPath(path, field);
  if (path.startsWith('..')) errs.push(invalid(field, path, "must not start with '..'"));
  return errs;
}

export function validateFileMode(mode: unknown, field: string): FieldCause[] {
  if (mode === undefined || mode === null) return [];
  const ok = typeof mode === 'number' && Number.isInteger(mode) && mode >= 0 && mode <= 0o777;
  return ok ? [] : [invalid(field, mode, FILE_MODE_ERROR)];
}

function validateKeyToPaths(items: unknown, field: string): FieldCause[] {
  const errs: FieldCause[] = [];
  asArray(items).forEach((raw, i) => {
    const item = asObject(raw);
    const p = `${field}[${i}]`;
    if (!str(item.key)) errs.push(required(`${p}.key`));
    if (!str(item.path)) errs.push(required(`${p}.path`));
    else errs.push(...validateLocalNonReservedPath(str(item.path), `${p}.path`));
    errs.push(...validateFileMode(item.mode, `${p}.mode`));
  });
  return errs;
}

function validateHostPath(src: Json, field: string): FieldCause[] {
  const errs: FieldCause[] = [];
  const path = str(src.path);
  if (!path) errs.push(required(`${field}.path`));
  else errs.push(...validatePathNoBacksteps(path, `${field}.path`));
  if (src.type !== undefined && src.type !== null && !HOST_PATH_TYPES.includes(str(src.type))) {
    errs.push(notSupported(`${field}.type`, src.type, HOST_PATH_TYPES));
  }
  return errs;
}

function validateEmptyDir(src: Json, field: string): FieldCause[] {
  const limit = src.sizeLimit;
  if (limit === undefined || limit === null) return [];
  if (!isValidQuantity(limit)) return [invalid(`${field}.sizeLimit`, limit, QUANTITY_ERROR)];
  if (String(limit).trim().startsWith('-')) {
    return [forbidden(`${field}.sizeLimit`, 'SizeLimit field must be a valid resource quantity')];
  }
  return [];
}

function validateNamedSource(src: Json, field: string, nameKey: 'name' | 'secretName'): FieldCause[] {
  const errs: FieldCause[] = [];
  const name = str(src[nameKey]);
  if (!name) errs.push(required(`${field}.${nameKey}`));
  else errs.push(...invalidEach(`${field}.${nameKey}`, name, isDNS1123Subdomain(name)));
  errs.push(...validateFileMode(src.defaultMode, `${field}.defaultMode`));
  errs.push(...validateKeyToPaths(src.items, `${field}.items`));
  return errs;
}

function validateDownwardAPI(src: Json, field: string): FieldCause[] {
  const errs = validateFileMode(src.defaultMode, `${field}.defaultMode`);
  asArray(src.items).forEach((raw, i) => {
    const item = asObject(raw);
    const p = `${field}.items[${i}]`;
    if (!str(item.path)) errs.push(required(`${p}.path`));
    else errs.push(...validateLocalNonReservedPath(str(item.path), `${p}.path`));
    errs.push(...validateFileMode(item.mode, `${p}.mode`));
    const hasField = isObject(item.fieldRef);
    const hasResource = isObject(item.resourceFieldRef);
    if (hasField && hasResource) {
      errs.push(invalid(p, 'resource', 'fieldRef and resourceFieldRef can not be specified simultaneously'));
    } else if (hasField) {
      errs.push(...validateFieldSelector(asObject(item.fieldRef), `${p}.fieldRef`, 'volume'));
    } else if (hasResource) {
      errs.push(...validateResourceFieldSelector(asObject(item.resourceFieldRef), `${p}.resourceFieldRef`, true));
    } else {
      errs.push(required(p, 'one of fieldRef and resourceFieldRef is required'));
    }
  });
  return errs;
}

function validateSource(type: string, src: Json, field: string): FieldCause[] {
  switch (type) {
    case 'hostPath':
      return validateHostPath(src, field);
    case 'emptyDir':
      return validateEmptyDir(src, field);
    case 'configMap':
      return validateNamedSource(src, field, 'name');
    case 'secret':
      return validateNamedSource(src, field, 'secretName');
    case 'downwardAPI':
      return validateDownwardAPI(src, field);
    case 'persistentVolumeClaim':
      return str(src.claimName) ? [] : [required(`${field}.claimName`)];
    case 'projected':
      return validateProjectedTokenSources(src, field);
    default:
      return [];
  }
}

/** Exactly one source per volume; the later ones are reported as Forbidden like upstream. */
function validateVolumeSource(vol: Json, field: string): FieldCause[] {
  const errs: FieldCause[] = [];
  let found = 0;
  for (const type of VOLUME_SOURCE_TYPES) {
    const src = vol[type];
    if (src === undefined || src === null) continue;
    if (found > 0) {
      errs.push(forbidden(`${field}.${type}`, 'may not specify more than 1 volume type'));
      continue;
    }
    found++;
    errs.push(...validateSource(type, asObject(src), `${field}.${type}`));
  }
  if (found === 0) errs.push(required(field, 'must specify a volume type'));
  return errs;
}

/** Validates spec.volumes; `names` holds the volumes that are valid and may be mounted. */
export function validateVolumes(volumes: unknown, field: string): { errs: FieldCause[]; names: Set<string> } {
  const errs: FieldCause[] = [];
  const names = new Set<string>();
  asArray(volumes).forEach((raw, i) => {
    const vol = asObject(raw);
    const p = `${field}[${i}]`;
    const name = str(vol.name);
    const el = validateVolumeSource(vol, p);
    if (!name) el.push(required(`${p}.name`));
    else el.push(...invalidEach(`${p}.name`, name, isDNS1123Label(name)));
    if (names.has(name)) el.push(duplicate(`${p}.name`, name));
    if (el.length === 0) names.add(name);
    errs.push(...el);
  });
  return { errs, names };
}
