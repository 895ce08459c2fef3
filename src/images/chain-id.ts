// Chain ids (OCI image spec, config.md "Layer ChainID"): the identity of a layer *on top of its lowers*.
// ChainID(L0) = DiffID(L0); ChainID(L0..Ln) = sha256(ChainID(L0..Ln-1) + " " + DiffID(Ln)). Unpacked
// layers are keyed by it, as containerd keys its snapshots: the same diff over other lowers is a
// different unpacked layer, since the dirs a layer only implies take mode and owner from its lowers.
// Pure.

import { createHash } from 'node:crypto';

/** The chain id of each prefix of `diffIds` (bottom first): out[i] names layer i over layers 0..i-1. */
export function chainIds(diffIds: readonly string[]): string[] {
  const out: string[] = [];
  for (const d of diffIds) {
    const parent = out[out.length - 1];
    out.push(parent === undefined ? d : `sha256:${createHash('sha256').update(`${parent} ${d}`).digest('hex')}`);
  }
  return out;
}

/** The chain id of `diffId` over `lowerDiffIds` (bottom first). */
export function chainIdOf(lowerDiffIds: readonly string[], diffId: string): string {
  return chainIds([...lowerDiffIds, diffId])[lowerDiffIds.length]!;
}
