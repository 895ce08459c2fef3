// Ephemeral container rules (upstream validateEphemeralContainers): the common container checks, names
// unique across all container kinds, an existing non-ephemeral target, and an allow-list of fields.

import type { FieldCause } from '../../errors.js';
import { validateContainerCommon } from './container.js';
import { asArray, asObject, duplicate, forbidden, type Json, notFound, str } from './field.js';

const EPHEMERAL_MSG = 'cannot be set for an Ephemeral Container';
/** Fields an ephemeral container may set (upstream allowedEphemeralContainerFields). */
const EPHEMERAL_ALLOWED = new Set([
  'name', 'image', 'command', 'args', 'workingDir', 'env', 'envFrom', 'volumeMounts', 'volumeDevices',
  'terminationMessagePath', 'terminationMessagePolicy', 'imagePullPolicy', 'securityContext', 'stdin', 'stdinOnce',
  'tty', 'targetContainerName',
]);
/**
 * Whether a field holds its zero value, as upstream's reflect IsZero sees a decoded one: kubectl debug
 * sends `resources: {}`, which is allowed.
 */
function isZero(v: unknown): boolean {
  if (v === undefined || v === null || v === false || v === 0 || v === '') return true;
  if (Array.isArray(v)) return v.length === 0;
  return typeof v === 'object' && Object.keys(v as object).length === 0;
}

/** Ephemeral containers as they may exist on a pod (after the ephemeralcontainers subresource). */
export function validateEphemeralContainers(spec: Json, volumes: Set<string>): FieldCause[] {
  const errs: FieldCause[] = [];
  const others = new Set([...asArray(spec.containers), ...asArray(spec.initContainers)].map((c) => str(asObject(c).name)));
  const all = new Set(others);
  asArray(spec.ephemeralContainers).forEach((raw, i) => {
    const c = asObject(raw);
    const p = `spec.ephemeralContainers[${i}]`;
    errs.push(...validateContainerCommon(c, p, volumes));
    if (all.has(str(c.name))) errs.push(duplicate(`${p}.name`, str(c.name)));
    else all.add(str(c.name));
    const target = str(c.targetContainerName);
    if (target && !others.has(target)) errs.push(notFound(`${p}.targetContainerName`, target));
    for (const k of Object.keys(c)) {
      if (!EPHEMERAL_ALLOWED.has(k) && !isZero(c[k])) errs.push(forbidden(`${p}.${k}`, EPHEMERAL_MSG));
    }
    asArray(c.volumeMounts).forEach((m, mi) => {
      for (const k of ['subPath', 'subPathExpr']) {
        if (str(asObject(m)[k])) errs.push(forbidden(`${p}.volumeMounts[${mi}].${k}`, EPHEMERAL_MSG));
      }
    });
  });
  return errs;
}

