// The one place errors become Kubernetes Status objects with an HTTP code. kubectl prints
// `Error from server (<reason>): <message>` from these. Anything unrecognised is a 500 InternalError.

import { PeapodError, InvalidError, NotFoundError, AlreadyExistsError, ConflictError } from '../errors.js';
import type { KubeStatus } from '../k8s/types.js';
import { HttpStatusError } from './api-errors.js';
import { insufficientStorage } from './storage-full.js';

const CODES: Record<string, { http: number; reason: string }> = {
  NotFound: { http: 404, reason: 'NotFound' },
  AlreadyExists: { http: 409, reason: 'AlreadyExists' },
  Conflict: { http: 409, reason: 'Conflict' },
  Invalid: { http: 422, reason: 'Invalid' },
  BadRequest: { http: 400, reason: 'BadRequest' },
  Gone: { http: 410, reason: 'Expired' },
  Unavailable: { http: 503, reason: 'ServiceUnavailable' },
  Timeout: { http: 504, reason: 'Timeout' },
  Internal: { http: 500, reason: 'InternalError' },
};

function failure(code: number, reason: string, message: string, details?: KubeStatus['details']): KubeStatus {
  const s: KubeStatus = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
  if (details && Object.keys(details).length > 0) s.details = details;
  return s;
}

/** Maps any thrown value to a Status; `internal` tells the caller to log it as a bug. */
export function errorToStatus(err: unknown): { status: KubeStatus; internal: boolean } {
  const full = insufficientStorage(err);
  if (full) return { status: failure(full.httpCode, full.reason, full.message), internal: false };
  if (err instanceof HttpStatusError) {
    return { status: failure(err.httpCode, err.reason, err.message, err.details), internal: false };
  }
  if (err instanceof PeapodError) {
    const c = CODES[err.code] ?? CODES.Internal;
    let details: KubeStatus['details'];
    if (err instanceof InvalidError) {
      details = {
        name: err.ref.name,
        group: err.ref.group ?? '',
        kind: err.ref.kind ?? err.ref.resource,
        causes: err.causes.map((x) => ({ reason: x.type, message: x.message, field: x.field })),
      };
    } else if (err instanceof NotFoundError || err instanceof AlreadyExistsError || err instanceof ConflictError) {
      if (err.ref) details = { name: err.ref.name, group: err.ref.group, kind: err.ref.resource };
    }
    const message = err.code === 'Internal' ? `Internal error occurred: ${err.message}` : err.message;
    return { status: failure(c.http, c.reason, message, details), internal: err.code === 'Internal' };
  }
  const msg = err instanceof Error ? err.message : String(err);
  return { status: failure(500, 'InternalError', `Internal error occurred: ${msg}`), internal: true };
}

/** A Success Status, as DELETE of non-pod kinds and eviction/binding return. */
export function successStatus(code: number, details?: KubeStatus['details']): KubeStatus {
  const s: KubeStatus = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code };
  if (details) s.details = details;
  return s;
}
