// The resources peapod serves: group, scope, kind, short names, and the field selectors each supports.
// The API's discovery and routes and the store's field-selector matching all read this one table.

import type { KubeObject } from './types.js';
import type { ResourceInfo } from '../store/store.js';

export interface ApiResource extends ResourceInfo {
  /** The API group ('' for the core group, served under /api/v1; others under /apis/<group>/<version>). */
  group: string;
  version: string;
  singularName: string;
  shortNames: string[];
  verbs: string[];
  categories?: string[];
}

const get = (obj: KubeObject, pathStr: string): string | undefined => {
  let cur: unknown = obj;
  for (const part of pathStr.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  if (cur === undefined || cur === null) return undefined;
  return String(cur);
};

const metaFields = (namespaced: boolean): ResourceInfo['fields'] => ({
  'metadata.name': (o) => o.metadata.name,
  ...(namespaced ? { 'metadata.namespace': (o: KubeObject) => o.metadata.namespace } : {}),
});

const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

export const RESOURCES: ApiResource[] = [
  {
    resource: 'pods',
    group: '',
    version: 'v1',
    singularName: 'pod',
    kind: 'Pod',
    namespaced: true,
    shortNames: ['po'],
    verbs: ALL_VERBS,
    categories: ['all'],
    fields: {
      ...metaFields(true),
      'spec.nodeName': (o) => get(o, 'spec.nodeName') ?? '',
      'spec.restartPolicy': (o) => get(o, 'spec.restartPolicy'),
      'spec.schedulerName': (o) => get(o, 'spec.schedulerName'),
      'spec.serviceAccountName': (o) => get(o, 'spec.serviceAccountName'),
      'spec.hostNetwork': (o) => get(o, 'spec.hostNetwork') ?? 'false',
      'status.phase': (o) => get(o, 'status.phase') ?? '',
      'status.podIP': (o) => get(o, 'status.podIP') ?? '',
      'status.nominatedNodeName': (o) => get(o, 'status.nominatedNodeName') ?? '',
    },
  },
  {
    resource: 'namespaces',
    group: '',
    version: 'v1',
    singularName: 'namespace',
    kind: 'Namespace',
    namespaced: false,
    shortNames: ['ns'],
    verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
    fields: { ...metaFields(false), 'status.phase': (o) => get(o, 'status.phase') },
  },
  {
    resource: 'configmaps',
    group: '',
    version: 'v1',
    singularName: 'configmap',
    kind: 'ConfigMap',
    namespaced: true,
    shortNames: ['cm'],
    verbs: ALL_VERBS,
    fields: metaFields(true),
  },
  {
    resource: 'secrets',
    group: '',
    version: 'v1',
    singularName: 'secret',
    kind: 'Secret',
    namespaced: true,
    shortNames: [],
    verbs: ALL_VERBS,
    fields: { ...metaFields(true), type: (o) => get(o, 'type') },
  },
  {
    resource: 'serviceaccounts',
    group: '',
    version: 'v1',
    singularName: 'serviceaccount',
    kind: 'ServiceAccount',
    namespaced: true,
    shortNames: ['sa'],
    verbs: ALL_VERBS,
    fields: metaFields(true),
  },
  {
    resource: 'events',
    group: '',
    version: 'v1',
    singularName: 'event',
    kind: 'Event',
    namespaced: true,
    shortNames: ['ev'],
    verbs: ALL_VERBS,
    fields: {
      ...metaFields(true),
      'involvedObject.kind': (o) => get(o, 'involvedObject.kind'),
      'involvedObject.namespace': (o) => get(o, 'involvedObject.namespace'),
      'involvedObject.name': (o) => get(o, 'involvedObject.name'),
      'involvedObject.uid': (o) => get(o, 'involvedObject.uid'),
      'involvedObject.apiVersion': (o) => get(o, 'involvedObject.apiVersion'),
      'involvedObject.resourceVersion': (o) => get(o, 'involvedObject.resourceVersion'),
      'involvedObject.fieldPath': (o) => get(o, 'involvedObject.fieldPath'),
      reason: (o) => get(o, 'reason'),
      reportingComponent: (o) => get(o, 'reportingComponent') ?? '',
      source: (o) => get(o, 'source.component'),
      type: (o) => get(o, 'type'),
    },
  },
  {
    resource: 'nodes',
    group: '',
    version: 'v1',
    singularName: 'node',
    kind: 'Node',
    namespaced: false,
    shortNames: ['no'],
    verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
    fields: { ...metaFields(false), 'spec.unschedulable': (o) => get(o, 'spec.unschedulable') ?? 'false' },
  },
  {
    resource: 'persistentvolumes',
    group: '',
    version: 'v1',
    singularName: 'persistentvolume',
    kind: 'PersistentVolume',
    namespaced: false,
    shortNames: ['pv'],
    verbs: ALL_VERBS,
    fields: { ...metaFields(false) },
  },
  {
    resource: 'persistentvolumeclaims',
    group: '',
    version: 'v1',
    singularName: 'persistentvolumeclaim',
    kind: 'PersistentVolumeClaim',
    namespaced: true,
    shortNames: ['pvc'],
    verbs: ALL_VERBS,
    fields: { ...metaFields(true) },
  },
  {
    resource: 'storageclasses',
    group: 'storage.k8s.io',
    version: 'v1',
    singularName: 'storageclass',
    kind: 'StorageClass',
    namespaced: false,
    shortNames: ['sc'],
    verbs: ALL_VERBS,
    fields: metaFields(false),
  },
  {
    resource: 'leases',
    group: 'coordination.k8s.io',
    version: 'v1',
    singularName: 'lease',
    kind: 'Lease',
    namespaced: true,
    shortNames: [],
    verbs: ALL_VERBS,
    fields: metaFields(true),
  },
  {
    // Served read-only and always empty: peapod has no Service proxy, so creating one is refused (405),
    // while `kubectl cluster-info` and `get all` find what a cluster without Services would show.
    resource: 'services',
    group: '',
    version: 'v1',
    singularName: 'service',
    kind: 'Service',
    namespaced: true,
    shortNames: ['svc'],
    verbs: ['get', 'list', 'watch'],
    categories: ['all'],
    fields: metaFields(true),
  },
  {
    // Served so that clients looking for custom resources find none (kubectl then says `no matches for
    // kind`); peapod does not serve custom resources, so none can be created.
    resource: 'customresourcedefinitions',
    group: 'apiextensions.k8s.io',
    version: 'v1',
    singularName: 'customresourcedefinition',
    kind: 'CustomResourceDefinition',
    namespaced: false,
    shortNames: ['crd', 'crds'],
    verbs: ['get', 'list', 'watch'],
    categories: ['api-extensions'],
    fields: metaFields(false),
  },
];

/** The resources of the core group (/api/v1). */
export const CORE_RESOURCES: ApiResource[] = RESOURCES.filter((r) => r.group === '');

/** The apiVersion objects of a resource carry: "v1" for the core group, "<group>/<version>" otherwise. */
export function apiVersionOf(r: Pick<ApiResource, 'group' | 'version'>): string {
  return r.group ? `${r.group}/${r.version}` : r.version;
}

export function resourceInfo(resource: string): ApiResource | undefined {
  return RESOURCES.find((r) => r.resource === resource);
}
