// Every host path and name the engine uses, derived from the data dir, so two daemons with different
// data dirs run side by side without touching each other's state (tests rely on that).

import { createHash } from 'node:crypto';
import path from 'node:path';

export const DEFAULT_DATA_DIR = '/var/lib/peapod';

export interface NodePaths {
  dataDir: string;
  /** SQLite database file. */
  dbPath: string;
  /** Short key unique to the data dir: "" for the default data dir, else 8 hex chars. */
  key: string;
  /** Run dir for volatile state (tmpfs-like): /run/peapod[-key]. */
  runDir: string;
  /** runc --root. */
  runcRoot: string;
  /** Pinned network namespaces. */
  netnsDir: string;
  /** Pinned IPC and UTS namespaces (runtime/ns-pins.ts). */
  nsDir: string;
  /** conmon --exit-dir. */
  exitsDir: string;
  /** conmon --socket-dir-path (short, for attach sockets). */
  attachDir: string;
  /** Per-container bundles (config.json, conmon files): <dataDir>/containers/<id>. */
  containersDir: string;
  /** Per-sandbox state (hosts, resolv.conf, hostname, shm): <dataDir>/sandboxes/<id>. */
  sandboxesDir: string;
  /** Per-pod volumes: <dataDir>/pods/<uid>/volumes/<plugin>/<name>. */
  podsDir: string;
  /** Image store: blobs, layers, metadata. */
  imagesDir: string;
  /** Container logs: /var/log/pods for the default data dir, else <dataDir>/logs/pods. */
  podLogsDir: string;
  /** CNI: engine-own conf, cache and IPAM dirs. */
  cniConfDir: string;
  cniCacheDir: string;
  ipamDir: string;
  /** Linux bridge name (≤ 15 chars). */
  bridgeName: string;
  /** CNI network name. */
  networkName: string;
  /** cgroupfs parent, relative to each hierarchy root: "peapod" or "peapod-<key>". */
  cgroupParent: string;
  /** kubeconfig the daemon writes for kubectl. */
  kubeconfigPath: string;
  /** The kubelet's seccomp profile root: Localhost profiles (localhostProfile) are relative to it. */
  seccompDir: string;
  /** The local-path StorageClass's volumes, one directory per claim (serve --local-path-dir moves them). */
  storageDir: string;
}

export function nodePaths(dataDir: string = DEFAULT_DATA_DIR): NodePaths {
  const abs = path.resolve(dataDir);
  const key = abs === DEFAULT_DATA_DIR ? '' : createHash('sha256').update(abs).digest('hex').slice(0, 8);
  const suffix = key ? `-${key}` : '';
  const runDir = `/run/peapod${suffix}`;
  return {
    dataDir: abs,
    dbPath: path.join(abs, 'peapod.db'),
    key,
    runDir,
    runcRoot: path.join(runDir, 'runc'),
    netnsDir: path.join(runDir, 'netns'),
    nsDir: path.join(runDir, 'ns'),
    exitsDir: path.join(runDir, 'exits'),
    attachDir: path.join(runDir, 'attach'),
    containersDir: path.join(abs, 'containers'),
    sandboxesDir: path.join(abs, 'sandboxes'),
    podsDir: path.join(abs, 'pods'),
    imagesDir: path.join(abs, 'images'),
    podLogsDir: key ? path.join(abs, 'logs', 'pods') : '/var/log/pods',
    cniConfDir: path.join(abs, 'cni', 'net.d'),
    cniCacheDir: path.join(abs, 'cni', 'cache'),
    ipamDir: path.join(abs, 'cni', 'ipam'),
    bridgeName: key ? `pp${key}` : 'peapod0',
    networkName: key ? `peapod-${key}` : 'peapod',
    cgroupParent: key ? `peapod-${key}` : 'peapod',
    kubeconfigPath: path.join(abs, 'kubeconfig'),
    seccompDir: path.join(abs, 'seccomp'),
    storageDir: path.join(abs, 'storage'),
  };
}

/** The kubelet's log directory name for a pod: <namespace>_<name>_<uid>. */
export function podLogDirectory(paths: NodePaths, namespace: string, name: string, uid: string): string {
  return path.join(paths.podLogsDir, `${namespace}_${name}_${uid}`);
}

/** A container instance's log file: <podLogDir>/<container>/<restartCount>.log. */
export function containerLogPath(podLogDir: string, container: string, restartCount: number): string {
  return path.join(podLogDir, container, `${restartCount}.log`);
}
