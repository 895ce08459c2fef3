// Shapes of the other served kinds (1.33), and the resource → schema table.

import { A, INT, keyed, list, M, obj, scalars, set, S, strings, type SchemaNode } from './schema.js';
import { OBJECT_META, OBJECT_REF, POD, PVC_SPEC } from './schema-pod.js';
import { PV_SOURCE_TYPES } from './storage.js';

const TOP = scalars('apiVersion kind');

export const CONFIG_MAP = obj({ ...TOP, metadata: OBJECT_META, data: M, binaryData: M, immutable: S });
export const SECRET = obj({ ...TOP, metadata: OBJECT_META, data: M, stringData: M, type: S, immutable: S });

export const SERVICE_ACCOUNT = obj({
  ...TOP,
  metadata: OBJECT_META,
  secrets: keyed(OBJECT_REF, 'name'),
  imagePullSecrets: list(obj(scalars('name'))),
  automountServiceAccountToken: S,
});

export const NAMESPACE = obj({
  ...TOP,
  metadata: OBJECT_META,
  spec: obj({ finalizers: list(S) }),
  status: obj({ phase: S, conditions: list(obj(scalars('type status lastTransitionTime reason message'))) }),
});

export const EVENT = obj({
  ...TOP,
  metadata: OBJECT_META,
  // Typed: the table printer and field selectors read these as strings and numbers.
  involvedObject: obj(strings('kind namespace name uid apiVersion resourceVersion fieldPath')),
  related: obj(strings('kind namespace name uid apiVersion resourceVersion fieldPath')),
  ...scalars('firstTimestamp lastTimestamp eventTime'),
  ...strings('reason message type action reportingComponent reportingInstance'),
  count: INT,
  source: obj(strings('component host')),
  series: obj({ count: INT, lastObservedTime: S }),
});

const CONFIG_SOURCE = obj({ configMap: obj(scalars('namespace name uid resourceVersion kubeletConfigKey')) });

export const NODE = obj({
  ...TOP,
  metadata: OBJECT_META,
  spec: obj({
    ...scalars('podCIDR providerID unschedulable externalID'),
    podCIDRs: set(),
    taints: list(obj(scalars('key value effect timeAdded'))),
    configSource: CONFIG_SOURCE,
  }),
  status: obj({
    capacity: M,
    allocatable: M,
    phase: S,
    conditions: keyed(obj(scalars('type status lastHeartbeatTime lastTransitionTime reason message')), 'type'),
    addresses: keyed(obj(scalars('type address')), 'type'),
    daemonEndpoints: obj({ kubeletEndpoint: obj(scalars('Port')) }),
    nodeInfo: obj({
      ...scalars('machineID systemUUID bootID kernelVersion osImage containerRuntimeVersion kubeletVersion'),
      ...scalars('kubeProxyVersion operatingSystem architecture'),
      swap: obj(scalars('capacity')),
    }),
    images: list(obj({ names: list(S), sizeBytes: S })),
    volumesInUse: list(S),
    volumesAttached: list(obj(scalars('name devicePath'))),
    config: obj({ assigned: CONFIG_SOURCE, active: CONFIG_SOURCE, lastKnownGood: CONFIG_SOURCE, error: S }),
    runtimeHandlers: list(obj({ name: S, features: obj(scalars('recursiveReadOnlyMounts userNamespaces')) })),
    features: obj(scalars('supplementalGroupsPolicy')),
  }),
});

// Persistent storage (core/v1 PersistentVolume, PersistentVolumeClaim; storage.k8s.io/v1 StorageClass).
// The sources peapod serves are spelled out; the others take any content (validation refuses them).

const NODE_SELECTOR_REQUIREMENTS = list(obj({ ...scalars('key operator'), values: list(S) }));
const PV_SOURCES: Record<string, SchemaNode> = {
  ...Object.fromEntries(PV_SOURCE_TYPES.map(([source]) => [source, A])),
  hostPath: obj(scalars('path type')),
  local: obj(scalars('path fsType')),
};

export const PERSISTENT_VOLUME = obj({
  ...TOP,
  metadata: OBJECT_META,
  spec: obj({
    ...PV_SOURCES,
    capacity: M,
    accessModes: list(S),
    claimRef: OBJECT_REF,
    ...scalars('persistentVolumeReclaimPolicy storageClassName volumeMode volumeAttributesClassName'),
    mountOptions: list(S),
    nodeAffinity: obj({
      required: obj({ nodeSelectorTerms: list(obj({ matchExpressions: NODE_SELECTOR_REQUIREMENTS, matchFields: NODE_SELECTOR_REQUIREMENTS })) }),
    }),
  }),
  status: obj(scalars('phase message reason lastPhaseTransitionTime')),
});

export const PERSISTENT_VOLUME_CLAIM = obj({
  ...TOP,
  metadata: OBJECT_META,
  spec: PVC_SPEC,
  status: obj({
    phase: S,
    accessModes: list(S),
    capacity: M,
    conditions: keyed(obj(scalars('type status lastProbeTime lastTransitionTime reason message')), 'type'),
    allocatedResources: M,
    allocatedResourceStatuses: M,
    currentVolumeAttributesClassName: S,
    modifyVolumeStatus: obj(scalars('targetVolumeAttributesClassName status')),
  }),
});

export const STORAGE_CLASS = obj({
  ...TOP,
  metadata: OBJECT_META,
  ...scalars('provisioner reclaimPolicy allowVolumeExpansion volumeBindingMode'),
  parameters: M,
  mountOptions: list(S),
  allowedTopologies: list(obj({ matchLabelExpressions: list(obj({ key: S, values: list(S) })) })),
});

export const LEASE = obj({
  ...TOP,
  metadata: OBJECT_META,
  spec: obj(scalars('holderIdentity leaseDurationSeconds acquireTime renewTime leaseTransitions strategy preferredHolder')),
});

/** Schemas by resource (URL plural). */
export const SCHEMAS: Record<string, SchemaNode> = {
  pods: POD,
  configmaps: CONFIG_MAP,
  secrets: SECRET,
  serviceaccounts: SERVICE_ACCOUNT,
  namespaces: NAMESPACE,
  events: EVENT,
  nodes: NODE,
  persistentvolumes: PERSISTENT_VOLUME,
  persistentvolumeclaims: PERSISTENT_VOLUME_CLAIM,
  storageclasses: STORAGE_CLASS,
  leases: LEASE,
};

/** Schemas by kind, for patching objects that carry their kind. */
export const SCHEMAS_BY_KIND: Record<string, SchemaNode> = {
  Pod: POD,
  ConfigMap: CONFIG_MAP,
  Secret: SECRET,
  ServiceAccount: SERVICE_ACCOUNT,
  Namespace: NAMESPACE,
  Event: EVENT,
  Node: NODE,
  PersistentVolume: PERSISTENT_VOLUME,
  PersistentVolumeClaim: PERSISTENT_VOLUME_CLAIM,
  StorageClass: STORAGE_CLASS,
  Lease: LEASE,
};
