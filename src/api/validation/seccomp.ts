// seccompProfile of a pod or container securityContext (upstream validateSeccompProfileField).
// One difference: for "can only be set when seccomp type is Localhost" upstream prints the whole
// internal Go struct (%#v, with a pointer address); we print the profile object as JSON.

import type { FieldCause } from '../../errors.js';
import { invalid, isObject, notSupported, required, str } from './field.js';
import { validateLocalDescendingPath } from './volumes.js';

export const SECCOMP_PROFILE_TYPES = ['Localhost', 'RuntimeDefault', 'Unconfined'];

export function validateSeccompProfileField(sp: unknown, field: string): FieldCause[] {
  if (!isObject(sp)) return [];
  const errs: FieldCause[] = [];
  const type = str(sp.type);
  if (type === '') errs.push(required(`${field}.type`, 'type is required when seccompProfile is set'));
  else if (!SECCOMP_PROFILE_TYPES.includes(type)) errs.push(notSupported(`${field}.type`, sp.type, SECCOMP_PROFILE_TYPES));
  const profile = sp.localhostProfile;
  const set = profile !== undefined && profile !== null;
  if (type === 'Localhost') {
    if (!set) errs.push(required(`${field}.localhostProfile`, 'must be set when seccomp type is Localhost'));
    else errs.push(...validateLocalDescendingPath(str(profile), `${field}.localhostProfile`));
  } else if (set) {
    errs.push(invalid(`${field}.localhostProfile`, sp, 'can only be set when seccomp type is Localhost'));
  }
  return errs;
}
