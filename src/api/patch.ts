// PATCH bodies applied to a stored object: JSON merge patch (RFC 7386), JSON patch (RFC 6902) and
// strategic merge patch (Kubernetes, merge keys from the core/v1 schema). Server-side apply is not a
// patch of this kind: api/apply/ merges it and keeps managedFields. The input is never mutated; a new
// object is returned.
//
// Errors: a malformed patch document → BadRequestError (400). A JSON patch that is well formed but cannot
// be applied (a missing path, a failed `test`) → InvalidError with one cause (422), as the API server
// answers 422 for json-patch application failures.

import { BadRequestError, errorMessage, InvalidError } from '../errors.js';
import type { KubeObject } from '../k8s/types.js';
import { applyJsonPatch } from './patch-json.js';
import { strategicMerge } from './patch-strategic.js';
import { SCHEMAS_BY_KIND } from './validation/schema-objects.js';
import { A } from './validation/schema.js';

type Json = Record<string, unknown>;

const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** RFC 7386: objects merge recursively, null deletes, anything else replaces. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObj(patch)) return structuredClone(patch);
  const out: Json = isObj(target) ? structuredClone(target) : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

/** Bodies may arrive raw (string or bytes) as JSON. */
function decode(patch: unknown): unknown {
  const text = typeof patch === 'string' ? patch : Buffer.isBuffer(patch) ? patch.toString('utf8') : undefined;
  if (text === undefined) return patch;
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new BadRequestError(`error decoding patch: ${errorMessage(err)}`);
  }
}

function resourceOf(kind: string): string {
  return `${kind.toLowerCase()}s`;
}

/** Applies `patch` of `patchType` (a Content-Type) to `target` and returns the patched copy. */
export function applyPatch(target: KubeObject, patchType: string, patch: unknown): KubeObject {
  const body = decode(patch);
  const type = patchType.split(';')[0].trim();
  let result: unknown;
  switch (type) {
    case 'application/merge-patch+json':
      if (!isObj(body)) throw new BadRequestError('the merge patch must be a JSON object');
      result = mergePatch(target, body);
      break;
    case 'application/json-patch+json': {
      const applied = applyJsonPatch(target, body);
      if ('failure' in applied) {
        const ref = { resource: resourceOf(target.kind), kind: target.kind, name: target.metadata?.name };
        throw new InvalidError(ref, [applied.failure]);
      }
      result = applied.value;
      break;
    }
    case 'application/strategic-merge-patch+json': {
      if (!isObj(body)) throw new BadRequestError('the strategic merge patch must be a JSON object');
      const schema = SCHEMAS_BY_KIND[target.kind] ?? A;
      result = strategicMerge(target, body, schema);
      break;
    }
    default:
      throw new BadRequestError(`unsupported patch type ${JSON.stringify(patchType)}`);
  }
  if (!isObj(result) || !isObj(result.metadata)) {
    throw new BadRequestError(`the patch of ${target.kind} "${target.metadata?.name ?? ''}" did not produce an object with metadata`);
  }
  return result as KubeObject;
}
