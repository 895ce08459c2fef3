// Figures read at scrape time rather than counted as they happen: how many objects the store holds per
// resource (kube-apiserver's apiserver_storage_objects, labelled "pods" or "<resource>.<group>"), the
// pods by phase, and the size of the database files (SQLite's database and its write-ahead log, where
// kube-apiserver reports etcd's database size as apiserver_storage_size_bytes).

import fs from 'node:fs';
import type { Pod } from '../k8s/types.js';
import type { ObjectStore } from '../store/store.js';
import type { MetricFamily } from './prometheus.js';

export const POD_PHASES = ['Pending', 'Running', 'Succeeded', 'Failed', 'Unknown'] as const;

export interface StoreFigures {
  /** Objects per resource label ("pods", "storageclasses.storage.k8s.io"). */
  objects: Map<string, number>;
  /** Pods per phase (a pod with no phase yet counts as Pending, as the API defaults it). */
  podPhases: Map<string, number>;
  /** The database's files, bytes. */
  databaseBytes: number;
  /** Names the store in the size figure's storage_cluster_id label. */
  storageId: string;
}

/** One pass over the store's own (shared, uncopied) objects. */
export function readStoreFigures(store: Pick<ObjectStore, 'listStored'>, resources: readonly { resource: string; group: string }[], databaseBytes: number, storageId: string): StoreFigures {
  const objects = new Map<string, number>();
  for (const r of resources) objects.set(r.group ? `${r.resource}.${r.group}` : r.resource, store.listStored(r.resource).items.length);
  const podPhases = new Map<string, number>(POD_PHASES.map((p) => [p, 0]));
  for (const s of store.listStored<Pod>('pods').items) {
    const phase = s.object.status?.phase ?? 'Pending';
    podPhases.set(phase, (podPhases.get(phase) ?? 0) + 1);
  }
  return { objects, podPhases, databaseBytes, storageId };
}

export function storeFamilies(f: StoreFigures): MetricFamily[] {
  return [
    {
      name: 'peapod_pods',
      help: 'Pods in the store, by phase.',
      type: 'gauge',
      samples: [...f.podPhases].map(([phase, value]) => ({ labels: { phase }, value })),
    },
    {
      name: 'apiserver_storage_objects',
      help: 'Number of stored objects at the time of last check split by kind.',
      type: 'gauge',
      samples: [...f.objects].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([resource, value]) => ({ labels: { resource }, value })),
    },
    {
      name: 'apiserver_storage_size_bytes',
      help: 'Size of the storage database file physically allocated in bytes.',
      type: 'gauge',
      samples: [{ labels: { storage_cluster_id: f.storageId }, value: f.databaseBytes }],
    },
  ];
}

/** The SQLite database's bytes on disk: the file and its write-ahead log (0 for one that is missing). */
export function sqliteFileBytes(dbPath: string, stat: (p: string) => { size: number } | undefined = (p) => fs.statSync(p, { throwIfNoEntry: false })): number {
  return (stat(dbPath)?.size ?? 0) + (stat(`${dbPath}-wal`)?.size ?? 0);
}
