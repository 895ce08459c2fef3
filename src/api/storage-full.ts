// A write that failed because the node's disk is full: SQLite's SQLITE_FULL ("database or disk is
// full") from the store, ENOSPC or EDQUOT from a file write (image blobs, volumes, records). The API
// answers it with 507 Insufficient Storage and a Status whose reason says so, instead of a 500 that
// reads as a bug: the daemon and its running pods are fine, and the same request succeeds once space
// is freed. (The kube-apiserver passes etcd's "etcdserver: mvcc: database space exceeded" through as a
// 500 with no reason; 507 names the condition for clients and scripts.)

import { HttpStatusError } from './api-errors.js';

const FULL_CODES = new Set(['SQLITE_FULL', 'ENOSPC', 'EDQUOT']);

/** The error in `err`'s cause chain that says the disk is full, if any. */
export function diskFullError(err: unknown): Error | undefined {
  const seen = new Set<unknown>();
  for (let e = err; e instanceof Error && !seen.has(e); e = e.cause) {
    seen.add(e);
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && FULL_CODES.has(code)) return e;
  }
  return undefined;
}

/** 507 InsufficientStorage for a disk-full failure, else undefined. */
export function insufficientStorage(err: unknown): HttpStatusError | undefined {
  const full = diskFullError(err);
  if (!full) return undefined;
  // Only SQLite's own code says which disk: an ENOSPC may also come from the run dir's tmpfs or from
  // inotify's watch limit, so the message gives the failing call and path as the error has them.
  const where = (full as { code?: string }).code === 'SQLITE_FULL' ? "the node's data disk (the store) is full" : 'no space left';
  return new HttpStatusError(507, 'InsufficientStorage', `insufficient storage: ${where} (${full.message}); free space and retry`);
}
