// HostVolumeManager: the kubelet's volume manager for one node. Each pod's volumes live under
// <podsDir>/<uid>/volumes/<plugin>/<name>; emptyDir with medium Memory and every secret volume are
// tmpfs mounts (secrets never touch disk), as is every projected volume; configMap/secret/downwardAPI/
// projected use the atomic writer, and
// every setUp call re-projects them, so updates reach running pods. Teardown unmounts everything
// under the pod dir (deepest first) and refuses to delete while any mount remains, so a removal
// can never run through a mount into the host. A container may still be writing into its volumes
// while they are torn down (a lazy unmount detaches a busy mount; gc after a daemon crash), so the
// tree is removed by descriptor, never following a symlink it swaps in (system/remove-tree.ts), and
// mount points are unmounted as mountinfo names them, not canonicalized by umount(8) (issue 6).
//
// A persistentVolumeClaim volume is its PV's directory on the host (hostPath, checked by its type as an
// inline hostPath is; or local, which must be an existing directory), like hostPath nothing is made
// for it under the pod dir, so teardown never touches it. Its claim is resolved first, as the kubelet's
// desired-state populator does for every volume a container mounts: the claim must exist (not deleted
// unless pvc-protection still holds it), be Bound, and its PV must exist with a claimRef to the claim's
// uid. Until then setUp fails with the kubelet's FailedMount text (VolumeEventError) and the worker
// retries, woken early when the claim or its PV changes (pods/manager.ts).

import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ConfigMap, Pod, Secret, Volume } from '../k8s/types.js';
import type { NodePaths } from '../node/paths.js';
import type { ObjectStore } from '../store/store.js';
import type { Exec } from '../system/exec.js';
import { runChecked } from '../system/exec.js';
import type { Logger } from '../system/logger.js';
import { SystemClock, type Clock } from '../system/clock.js';
import { ContainerConfigError, errorMessage } from '../errors.js';
import { VolumeEventError, type MountedVolume, type VolumeManager } from './volumes.js';
import { STORAGE, type PersistentVolume, type PersistentVolumeClaim } from '../k8s/storage-types.js';
import { claimSource, persistentVolumePath } from './claims.js';
import { checkHostPathType } from './host-path.js';
import { isMountPoint, mountsUnder, readMountInfo, type MountInfoEntry } from '../system/mountinfo.js';
import { removeTreeBeneath } from '../system/remove-tree.js';
import { configMapPayload, downwardApiPayload, projectedPayload, secretPayload, type Payload, type PodTokenRequest, type PodTokenSource } from './projection.js';
import type { NodeResourceTotals } from '../k8s/resource-field.js';
import { writeAtomic } from './atomic-writer.js';
import { emptyDirMedium } from './empty-dir.js';
import { applyFsGroup } from './fs-group.js';
import { podDir, volumeDir, volumeKind, volumeSourceName } from './layout.js';

/** A claim resolved to its bound PV (resolveClaim). */
interface ResolvedClaim {
  pv: PersistentVolume;
  source: { kind: 'hostPath' | 'local'; path: string };
  /** The pod volume's persistentVolumeClaim.readOnly (the kubelet's volume spec ReadOnly). */
  readOnly: boolean;
}

/** The names of the volumes some container (init, regular or ephemeral) mounts or maps as a device. */
function mountedNames(pod: Pod): Set<string> {
  const out = new Set<string>();
  for (const c of [...(pod.spec.initContainers ?? []), ...pod.spec.containers, ...(pod.spec.ephemeralContainers ?? [])]) {
    for (const m of c.volumeMounts ?? []) out.add(m.name);
    for (const d of ((c as { volumeDevices?: { name: string }[] }).volumeDevices ?? [])) out.add(d.name);
  }
  return out;
}

/** Secrets are at most 1 MiB; an update briefly holds two generations. */
const SECRET_TMPFS_SIZE = '4m';

export interface HostVolumeManagerOptions {
  paths: NodePaths;
  exec: Exec;
  store: ObjectStore;
  logger: Logger;
  /** Names generation dirs of projected volumes; defaults to the system clock. */
  clock?: Clock;
  /** Where mounts are listed; tests never change it. */
  mountInfoPath?: string;
  /** Node totals for resourceFieldRef items without a limit (default: this host's cpus and memory). */
  node?: NodeResourceTotals;
  /** Tokens for projected serviceAccountToken sources; without it such a volume fails to mount. */
  podTokens?: PodTokenSource;
}

export class HostVolumeManager implements VolumeManager {
  private readonly paths: NodePaths;
  private readonly exec: Exec;
  private readonly store: ObjectStore;
  private readonly logger: Logger;
  private readonly clock: Clock;
  private readonly mountInfoPath: string;
  private readonly node: NodeResourceTotals;
  private readonly podTokens?: PodTokenSource;
  /**
   * `<pod uid>/<volume>` of the claim volumes whose fsGroup ownership was applied: once per pod (and
   * daemon run), as the kubelet does it once per mount, not at every resync of the pod's volumes.
   */
  private readonly ownedClaims = new Set<string>();

