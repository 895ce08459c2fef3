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
import { claimRefOf, type NodeInfo } from './binder.js';
import { topologyAllows } from './classes.js';

export const LOCAL_PATH_PROVISIONER = STORAGE.localPathProvisioner;

/** The longest file name Linux file systems take (NAME_MAX), in bytes. */
export const NAME_MAX = 255;

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
 * Why this provisioner cannot make a volume for the claim with this class on `node`, or undefined when it
 * can. It takes no class parameters (refusing one it does not know, rather than ignoring it) and no class
 * mountOptions (its volumes are hostPath directories, which are bind-mounted and take no mount options:
 * nothing would apply them, and a hostPath PV carrying them fails validation at its next update); the
 * class's allowedTopologies must allow the node (its labels satisfy one term). No label selector (a new
 * volume has no labels to select), Filesystem mode only, and single-node access modes (one directory on
 * one node: ReadWriteOnce, ReadWriteOncePod; ReadOnlyMany and ReadWriteMany are refused as
 * local-path-provisioner refuses them). The directory's name must fit in a file name (255 bytes).
 */
export function checkProvisionable(claim: PersistentVolumeClaim, cls: StorageClass, node: NodeInfo): string | undefined {
  const params = Object.keys(cls.parameters ?? {});
  if (params.length > 0) {
    return `invalid parameter${params.length > 1 ? 's' : ''} ${params.map((p) => JSON.stringify(p)).join(', ')} in storage class "${cls.metadata.name}": the ${LOCAL_PATH_PROVISIONER} provisioner takes no parameters`;
  }
  if ((cls.mountOptions ?? []).length > 0) {
    return `storage class "${cls.metadata.name}" has mountOptions, which the ${LOCAL_PATH_PROVISIONER} provisioner cannot honour: it makes hostPath volumes, which take no mount options`;
  }
  if (!topologyAllows(cls, node.labels)) {
    return `node "${node.name}" does not satisfy the allowedTopologies of storage class "${cls.metadata.name}": its labels match none of the terms`;
  }
  const bytes = Buffer.byteLength(volumeDirectoryName(claim), 'utf8');
  if (bytes > NAME_MAX) return directoryNameTooLong(bytes);
  if (claim.spec.selector) return 'claim.Spec.Selector is not supported';
  if ((claim.spec.volumeMode ?? 'Filesystem') !== 'Filesystem') return `volumeMode ${claim.spec.volumeMode} is not supported: only Filesystem`;
  for (const m of claim.spec.accessModes ?? []) {
    if (m !== 'ReadWriteOnce' && m !== 'ReadWriteOncePod') return `access mode ${m} is not supported: only ReadWriteOnce and ReadWriteOncePod`;
  }
  if (claim.spec.dataSource || claim.spec.dataSourceRef) return 'volume data sources (cloning, snapshots, populators) are not supported';
  return undefined;
}

function directoryNameTooLong(bytes: number): string {
  return `the directory name for this claim (pvc-<uid>_<namespace>_<name>) would be ${bytes} bytes, longer than the ${NAME_MAX} a file name may have: use a shorter namespace or claim name`;
}

/**
 * Makes (or finds, after a restart mid-way) the claim's directory under `root`, mode 0777; returns its
 * path. Refuses a name that exists as anything but a directory; a name too long (ENAMETOOLONG) is said so.
 */
export async function createVolumeDirectory(root: string, claim: PersistentVolumeClaim): Promise<string> {
  // Private: the volumes are 0777 for the containers (which reach them through bind mounts, never
  // through this directory), so no other local user may walk into them from here.
  await fs.mkdir(root, { recursive: true, mode: 0o700 });
  const name = volumeDirectoryName(claim);
  const dir = path.join(root, name);
  try {
    await fs.mkdir(dir, { mode: 0o777 });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENAMETOOLONG') {
      const bytes = Buffer.byteLength(name, 'utf8');
      throw new Error(bytes > NAME_MAX ? directoryNameTooLong(bytes) : `the volume directory's path "${dir}" is too long for the file system (ENAMETOOLONG): use a shorter local-path root`);
    }
    if (code !== 'EEXIST') throw err;
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
      // Never the class's mountOptions: a hostPath volume takes none (checkProvisionable refuses such a class).
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
