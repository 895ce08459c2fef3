// Server-side printing: the Table columns and cells per resource, as upstream's printers produce them
// with Wide=true (kubectl hides priority-1 columns unless -o wide). See kube-api.md §5.

import type { KubeEvent, KubeObject, Node, Pod } from '../../k8s/types.js';
import { accessModesString, type PersistentVolume, type PersistentVolumeClaim, type StorageClass } from '../../k8s/storage-types.js';
import { isDefaultClass, storageClassOf } from '../../storage/classes.js';
import { canonicalQuantity } from '../validation/storage.js';
import { podRow } from './pod-row.js';
import { since, Since } from './age.js';

export interface ColumnDefinition {
  name: string;
  type: string;
  format: string;
  description: string;
  priority: number;
}

export interface RowCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

/** A row before the time of the request: its cells that read as an age are `Since`s (tables/table.ts renders them). */
export interface PreparedRow {
  cells: unknown[];
  conditions?: RowCondition[];
}

export interface Printer {
  columns: ColumnDefinition[];
  /** Depends on the object only, so a stored object's row is prepared once. */
  row(obj: KubeObject): PreparedRow;
}

const col = (name: string, type: string, description: string, priority = 0, format = ''): ColumnDefinition => ({
  name,
  type,
  format,
  description,
  priority,
});
const NAME = col('Name', 'string', 'Name must be unique within a namespace.', 0, 'name');
const AGE = col('Age', 'string', 'CreationTimestamp is a timestamp representing the server time when this object was created.');
const age = (o: KubeObject): Since => since(o.metadata.creationTimestamp);

const podPrinter: Printer = {
  columns: [
    NAME,
    col('Ready', 'string', 'The aggregate readiness state of this pod for accepting traffic.'),
    col('Status', 'string', 'The aggregate status of the containers in this pod.'),
    col('Restarts', 'string', 'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.'),
    AGE,
    col('IP', 'string', 'IP address allocated to the pod. Routable at least within the cluster.', 1),
    col('Node', 'string', 'NodeName is a request to schedule this pod onto a specific node.', 1),
    col('Nominated Node', 'string', 'nominatedNodeName is set only when this pod preempts other pods on the node.', 1),
    col('Readiness Gates', 'string', 'If specified, all readiness gates will be evaluated for pod readiness.', 1),
  ],
  row(obj) {
    const c = podRow(obj as Pod);
    const cells = [obj.metadata.name, c.ready, c.status, c.restarts, c.age, c.ip, c.node, c.nominatedNode, c.readinessGates];
    const conditions = c.completed ? [{ type: 'Completed', status: 'True', ...c.completed }] : undefined;
    return { cells, conditions };
  },
};

const namespacePrinter: Printer = {
  columns: [NAME, col('Status', 'string', 'The status of the namespace'), AGE],
  row: (o) => ({ cells: [o.metadata.name, (o.status as { phase?: string } | undefined)?.phase ?? '', age(o)] }),
};

const count = (v: unknown) => (v && typeof v === 'object' ? Object.keys(v).length : 0);

const configMapPrinter: Printer = {
  columns: [NAME, col('Data', 'string', 'Data contains the configuration data.'), AGE],
  row: (o) => ({ cells: [o.metadata.name, count(o.data) + count(o.binaryData), age(o)] }),
};

const secretPrinter: Printer = {
  columns: [NAME, col('Type', 'string', 'Used to facilitate programmatic handling of secret data.'), col('Data', 'string', 'Data contains the secret data.'), AGE],
  row: (o) => ({ cells: [o.metadata.name, (o.type as string | undefined) ?? '', count(o.data), age(o)] }),
};

const serviceAccountPrinter: Printer = {
  columns: [NAME, col('Secrets', 'string', 'Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use.'), AGE],
  row: (o) => ({ cells: [o.metadata.name, Array.isArray(o.secrets) ? o.secrets.length : 0, age(o)] }),
};

function nodeStatus(n: Node): string {
  const ready = n.status?.conditions?.find((c) => c.type === 'Ready');
  let s = !ready ? 'Unknown' : ready.status === 'True' ? 'Ready' : ready.status === 'False' ? 'NotReady' : 'Unknown';
  if (n.spec?.unschedulable) s += ',SchedulingDisabled';
  return s;
}

function nodeRoles(n: Node): string {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(n.metadata.labels ?? {})) {
    if (k.startsWith('node-role.kubernetes.io/')) roles.add(k.slice('node-role.kubernetes.io/'.length));
    else if (k === 'kubernetes.io/role' && v) roles.add(v);
  }
  return roles.size ? [...roles].sort().join(',') : '<none>';
}

const addr = (n: Node, type: string) => n.status?.addresses?.find((a) => a.type === type)?.address ?? '<none>';

