// The shapes of the daemon's host endpoints as the node view reads them (GET /peapod/v1/images: the image
// store's Image; GET /peapod/v1/runtime/ps: the runtime's sandboxes and containers, each with the
// /proc/PID/ns links of its process), and their small formatting helpers.

import { dockerSize } from '../../../src/cli/printers/age.js';

export interface HostImage {
  id: string;
  repoTags: string[];
  repoDigests: string[];
  size: number;
  createdAt: number;
}

export type NamespaceLinks = Record<string, string>;

export interface RuntimeSandbox {
  id: string;
  metadata: { name: string; namespace: string; uid: string; attempt: number };
  state: string;
  createdAt: number;
  ip?: string;
  pid: number;
  netnsPath?: string;
  hostNetwork: boolean;
  namespaces: NamespaceLinks;
}

export interface RuntimeContainer {
  id: string;
  sandboxId: string;
  metadata: { name: string; attempt: number };
  state: string;
  createdAt: number;
  exitCode: number;
  image: string;
  pid: number;
  namespaces: NamespaceLinks;
}

export interface RuntimePs {
  sandboxes: RuntimeSandbox[];
  containers: RuntimeContainer[];
}

/** "sha256:0123…" → its first 12 hex digits; a bare id → its first 13 characters. */
export function shortId(id: string): string {
  const i = id.indexOf(':');
  return i >= 0 ? id.slice(i + 1, i + 13) : id.slice(0, 13);
}

/** Bytes as `peapod image ls` prints them (docker's decimal units, three significant digits): 2.23MB. */
export const humanBytes = (n: number) => (Number.isFinite(n) && n >= 0 ? dockerSize(n) : '');

/** "net:[4026532301]" → "4026532301" (the inode that identifies the namespace). */
export function nsInode(link: string): string {
  return /\[(\d+)\]/.exec(link)?.[1] ?? link;
}

/** The kinds whose namespace the container shares with the pod's infra (the same inode). */
export function joinedKinds(container: NamespaceLinks, infra: NamespaceLinks): string[] {
  return Object.keys(container).filter((k) => infra[k] !== undefined && infra[k] === container[k]);
}

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 };

/** A binary-suffixed quantity of 1 GiB or more (memory, storage: "24683756Ki") in GiB, e.g. "23.5Gi"; else undefined. */
export function gibibytes(quantity: string): string | undefined {
  const m = /^(\d+)(Ki|Mi|Gi|Ti)$/.exec(quantity);
  if (!m) return undefined;
  const bytes = Number(m[1]) * BINARY[m[2]!]!;
  if (bytes < 2 ** 30 || m[2] === 'Gi') return undefined;
  const g = bytes / 2 ** 30;
  return `${g >= 100 ? g.toFixed(0) : g.toFixed(1)}Gi`;
}
