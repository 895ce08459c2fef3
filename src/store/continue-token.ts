// List continue tokens: opaque to clients, they carry the key of the last item returned, so the next
// page starts strictly after it (keyset paging in (namespace, name) order). Pages are not a snapshot:
// objects created or deleted between pages show up or vanish, as with an expired upstream token.

import { BadRequestError } from '../errors.js';

export interface ContinueKey {
  resource: string;
  namespace: string;
  name: string;
}

export function encodeContinue(key: ContinueKey): string {
  return Buffer.from(JSON.stringify({ v: 1, r: key.resource, ns: key.namespace, n: key.name })).toString('base64url');
}

export function decodeContinue(token: string, resource: string): ContinueKey {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw new BadRequestError(`invalid continue token "${token}"`);
  }
  const p = parsed as { v?: unknown; r?: unknown; ns?: unknown; n?: unknown } | null;
  if (!p || p.v !== 1 || typeof p.r !== 'string' || typeof p.ns !== 'string' || typeof p.n !== 'string') {
    throw new BadRequestError(`invalid continue token "${token}"`);
  }
  if (p.r !== resource) throw new BadRequestError(`continue token "${token}" belongs to ${p.r}, not ${resource}`);
  return { resource: p.r, namespace: p.ns, name: p.n };
}
