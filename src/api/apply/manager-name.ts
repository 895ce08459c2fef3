// The manager a write is recorded under: the fieldManager parameter (validated as upstream's
// ValidateFieldManager), else the User-Agent up to its first '/' (upstream's prefixFromUserAgent).
// Apply requires fieldManager; force is for apply only.

import { InvalidError, type FieldCause } from '../../errors.js';
import { forbidden, invalid, required, tooLong } from '../validation/field.js';

const MAX_LENGTH = 128;

/** Go's unicode.IsPrint for the characters that matter here: no control, format or separator other than ' '. */
function isPrint(ch: string): boolean {
  return ch === ' ' || !/[\p{C}\p{Z}]/u.test(ch);
}

export function validateFieldManager(name: string): FieldCause[] {
  const causes: FieldCause[] = [];
  if (Buffer.byteLength(name) > MAX_LENGTH) causes.push(tooLong('fieldManager', MAX_LENGTH));
  let at = 0;
  for (const ch of name) {
    if (!isPrint(ch)) {
      const code = ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
      causes.push(invalid('fieldManager', name, `invalid character U+${code} (at position ${at})`));
    }
    at += Buffer.byteLength(ch);
  }
  return causes;
}

/** The manager from a User-Agent: up to the first '/', printable characters only, at most 128 bytes. */
export function managerFromUserAgent(userAgent: string | undefined): string {
  let out = '';
  for (const ch of (userAgent ?? '').split('/')[0]) {
    if (!isPrint(ch)) continue;
    if (Buffer.byteLength(out + ch) > MAX_LENGTH) break;
    out += ch;
  }
  return out;
}

export type WriteVerb = 'create' | 'update' | 'patch' | 'apply';

const OPTIONS_KIND: Record<WriteVerb, string> = { create: 'CreateOptions', update: 'UpdateOptions', patch: 'PatchOptions', apply: 'PatchOptions' };

/**
 * Checks the write options (fieldManager, force) as upstream's Validate{Create,Update,Patch}Options and
 * returns the manager name to record. Failures are 422 on the options kind, as upstream answers.
 */
export function fieldManagerFor(verb: WriteVerb, query: URLSearchParams, userAgent: string | undefined): string {
  const given = query.get('fieldManager') ?? '';
  const causes: FieldCause[] = [];
  if (verb === 'patch' && query.has('force')) causes.push(forbidden('force', 'may not be specified for non-apply patch'));
  if (verb === 'apply' && given === '') causes.push(required('fieldManager', 'is required for apply patch'));
  causes.push(...validateFieldManager(given));
  if (causes.length) {
    const kind = OPTIONS_KIND[verb];
    throw new InvalidError({ resource: kind, kind: `${kind}.meta.k8s.io`, name: '', group: 'meta.k8s.io' }, causes);
  }
  return given || managerFromUserAgent(userAgent) || 'unknown';
}

/** `force=true` (apply only). */
export function forceOf(query: URLSearchParams): boolean {
  return query.get('force') === 'true';
}
