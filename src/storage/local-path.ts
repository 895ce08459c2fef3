// The local-path provisioner (`rancher.io/local-path`, as k3s ships rancher's local-path-provisioner): a
// claim's volume is a directory `pvc-<claimUID>_<namespace>_<claimName>` under one root on this node (mode
// 0777, as the provisioner's setup script makes it), its PV a hostPath volume pinned to the node by
// nodeAffinity. When such a PV is reclaimed with Delete the directory goes, removed without following any
// symlink (system/remove-tree.ts) and only when it lies directly under the root: a PV whose path points
// elsewhere (edited by hand, or made under another root) is never removed from.
//
// A directory has no size: the capacity is the claim's request, recorded, not enforced.

import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { PersistentVolume, PersistentVolumeClaim, StorageClass } from '../k8s/storage-types.js';
import { STORAGE } from '../k8s/storage-types.js';
import { removeTreeBeneath } from '../system/remove-tree.js';
import { claimRefOf } from './binder.js';

export const LOCAL_PATH_PROVISIONER = STORAGE.localPathProvisioner;

/** The PV name a provisioner gives a claim's volume (upstream's getProvisionedVolumeNameForClaim). */
export function provisionedVolumeName(claim: PersistentVolumeClaim): string {
  return `pvc-${claim.metadata.uid ?? ''}`;
}

/** The directory name under the root: `pvc-<uid>_<namespace>_<name>`. */
export function volumeDirectoryName(claim: PersistentVolumeClaim): string {
  return `${provisionedVolumeName(claim)}_${claim.metadata.namespace ?? ''}_${claim.metadata.name ?? ''}`;
}

/** Whether this provisioner made the volume (annotation pv.kubernetes.io/provisioned-by). */
export function isLocalPathVolume(pv: PersistentVolume): boolean {
  return pv.metadata.annotations?.[STORAGE.provisionedBy] === LOCAL_PATH_PROVISIONER;
}

/**
 * Why this provisioner cannot make a volume for the claim with this class, or undefined when it can.
 * It takes no class parameters (refusing one it does not know, rather than ignoring it), no label selector
 * (a new volume has no labels to select), Filesystem mode only, and single-node access modes (one
 * directory on one node: ReadWriteOnce, ReadWriteOncePod; ReadOnlyMany and ReadWriteMany are refused as
 * local-path-provisioner refuses them).
 */
export function checkProvisionable(claim: PersistentVolumeClaim, cls: StorageClass): string | undefined {
  const params = Object.keys(cls.parameters ?? {});
  if (params.length > 0) {
    return `invalid parameter${params.length > 1 ? 's' : ''} ${params.map((p) => JSON.stringify(p)).join(', ')} in storage class "${cls.metadata.name}": the ${LOCAL_PATH_PROVISIONER} provisioner takes no parameters`;
  }
  if (claim.spec.selector) return 'claim.Spec.Selector is not supported';
  if ((claim.spec.volumeMode ?? 'Filesystem') !== 'Filesystem') return `volumeMode ${claim.spec.volumeMode} is not supported: only Filesystem`;
  for (const m of claim.spec.accessModes ?? []) {
    if (m !== 'ReadWriteOnce' && m !== 'ReadWriteOncePod') return `access mode ${m} is not supported: only ReadWriteOnce and ReadWriteOncePod`;
  }
  if (claim.spec.dataSource || claim.spec.dataSourceRef) return 'volume data sources (cloning, snapshots, populators) are not supported';
  return undefined;
}

/**
 * Makes (or finds, after a restart mid-way) the claim's directory under `root`, mode 0777; returns its
 * path. Refuses a name that exists as anything but a directory.
 */
export async function createVolumeDirectory(root: string, claim: PersistentVolumeClaim): Promise<string> {
  await fs.mkdir(root, { recursive: true, mode: 0o755 });
  const dir = path.join(root, volumeDirectoryName(claim));
  try {
    await fs.mkdir(dir, { mode: 0o777 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    const st = await fs.lstat(dir);
    if (!st.isDirectory()) throw new Error(`${dir} exists and is not a directory`);
  }
  await fs.chmod(dir, 0o777); // mkdir's mode is cut by the umask
  return dir;
}

/** The PV for a claim's new directory, pre-bound to the claim, pinned to the node. */
export function buildProvisionedVolume(opts: {
  claim: PersistentVolumeClaim;
  cls: StorageClass;
  dir: string;
  /** The value of the node's kubernetes.io/hostname label (its name when unlabelled). */
  hostname: string;
}): PersistentVolume {
  const { claim, cls, dir, hostname } = opts;
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: {
      name: provisionedVolumeName(claim),
      annotations: { [STORAGE.provisionedBy]: LOCAL_PATH_PROVISIONER },
      finalizers: [STORAGE.pvProtection],
    },
    spec: {
      capacity: { storage: claim.spec.resources?.requests?.storage ?? '0' },
      accessModes: [...(claim.spec.accessModes ?? ['ReadWriteOnce'])],
      persistentVolumeReclaimPolicy: cls.reclaimPolicy ?? 'Delete',
      storageClassName: cls.metadata.name,
      volumeMode: 'Filesystem',
      hostPath: { path: dir, type: 'DirectoryOrCreate' },
      nodeAffinity: {
        required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [hostname] }] }] },
      },
      claimRef: claimRefOf(claim),
      ...(cls.mountOptions?.length ? { mountOptions: [...cls.mountOptions] } : {}),
    },
    status: { phase: 'Pending' },
  };
}

/** The volume's directory when it lies directly under `root` (a `pvc-…` name), else undefined. */
export function volumeDirectoryUnder(root: string, pv: PersistentVolume): string | undefined {
  const p = pv.spec.hostPath?.path ?? pv.spec.local?.path;
  if (!p || !path.isAbsolute(p)) return undefined;
  const dir = path.resolve(p);
  const base = path.basename(dir);
  if (path.dirname(dir) !== path.resolve(root) || !base.startsWith('pvc-') || base.includes('/')) return undefined;
  return dir;
}

/** The PV's path is not one this provisioner made under its root: it is never removed (a permanent failure). */
export class ForeignVolumePathError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ForeignVolumePathError';
  }
}

/**
 * Removes the volume's directory (what a container left in it included, never following a symlink).
 * Throws when the PV's path is not a directory this provisioner would have made under `root`.
 */
export async function deleteVolumeDirectory(root: string, pv: PersistentVolume): Promise<void> {
  const dir = volumeDirectoryUnder(root, pv);
  if (!dir) {
    const p = pv.spec.hostPath?.path ?? pv.spec.local?.path ?? '';
    throw new ForeignVolumePathError(`path "${p}" is not a volume directory under the local-path root "${root}": not removed`);
  }
  let st;
  try {
    st = await fs.lstat(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  if (!st.isDirectory()) {
    await fs.unlink(dir); // a symlink goes as a name; its target stays
    return;
  }
  await removeTreeBeneath(dir);
}