const nodePrinter: Printer = {
  columns: [
    NAME,
    col('Status', 'string', 'The status of the node'),
    col('Roles', 'string', 'The roles of the node'),
    AGE,
    col('Version', 'string', 'Kubelet Version reported by the node.'),
    col('Internal-IP', 'string', 'List of addresses reachable to the node. Queried from cloud provider, if available.', 1),
    col('External-IP', 'string', 'List of addresses reachable to the node. Queried from cloud provider, if available.', 1),
    col('OS-Image', 'string', 'OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).', 1),
    col('Kernel-Version', 'string', 'Kernel Version reported by the node from `uname -r` (e.g. 3.16.0-0.bpo.4-amd64).', 1),
    col('Container-Runtime', 'string', 'ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).', 1),
  ],
  row(o) {
    const n = o as Node;
    const info = n.status?.nodeInfo;
    const dash = (s: string | undefined) => s || '<unknown>';
    return {
      cells: [
        n.metadata.name,
        nodeStatus(n),
        nodeRoles(n),
        age(n),
        info?.kubeletVersion ?? '',
        addr(n, 'InternalIP'),
        addr(n, 'ExternalIP'),
        dash(info?.osImage),
        dash(info?.kernelVersion),
        dash(info?.containerRuntimeVersion),
      ],
    };
  },
};

function eventSource(e: KubeEvent): string {
  const src = e.source ?? {};
  const component = src.component || e.reportingComponent || '';
  const host = src.host || e.reportingInstance || '';
  return host ? `${component}, ${host}` : component;
}

const eventPrinter: Printer = {
  columns: [
    col('Last Seen', 'string', 'Time when last occurrence of this event was recorded.'),
    col('Type', 'string', 'Type of this event (Normal, Warning), new types could be added in the future.'),
    col('Reason', 'string', 'This should be a short, machine understandable string that gives the reason for the transition into the object\'s current status.'),
    col('Object', 'string', 'The object that this event is about.'),
    col('Subobject', 'string', 'The subobject that this event is about.', 1),
    col('Source', 'string', 'The component reporting this event. Should be a short machine understandable string.', 1),
    col('Message', 'string', 'A human-readable description of the status of this operation.'),
    col('First Seen', 'string', 'The time at which the event was first recorded.', 1),
    col('Count', 'string', 'The number of times this event has occurred.', 1),
    col('Name', 'string', 'Name must be unique within a namespace.', 1, 'name'),
  ],
  row(o) {
    const e = o as KubeEvent;
    const first = since(e.firstTimestamp || e.eventTime);
    // A series (events.k8s.io) gives the last observation and the count, as upstream's printEvent.
    const series = e.series as { count?: number; lastObservedTime?: string } | undefined | null;
    const last = series ? since(series.lastObservedTime) : e.lastTimestamp ? since(e.lastTimestamp) : first;
    const inv = e.involvedObject ?? {};
    const kind = (inv.kind ?? '').toLowerCase();
    const target = inv.name ? `${kind}/${inv.name}` : kind;
    return {
      cells: [last, e.type ?? '', e.reason ?? '', target, inv.fieldPath ?? '', eventSource(e), (e.message ?? '').trim(), first, series ? (series.count ?? 0) : e.count || 1, e.metadata.name],
    };
  },
};


const unset = (v: unknown): string => (typeof v === 'string' ? v : '<unset>');
/** A quantity cell: Quantity.String() of the value, "0" when there is none. */
const quantityCell = (q: unknown): string => (q === undefined || q === null ? '0' : canonicalQuantity(q));

const persistentVolumePrinter: Printer = {
  columns: [
    NAME,
    col('Capacity', 'string', "capacity is the description of the persistent volume's resources and capacity. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#capacity"),
    col('Access Modes', 'string', 'accessModes contains all ways the volume can be mounted. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#access-modes'),
    col('Reclaim Policy', 'string', 'persistentVolumeReclaimPolicy defines what happens to a persistent volume when released from its claim. Valid options are Retain (default for manually created PersistentVolumes), Delete (default for dynamically provisioned PersistentVolumes), and Recycle (deprecated). Recycle must be supported by the volume plugin underlying this PersistentVolume. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#reclaiming'),
    col('Status', 'string', 'phase indicates if a volume is available, bound to a claim, or released by a claim. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#phase'),
    col('Claim', 'string', 'claimRef is part of a bi-directional binding between PersistentVolume and PersistentVolumeClaim. Expected to be non-nil when bound. claim.VolumeName is the authoritative bind between PV and PVC. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#binding'),
    col('StorageClass', 'string', 'StorageClass of the pv'),
    col('VolumeAttributesClass', 'string', 'VolumeAttributesClass of the pv'),
    col('Reason', 'string', 'reason is a brief CamelCase string that describes any failure and is meant for machine parsing and tidy display in the CLI.'),
    AGE,
    col('VolumeMode', 'string', 'volumeMode defines if a volume is intended to be used with a formatted filesystem or to remain in raw block state. Value of Filesystem is implied when not included in spec.', 1),
  ],
  row(o) {
    const pv = o as PersistentVolume;
    const spec = pv.spec ?? {};
    const ref = spec.claimRef;
    const claim = ref ? `${ref.namespace ?? ''}/${ref.name ?? ''}` : '';
    const phase = pv.metadata.deletionTimestamp ? 'Terminating' : (pv.status?.phase ?? '');
    return {
      cells: [
        pv.metadata.name,
        quantityCell(spec.capacity?.storage),
        accessModesString(spec.accessModes),
        spec.persistentVolumeReclaimPolicy ?? '',
        phase,
        claim,
        storageClassOf(pv),
        unset(spec.volumeAttributesClassName),
        pv.status?.reason ?? '',
        age(pv),
        unset(spec.volumeMode),
      ],
    };
  },
};