  constructor(opts: HostVolumeManagerOptions) {
    this.node = opts.node ?? { cpuMilli: os.cpus().length * 1000, memoryBytes: os.totalmem() };
    this.paths = opts.paths;
    this.exec = opts.exec;
    this.store = opts.store;
    this.logger = opts.logger.child({ component: 'volumes' });
    this.clock = opts.clock ?? new SystemClock();
    this.mountInfoPath = opts.mountInfoPath ?? '/proc/self/mountinfo';
    this.podTokens = opts.podTokens;
  }

  async setUpPodVolumes(pod: Pod): Promise<Map<string, MountedVolume>> {
    const uid = pod.metadata.uid;
    if (!uid) throw new Error(`pod "${pod.metadata.name}" has no uid`);
    await fs.mkdir(path.join(podDir(this.paths, uid), 'volumes'), { recursive: true, mode: 0o750 });
    const out = new Map<string, MountedVolume>();
    const sc = pod.spec.securityContext;
    const used = mountedNames(pod);
    const unready: { name: string; error: string }[] = [];
    for (const v of pod.spec.volumes ?? []) {
      let claim: ResolvedClaim | undefined;
      if (claimSource(v)) {
        // The populator processes only the volumes a container mounts.
        if (!used.has(v.name)) continue;
        try {
          claim = this.resolveClaim(pod, v);
        } catch (err) {
          unready.push({ name: v.name, error: errorMessage(err) });
          continue;
        }
      }
      try {
        const mounted = claim ? await this.setUpClaim(v, claim) : await this.setUpVolume(pod, uid, v);
        // fsGroup (fs-group.ts): not hostPath (inline or a PV's), which stays as the host has it, as on
        // the kubelet. An emptyDir is walked when it is made (setUp runs again on every start and resync;
        // what the containers create later inherits the group from the setgid directories).
        // A claim's volume is walked once per pod: it may be large, and it is not remade by setUp.
        const kind = volumeKind(v);
        const owned = `${uid}/${v.name}`;
        if (sc?.fsGroup !== undefined && kind !== 'hostPath' && claim?.source.kind !== 'hostPath' && !this.ownedClaims.has(owned)) {
          const policy = kind === 'emptyDir' ? 'OnRootMismatch' : sc.fsGroupChangePolicy ?? 'Always';
          await applyFsGroup(mounted.hostPath, sc.fsGroup, mounted.readOnly, policy);
          if (claim) this.ownedClaims.add(owned);
        }
        out.set(v.name, mounted);
      } catch (err) {
        if (err instanceof VolumeEventError) throw err;
        // The kubelet names the volume (a claim's by its PV): `MountVolume.SetUp failed for volume "cfg" : configmap "x" not found`.
        const msg = `for volume "${claim?.pv.metadata.name ?? v.name}" : ${errorMessage(err)}`;
        throw err instanceof ContainerConfigError ? new ContainerConfigError(msg) : new Error(msg, { cause: err });
      }
    }
    if (unready.length) {
      // The kubelet's WaitForAttachAndMount, failing on the populator's errors (no volume attaches here).
      const names = unready.map((u) => u.name).sort().join(' ');
      const errors = unready.map((u) => u.error).join('; ');
      throw new VolumeEventError(`Unable to attach or mount volumes: unmounted volumes=[${names}], unattached volumes=[], failed to process volumes=[${names}]: ${errors}`);
    }
    return out;
  }

  /**
   * The claim's PV, as the kubelet's desired-state populator finds it (its error texts): the claim in
   * the pod's namespace, Bound (a deleted one only while pvc-protection holds it), its PV bound back
   * to the claim's uid, with a source this node mounts.
   */
  private resolveClaim(pod: Pod, v: Volume): ResolvedClaim {
    const src = claimSource(v)!;
    const ns = pod.metadata.namespace ?? 'default';
    const fail = (why: string) => new Error(`error processing PVC ${ns}/${src.claimName}: ${why}`);
    const pvc = this.store.tryGet<PersistentVolumeClaim>('persistentvolumeclaims', ns, src.claimName);
    if (!pvc) throw fail(`failed to fetch PVC from API server: persistentvolumeclaims "${src.claimName}" not found`);
    if (pvc.metadata.deletionTimestamp && !(pvc.metadata.finalizers ?? []).includes(STORAGE.pvcProtection)) throw fail('PVC is being deleted');
    if (pvc.status?.phase !== 'Bound') throw fail('PVC is not bound');
    const pvName = pvc.spec.volumeName;
    if (!pvName) throw fail('PVC has empty pvc.Spec.VolumeName');
    const pv = this.store.tryGet<PersistentVolume>('persistentvolumes', undefined, pvName);
    if (!pv) throw fail(`failed to fetch PV ${pvName} from API server: persistentvolumes "${pvName}" not found`);
    const ref = pv.spec.claimRef;
    if (!ref) throw fail(`found PV object ${pvName} but it has a nil pv.Spec.ClaimRef indicating it is not yet bound to the claim`);
    if (ref.uid !== pvc.metadata.uid) throw fail(`found PV object ${pvName} but its pv.Spec.ClaimRef.UID ${ref.uid ?? ''} does not point to claim.UID ${pvc.metadata.uid ?? ''}`);
    if ((pv.spec.volumeMode ?? 'Filesystem') !== 'Filesystem') throw new Error(`volume ${v.name} has volumeMode ${pv.spec.volumeMode}, but is specified in volumeMounts`);
    const source = persistentVolumePath(pv);
    if (!source) throw new Error(`failed to get Plugin from volumeSpec for volume "${pvName}" err=no volume plugin matched`);
    return { pv, source, readOnly: src.readOnly === true };
  }

