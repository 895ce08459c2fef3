// Finding an image record from what a user or the kubelet wrote, and moving tags between records. Pure.
//
// Resolution order (docker's): a full id ("sha256:<hex>" or 64 hex); a name — "name@digest" against repo
// digests, else the normalised "name:tag" against repo tags; finally a short id (≥ 3 hex chars, with or
// without "sha256:") that must match exactly one image.

import { BadRequestError } from '../errors.js';
import type { ImageRecord } from './metadata.js';
import { InvalidImageNameError, asFullImageId, formatReference, isIdPrefix, matchesIdPrefix, parseReference, type ParsedReference } from './reference.js';

export interface Resolved {
  record: ImageRecord;
  /** How the reference matched: removal untags a tag match and deletes on any other. */
  by: 'id' | 'digest' | 'tag' | 'short-id';
  /** The normalised tag, for by === 'tag'. */
  tag?: string;
}

export function resolveImage(records: Iterable<ImageRecord>, ref: string): ImageRecord | undefined {
  return resolveImageRef(records, ref)?.record;
}

/** Resolves ref; throws InvalidImageNameError for a reference that is neither a name nor an id. */
export function resolveImageRef(records: Iterable<ImageRecord>, ref: string): Resolved | undefined {
  const all = [...records];
  const full = asFullImageId(ref);
  if (full) {
    const hit = all.find((r) => r.id === full);
    if (hit) return { record: hit, by: 'id' };
  }
  const parsed = full ? undefined : tryParse(ref);
  if (parsed?.digest) {
    const hit = all.find((r) => r.repoDigests.includes(`${parsed.name}@${parsed.digest}`));
    if (hit) return { record: hit, by: 'digest' };
  } else if (parsed) {
    const tag = formatReference(parsed);
    const hit = all.find((r) => r.repoTags.includes(tag));
    if (hit) return { record: hit, by: 'tag', tag };
  }
  if (isIdPrefix(ref)) {
    const hits = all.filter((r) => matchesIdPrefix(r.id, ref));
    if (hits.length > 1) throw new BadRequestError(`short image id "${ref}" is ambiguous: it matches ${hits.length} images`);
    if (hits.length === 1) return { record: hits[0]!, by: 'short-id' };
  }
  if (!parsed && !full && !isIdPrefix(ref)) parseReference(ref); // throws the InvalidImageNameError
  return undefined;
}

function tryParse(ref: string): ParsedReference | undefined {
  try {
    return parseReference(ref);
  } catch (err) {
    if (err instanceof InvalidImageNameError) return undefined;
    throw err;
  }
}

/**
 * Adds `incoming` (a freshly loaded image) to the catalog: merges with a record of the same id and takes
 * its tags away from any other image (a tag names one image). Returns every record that changed.
 */
export function mergeImage(records: Iterable<ImageRecord>, incoming: ImageRecord): ImageRecord[] {
  const changed: ImageRecord[] = [];
  let target = incoming;
  for (const r of records) {
    if (r.id === incoming.id) {
      target = {
        ...r,
        repoTags: union(r.repoTags, incoming.repoTags),
        repoDigests: union(r.repoDigests, incoming.repoDigests),
        blobs: union(r.blobs, incoming.blobs),
      };
      continue;
    }
    const kept = r.repoTags.filter((t) => !incoming.repoTags.includes(t));
    if (kept.length !== r.repoTags.length) changed.push({ ...r, repoTags: kept });
  }
  changed.push(target);
  return changed;
}

function union(a: string[], b: string[]): string[] {
  return [...new Set([...a, ...b])];
}
