// coordination.k8s.io/v1 Lease: decoding (MicroTimes, int32 fields), the strategy's preparation and
// upstream's ValidateLease / ValidateLeaseUpdate.
//
// spec.strategy and spec.preferredHolder belong to coordinated leader election (the
// CoordinatedLeaderElection feature gate, off by default through 1.33): with the gate off the API
// server's lease strategy clears them on create and update, and so does peapod, which has no
// coordinated election to act on them.

import { BadRequestError, type FieldCause } from '../../errors.js';
import type { KubeObject } from '../../k8s/types.js';
import { normalizeMicroTime } from '../../k8s/micro-time.js';
import { invalid, isObject } from './field.js';
import { type MetaRules, validateObjectMeta, validateObjectMetaUpdate } from './meta.js';

export const LEASE_META: MetaRules = { namespaced: true, name: 'subdomain' };

const MICRO_TIMES = ['acquireTime', 'renewTime'] as const;
const INT32S = ['leaseDurationSeconds', 'leaseTransitions'] as const;

function cannotDecode(detail: string): BadRequestError {
  return new BadRequestError(`Lease in version "v1" cannot be handled as a Lease: ${detail}`);
}

/**
 * Decodes spec as the API server does before anything else: MicroTimes must be RFC 3339 with
 * microseconds (rewritten in UTC), durations 32-bit integers; anything else is a 400. Then the
 * strategy's step: strategy and preferredHolder are cleared (see above).
 */
export function prepareLease(obj: KubeObject): void {
  const spec = obj.spec;
  if (spec === undefined || spec === null) return;
  if (!isObject(spec)) throw cannotDecode('json: cannot unmarshal into Go struct field Lease.spec of type v1.LeaseSpec');
  for (const f of MICRO_TIMES) {
    const v = spec[f];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'string') throw cannotDecode(`json: cannot unmarshal ${typeof v} into Go struct field LeaseSpec.spec.${f} of type string`);
    const t = normalizeMicroTime(v);
    if (!t.ok) throw cannotDecode(t.error);
    spec[f] = t.value;
  }
  for (const f of INT32S) {
    const v = spec[f];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'number' || !Number.isInteger(v)) throw cannotDecode(`json: cannot unmarshal ${typeof v === 'number' ? 'number ' + v : typeof v} into Go struct field LeaseSpec.spec.${f} of type int32`);
    if (v > 2 ** 31 - 1 || v < -(2 ** 31)) throw cannotDecode(`json: cannot unmarshal number ${v} into Go struct field LeaseSpec.spec.${f} of type int32`);
  }
  if (spec.holderIdentity !== undefined && spec.holderIdentity !== null && typeof spec.holderIdentity !== 'string') {
    throw cannotDecode(`json: cannot unmarshal ${typeof spec.holderIdentity} into Go struct field LeaseSpec.spec.holderIdentity of type string`);
  }
  delete spec.strategy;
  delete spec.preferredHolder;
}

function validateLeaseSpec(spec: unknown): FieldCause[] {
  const s = isObject(spec) ? spec : {};
  const errs: FieldCause[] = [];
  if (typeof s.leaseDurationSeconds === 'number' && s.leaseDurationSeconds <= 0) {
    errs.push(invalid('spec.leaseDurationSeconds', s.leaseDurationSeconds, 'must be greater than 0'));
  }
  if (typeof s.leaseTransitions === 'number' && s.leaseTransitions < 0) {
    errs.push(invalid('spec.leaseTransitions', s.leaseTransitions, 'must be greater than or equal to 0'));
  }
  return errs;
}

export function validateLease(obj: KubeObject): FieldCause[] {
  return [...validateObjectMeta(obj.metadata, LEASE_META), ...validateLeaseSpec(obj.spec)];
}

export function validateLeaseUpdate(obj: KubeObject, old: KubeObject): FieldCause[] {
  return [...validateObjectMetaUpdate(obj.metadata, old.metadata, LEASE_META), ...validateLeaseSpec(obj.spec)];
}
