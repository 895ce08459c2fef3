// Server-owned metadata helpers: timestamps, generateName suffixes, and a stable metadata key order.

import { randomInt } from 'node:crypto';
import type { ObjectMeta } from '../k8s/types.js';

/** RFC 3339 in UTC with whole seconds, as Kubernetes writes metav1.Time: 2026-11-22T03:04:05Z. */
export function rfc3339Seconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** apimachinery's names.SimpleNameGenerator alphabet (no vowels, no confusable characters). */
const ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** Five random characters appended to metadata.generateName. */
export function randomNameSuffix(): string {
  let s = '';
  for (let i = 0; i < 5; i++) s += ALPHABET[randomInt(ALPHABET.length)];
  return s;
}

/** Rebuilds metadata with the upstream field order (name, generateName, namespace, uid, ...). */
export function orderMetadata(m: ObjectMeta): ObjectMeta {
  const { name, generateName, namespace, uid, resourceVersion, generation, creationTimestamp, ...rest } = m;
  return { name, generateName, namespace, uid, resourceVersion, generation, creationTimestamp, ...rest };
}