const persistentVolumeClaimPrinter: Printer = {
  columns: [
    NAME,
    col('Status', 'string', 'phase represents the current phase of PersistentVolumeClaim.'),
    col('Volume', 'string', 'volumeName is the binding reference to the PersistentVolume backing this claim.'),
    col('Capacity', 'string', 'capacity represents the actual resources of the underlying volume.'),
    col('Access Modes', 'string', 'accessModes contains the actual access modes the volume backing the PVC has. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#access-modes-1'),
    col('StorageClass', 'string', 'StorageClass of the pvc'),
    col('VolumeAttributesClass', 'string', 'VolumeAttributesClass of the pvc'),
    AGE,
    col('VolumeMode', 'string', 'volumeMode defines what type of volume is required by the claim. Value of Filesystem is implied when not included in claim spec.', 1),
  ],
  row(o) {
    const pvc = o as PersistentVolumeClaim;
    const spec = pvc.spec ?? {};
    const phase = pvc.metadata.deletionTimestamp ? 'Terminating' : (pvc.status?.phase ?? '');
    // Capacity and access modes are the bound volume's, so they show once the claim names one.
    const volume = spec.volumeName ?? '';
    const capacity = volume ? quantityCell(pvc.status?.capacity?.storage) : '';
    const modes = volume ? accessModesString(pvc.status?.accessModes) : '';
    return {
      cells: [pvc.metadata.name, phase, volume, capacity, modes, storageClassOf(pvc), unset(spec.volumeAttributesClassName), age(pvc), unset(spec.volumeMode)],
    };
  },
};

const storageClassPrinter: Printer = {
  columns: [
    NAME,
    col('Provisioner', 'string', 'provisioner indicates the type of the provisioner.'),
    col('ReclaimPolicy', 'string', 'reclaimPolicy controls the reclaimPolicy for dynamically provisioned PersistentVolumes of this storage class. Defaults to Delete.'),
    col('VolumeBindingMode', 'string', 'volumeBindingMode indicates how PersistentVolumeClaims should be provisioned and bound.  When unset, VolumeBindingImmediate is used. This field is only honored by servers that enable the VolumeScheduling feature.'),
    col('AllowVolumeExpansion', 'string', 'allowVolumeExpansion shows whether the storage class allow volume expand.'),
    AGE,
  ],
  row(o) {
    const sc = o as StorageClass;
    const name = isDefaultClass(sc) ? `${sc.metadata.name} (default)` : sc.metadata.name;
    return {
      cells: [name, sc.provisioner ?? '', sc.reclaimPolicy ?? 'Delete', sc.volumeBindingMode ?? 'Immediate', sc.allowVolumeExpansion === true, age(sc)],
    };
  },
};

const leasePrinter: Printer = {
  columns: [
    NAME,
    col('Holder', 'string', 'holderIdentity contains the identity of the holder of a current lease. If Coordinated Leader Election is used, the holder identity must be equal to the elected LeaseCandidate.metadata.name field.'),
    AGE,
  ],
  row: (o) => ({ cells: [o.metadata.name, String((o.spec as { holderIdentity?: unknown } | undefined)?.holderIdentity ?? ''), age(o)] }),
};

const defaultPrinter: Printer = { columns: [NAME, AGE], row: (o) => ({ cells: [o.metadata.name, age(o)] }) };

const PRINTERS: Record<string, Printer> = {
  pods: podPrinter,
  namespaces: namespacePrinter,
  configmaps: configMapPrinter,
  secrets: secretPrinter,
  serviceaccounts: serviceAccountPrinter,
  nodes: nodePrinter,
  events: eventPrinter,
  persistentvolumes: persistentVolumePrinter,
  persistentvolumeclaims: persistentVolumeClaimPrinter,
  storageclasses: storageClassPrinter,
  leases: leasePrinter,
};

export function printerFor(resource: string): Printer {
  return PRINTERS[resource] ?? defaultPrinter;
}