  /** A resolved claim's PV directory: hostPath checked by its type; local an existing directory. */
  private async setUpClaim(v: Volume, claim: ResolvedClaim): Promise<MountedVolume> {
    const { pv, source } = claim;
    if (source.kind === 'hostPath') {
      await checkHostPathType(source.path, pv.spec.hostPath?.type);
    } else {
      const st = await fs.stat(source.path).catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') return undefined;
        throw err;
      });
      const fail = (why: string) => new VolumeEventError(`MountVolume.NewMounter initialization failed for volume "${pv.metadata.name ?? ''}" : ${why}`);
      if (!st) throw fail(`path "${source.path}" does not exist`);
      // A block device would be formatted and mounted by the kubelet; this node mounts directories only.
      if (!st.isDirectory()) throw fail(st.isBlockDevice() ? 'block devices are not supported on this node' : 'only directory and block device are supported');
    }
    return { name: v.name, hostPath: source.path, readOnly: claim.readOnly };
  }

  private async setUpVolume(pod: Pod, uid: string, v: Volume): Promise<MountedVolume> {
    const kind = volumeKind(v);
    const ns = pod.metadata.namespace ?? 'default';
    switch (kind) {
      case 'hostPath':
        await checkHostPathType(v.hostPath!.path, v.hostPath!.type);
        return { name: v.name, hostPath: v.hostPath!.path, readOnly: false };
      case 'emptyDir': {
        const medium = emptyDirMedium(v.emptyDir!, pod, this.node.memoryBytes);
        const dir = await this.makeVolumeDir(uid, 'emptyDir', v.name);
        if (medium.kind === 'tmpfs') await this.ensureTmpfs(dir, String(medium.sizeBytes));
        else if (medium.kind === 'hugetlbfs') await this.ensureMount(dir, 'hugetlbfs', `pagesize=${medium.pageSizeBytes}`);
        return { name: v.name, hostPath: dir, readOnly: false };
      }
      case 'configMap': {
        const src = v.configMap!;
        const payload = configMapPayload(src, this.store.tryGet<ConfigMap>('configmaps', ns, src.name));
        return this.project(pod, 'configMap', v.name, payload, false);
      }
      case 'secret': {
        const src = v.secret!;
        const payload = secretPayload(src, this.store.tryGet<Secret>('secrets', ns, src.secretName));
        return this.project(pod, 'secret', v.name, payload, true);
      }
      case 'downwardAPI':
        return this.project(pod, 'downwardAPI', v.name, downwardApiPayload(v.downwardAPI!, pod, this.node), false);
      case 'projected': {
        const lookup = {
          configMap: (name: string) => this.store.tryGet<ConfigMap>('configmaps', ns, name),
          secret: (name: string) => this.store.tryGet<Secret>('secrets', ns, name),
          ...(this.podTokens ? { serviceAccountToken: (req: PodTokenRequest) => this.podTokens!.token(ns, req) } : {}),
        };
        // On tmpfs, as the kubelet's projected plugin (it may carry secrets).
        return this.project(pod, 'projected', v.name, projectedPayload(v.projected!, pod, lookup, this.node), true);
      }
      default:
        throw new ContainerConfigError(`volume "${v.name}": unsupported volume type ${volumeSourceName(v)}`);
    }
  }

  /**
   * Writes a projection; with an fsGroup, a new generation gets the group ownership before it is
   * swapped in (the kubelet's setPerms), so a container never reads a copy still root:root.
   */
  private async project(
    pod: Pod,
    kind: 'configMap' | 'secret' | 'downwardAPI' | 'projected',
    name: string,
    payload: Payload,
    onTmpfs: boolean,
  ): Promise<MountedVolume> {
    const uid = pod.metadata.uid!;
    const dir = await this.makeVolumeDir(uid, kind, name);
    if (onTmpfs) await this.ensureTmpfs(dir, SECRET_TMPFS_SIZE);
    const fsGroup = pod.spec.securityContext?.fsGroup;
    const setPerms = fsGroup === undefined ? undefined : (genDir: string) => applyFsGroup(genDir, fsGroup, true);
    if (await writeAtomic(dir, payload, this.clock.now(), setPerms)) {
      this.logger.debug({ uid, volume: name, kind }, 'projected volume written');
    }
    return { name, hostPath: dir, readOnly: true };
  }

  /** The volume dir with mode 0777 (the kubelet's emptyDir mode, also used under projections). */
  private async makeVolumeDir(uid: string, kind: 'emptyDir' | 'configMap' | 'secret' | 'downwardAPI' | 'projected', name: string): Promise<string> {
    const dir = volumeDir(this.paths, uid, kind, name);
    await fs.mkdir(dir, { recursive: true, mode: 0o750 });
    await fs.chmod(dir, 0o777);
    return dir;
  }

  /** Mounts a tmpfs on `dir` unless one is there already; size is bytes or a tmpfs size string. */
  private ensureTmpfs(dir: string, size: string): Promise<void> {
    return this.ensureMount(dir, 'tmpfs', `size=${size}`);
  }

  /** Mounts a `type` filesystem with `options` on `dir` unless something is mounted there already. */
  private async ensureMount(dir: string, type: 'tmpfs' | 'hugetlbfs', options: string): Promise<void> {
    if (isMountPoint(await this.readMounts(dir), dir)) return;
    await runChecked(this.exec, 'mount', ['-t', type, '-o', options, type === 'tmpfs' ? 'tmpfs' : 'nodev', dir]);
    await fs.chmod(dir, 0o777); // the mount hides the dir's own mode
  }

  /** The mounts at or below `dir`. */
  private async readMounts(dir: string): Promise<MountInfoEntry[]> {
    return readMountInfo(this.mountInfoPath, dir);
  }

  async tearDownPodVolumes(podUid: string): Promise<void> {
    if (!podUid || podUid.includes('/') || podUid.startsWith('.')) throw new Error(`invalid pod uid ${JSON.stringify(podUid)}`);
    for (const key of this.ownedClaims) if (key.startsWith(`${podUid}/`)) this.ownedClaims.delete(key);
    this.podTokens?.forgetPod(podUid);
    // mountinfo lists canonical paths: resolve symlinks in the data dir path, or no mount would match.
    const dir = await fs.realpath(podDir(this.paths, podUid)).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return undefined;
      throw err;
    });
    if (!dir) return;
    await this.unmountAllUnder(dir);
    const left = mountsUnder(await this.readMounts(dir), dir);
    if (left.length > 0) {
      throw new Error(`tear down volumes of pod ${podUid}: still mounted: ${left.map((m) => m.mountPoint).join(', ')}`);
    }
    // Not fs.rm: it re-resolves each directory by name between its steps (issue 6).
    await removeTreeBeneath(dir);
  }

  /**
   * Unmounts every mount at or below dir, deepest first, lazily when a plain unmount is refused.
   * --no-canonicalize: the path mountinfo lists goes to umount(2) as it is, not umount(8)'s realpath()
   * of it, which follows whatever a container made of the directories on the way. (The kernel's own
   * walk of the path still follows them; only mounts a privileged container propagated back
   * (Bidirectional) sit below a directory a container can write.)
   */
  private async unmountAllUnder(dir: string): Promise<void> {
    for (let round = 0; round < 8; round++) {
      const mounts = mountsUnder(await this.readMounts(dir), dir);
      if (mounts.length === 0) return;
      for (const m of mounts) {
        const r = await this.exec.run('umount', ['--no-canonicalize', m.mountPoint]);
        if (r.code === 0) continue;
        this.logger.warn({ mountPoint: m.mountPoint, err: r.stderr.trim() }, 'umount failed; detaching lazily');
        const lazy = await this.exec.run('umount', ['--no-canonicalize', '-l', m.mountPoint]);
        if (lazy.code !== 0) this.logger.warn({ mountPoint: m.mountPoint, err: lazy.stderr.trim() }, 'lazy umount failed');
      }
    }
  }

  async gc(liveUids: Set<string>): Promise<void> {
    let uids: string[];
    try {
      uids = await fs.readdir(this.paths.podsDir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    for (const uid of uids) {
      if (liveUids.has(uid) || uid.startsWith('.')) continue;
      try {
        await this.tearDownPodVolumes(uid);
        this.logger.info({ uid }, 'removed volumes of unknown pod');
      } catch (err) {
        this.logger.warn({ uid, err: errorMessage(err) }, 'volume gc failed');
      }
    }
  }
}
