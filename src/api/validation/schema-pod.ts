// The core/v1 Pod shape of Kubernetes 1.33, every field, whether or not peapod acts on it: "unknown"
// means unknown to Kubernetes. Merge keys follow the Go struct tags (patchMergeKey/patchStrategy).

import { A, keyed, list, M, obj, scalars, set, S, type SchemaNode } from './schema.js';

export const LOCAL_OBJECT_REF = obj(scalars('name'));
export const OBJECT_REF = obj(scalars('kind namespace name uid apiVersion resourceVersion fieldPath'));
export const LABEL_SELECTOR = obj({
  matchLabels: M,
  matchExpressions: list(obj({ ...scalars('key operator'), values: list(S) })),
});

export const OBJECT_META = obj({
  ...scalars('name generateName namespace selfLink uid resourceVersion generation creationTimestamp'),
  ...scalars('deletionTimestamp deletionGracePeriodSeconds'),
  labels: M,
  annotations: M,
  ownerReferences: keyed(obj(scalars('apiVersion kind name uid controller blockOwnerDeletion')), 'uid'),
  finalizers: set(),
  managedFields: list(obj({ ...scalars('manager operation apiVersion time fieldsType subresource'), fieldsV1: A })),
});

const SE_LINUX = obj(scalars('user role type level'));
const WINDOWS = obj(scalars('gmsaCredentialSpecName gmsaCredentialSpec runAsUserName hostProcess'));
const PROFILE = obj(scalars('type localhostProfile'));

const EXEC = obj({ command: list(S) });
const HTTP_GET = obj({ ...scalars('path port host scheme'), httpHeaders: list(obj(scalars('name value'))) });
const TCP_SOCKET = obj(scalars('port host'));
const HANDLER = { exec: EXEC, httpGet: HTTP_GET, tcpSocket: TCP_SOCKET };
const PROBE = obj({
  ...HANDLER,
  grpc: obj(scalars('port service')),
  ...scalars('initialDelaySeconds timeoutSeconds periodSeconds successThreshold failureThreshold terminationGracePeriodSeconds'),
});
const LIFECYCLE_HANDLER = obj({ ...HANDLER, sleep: obj(scalars('seconds')) });

const KEY_SELECTOR = obj(scalars('name key optional'));
const FIELD_REF = obj(scalars('apiVersion fieldPath'));
const RESOURCE_REF = obj(scalars('containerName resource divisor'));
const RESOURCES = obj({ limits: M, requests: M, claims: list(obj(scalars('name request'))) });

const CONTAINER_FIELDS: Record<string, SchemaNode> = {
  ...scalars('name image workingDir restartPolicy terminationMessagePath terminationMessagePolicy imagePullPolicy'),
  ...scalars('stdin stdinOnce tty'),
  command: list(S),
  args: list(S),
  ports: keyed(obj(scalars('name hostPort containerPort protocol hostIP')), 'containerPort', ['containerPort', 'protocol'], { protocol: 'TCP' }),
  envFrom: list(obj({ prefix: S, configMapRef: obj(scalars('name optional')), secretRef: obj(scalars('name optional')) })),
  env: keyed(
    obj({
      ...scalars('name value'),
      valueFrom: obj({ fieldRef: FIELD_REF, resourceFieldRef: RESOURCE_REF, configMapKeyRef: KEY_SELECTOR, secretKeyRef: KEY_SELECTOR }),
    }),
    'name',
  ),
  resources: RESOURCES,
  resizePolicy: list(obj(scalars('resourceName restartPolicy'))),
  volumeMounts: keyed(
    obj(scalars('name readOnly recursiveReadOnly mountPath subPath mountPropagation subPathExpr')),
    'mountPath',
  ),
  volumeDevices: keyed(obj(scalars('name devicePath')), 'devicePath'),
  livenessProbe: PROBE,
  readinessProbe: PROBE,
  startupProbe: PROBE,
  lifecycle: obj({ postStart: LIFECYCLE_HANDLER, preStop: LIFECYCLE_HANDLER, stopSignal: S }),
  securityContext: obj({
    capabilities: obj({ add: list(S), drop: list(S) }),
    ...scalars('privileged runAsUser runAsGroup runAsNonRoot readOnlyRootFilesystem allowPrivilegeEscalation procMount'),
    seLinuxOptions: SE_LINUX,
    windowsOptions: WINDOWS,
    seccompProfile: PROFILE,
    appArmorProfile: PROFILE,
  }),
};
export const CONTAINER = obj(CONTAINER_FIELDS);
export const EPHEMERAL_CONTAINER = obj({ ...CONTAINER_FIELDS, targetContainerName: S });

const KEY_TO_PATH = list(obj(scalars('key path mode')));
const DOWNWARD_ITEMS = list(obj({ path: S, fieldRef: FIELD_REF, resourceFieldRef: RESOURCE_REF, mode: S }));
export const PVC_SPEC = obj({
  accessModes: list(S),
  selector: LABEL_SELECTOR,
  resources: obj({ limits: M, requests: M }),
  ...scalars('volumeName storageClassName volumeMode volumeAttributesClassName'),
  dataSource: obj(scalars('apiGroup kind name')),
  dataSourceRef: obj(scalars('apiGroup kind name namespace')),
});

const VOLUME_SOURCES: Record<string, SchemaNode> = {
  hostPath: obj(scalars('path type')),
  emptyDir: obj(scalars('medium sizeLimit')),
  gcePersistentDisk: obj(scalars('pdName fsType partition readOnly')),
  awsElasticBlockStore: obj(scalars('volumeID fsType partition readOnly')),
  gitRepo: obj(scalars('repository revision directory')),
  secret: obj({ ...scalars('secretName defaultMode optional'), items: KEY_TO_PATH }),
  nfs: obj(scalars('server path readOnly')),
  iscsi: obj({
    ...scalars('targetPortal iqn lun iscsiInterface fsType readOnly chapAuthDiscovery chapAuthSession initiatorName'),
    portals: list(S),
    secretRef: LOCAL_OBJECT_REF,
  }),
  glusterfs: obj(scalars('endpoints path readOnly')),
  persistentVolumeClaim: obj(scalars('claimName readOnly')),
  rbd: obj({ monitors: list(S), ...scalars('image fsType pool user keyring readOnly'), secretRef: LOCAL_OBJECT_REF }),
  flexVolume: obj({ ...scalars('driver fsType readOnly'), secretRef: LOCAL_OBJECT_REF, options: M }),
  cinder: obj({ ...scalars('volumeID fsType readOnly'), secretRef: LOCAL_OBJECT_REF }),
  cephfs: obj({ monitors: list(S), ...scalars('path user secretFile readOnly'), secretRef: LOCAL_OBJECT_REF }),
  flocker: obj(scalars('datasetName datasetUUID')),
  downwardAPI: obj({ items: DOWNWARD_ITEMS, defaultMode: S }),
  fc: obj({ targetWWNs: list(S), ...scalars('lun fsType readOnly'), wwids: list(S) }),
  azureFile: obj(scalars('secretName shareName readOnly')),
  configMap: obj({ ...scalars('name defaultMode optional'), items: KEY_TO_PATH }),
  vsphereVolume: obj(scalars('volumePath fsType storagePolicyName storagePolicyID')),
  quobyte: obj(scalars('registry volume readOnly user group tenant')),
  azureDisk: obj(scalars('diskName diskURI cachingMode fsType readOnly kind')),
  photonPersistentDisk: obj(scalars('pdID fsType')),
  projected: obj({
    sources: list(
      obj({
        secret: obj({ ...scalars('name optional'), items: KEY_TO_PATH }),
        downwardAPI: obj({ items: DOWNWARD_ITEMS }),
        configMap: obj({ ...scalars('name optional'), items: KEY_TO_PATH }),
        serviceAccountToken: obj(scalars('audience expirationSeconds path')),
        clusterTrustBundle: obj({ ...scalars('name signerName optional path'), labelSelector: LABEL_SELECTOR }),
      }),
    ),
    defaultMode: S,
  }),
  portworxVolume: obj(scalars('volumeID fsType readOnly')),
  scaleIO: obj({
    ...scalars('gateway system sslEnabled protectionDomain storagePool storageMode volumeName fsType readOnly'),
    secretRef: LOCAL_OBJECT_REF,
  }),
  storageos: obj({ ...scalars('volumeName volumeNamespace fsType readOnly'), secretRef: OBJECT_REF }),
  csi: obj({ ...scalars('driver readOnly fsType'), volumeAttributes: M, nodePublishSecretRef: LOCAL_OBJECT_REF }),
  ephemeral: obj({ volumeClaimTemplate: obj({ metadata: OBJECT_META, spec: PVC_SPEC }) }),
  image: obj(scalars('reference pullPolicy')),
};

const NODE_SELECTOR_TERM = obj({
  matchExpressions: list(obj({ ...scalars('key operator'), values: list(S) })),
  matchFields: list(obj({ ...scalars('key operator'), values: list(S) })),
});
const POD_AFFINITY_TERM = obj({
  labelSelector: LABEL_SELECTOR,
  namespaces: list(S),
  topologyKey: S,
  namespaceSelector: LABEL_SELECTOR,
  matchLabelKeys: list(S),
  mismatchLabelKeys: list(S),
});
const POD_AFFINITY = obj({
  requiredDuringSchedulingIgnoredDuringExecution: list(POD_AFFINITY_TERM),
  preferredDuringSchedulingIgnoredDuringExecution: list(obj({ weight: S, podAffinityTerm: POD_AFFINITY_TERM })),
});
const AFFINITY = obj({
  nodeAffinity: obj({
    requiredDuringSchedulingIgnoredDuringExecution: obj({ nodeSelectorTerms: list(NODE_SELECTOR_TERM) }),
    preferredDuringSchedulingIgnoredDuringExecution: list(obj({ weight: S, preference: NODE_SELECTOR_TERM })),
  }),
  podAffinity: POD_AFFINITY,
  podAntiAffinity: POD_AFFINITY,
});

export const POD_SPEC = obj({
  volumes: keyed(obj({ name: S, ...VOLUME_SOURCES }), 'name'),
  initContainers: keyed(CONTAINER, 'name'),
  containers: keyed(CONTAINER, 'name'),
  ephemeralContainers: keyed(EPHEMERAL_CONTAINER, 'name'),
  ...scalars('restartPolicy terminationGracePeriodSeconds activeDeadlineSeconds dnsPolicy serviceAccountName'),
  ...scalars('serviceAccount automountServiceAccountToken nodeName hostNetwork hostPID hostIPC shareProcessNamespace'),
  ...scalars('hostname subdomain schedulerName priorityClassName priority runtimeClassName enableServiceLinks'),
  ...scalars('preemptionPolicy setHostnameAsFQDN hostUsers'),
  nodeSelector: M,
  securityContext: obj({
    seLinuxOptions: SE_LINUX,
    windowsOptions: WINDOWS,
    ...scalars('runAsUser runAsGroup runAsNonRoot supplementalGroupsPolicy fsGroup fsGroupChangePolicy seLinuxChangePolicy'),
    supplementalGroups: list(S),
    sysctls: list(obj(scalars('name value'))),
    seccompProfile: PROFILE,
    appArmorProfile: PROFILE,
  }),
  imagePullSecrets: keyed(LOCAL_OBJECT_REF, 'name'),
  affinity: AFFINITY,
  tolerations: list(obj(scalars('key operator value effect tolerationSeconds'))),
  hostAliases: keyed(obj({ ip: S, hostnames: list(S) }), 'ip'),
  dnsConfig: obj({ nameservers: list(S), searches: list(S), options: list(obj(scalars('name value'))) }),
  readinessGates: list(obj(scalars('conditionType'))),
  overhead: M,
  topologySpreadConstraints: keyed(
    obj({
      ...scalars('maxSkew topologyKey whenUnsatisfiable minDomains nodeAffinityPolicy nodeTaintsPolicy'),
      labelSelector: LABEL_SELECTOR,
      matchLabelKeys: list(S),
    }),
    'topologyKey',
    ['topologyKey', 'whenUnsatisfiable'],
  ),
  os: obj(scalars('name')),
  schedulingGates: keyed(obj(scalars('name')), 'name'),
  resourceClaims: keyed(obj(scalars('name resourceClaimName resourceClaimTemplateName')), 'name'),
  resources: RESOURCES,
});

const CONTAINER_STATE = obj({
  waiting: obj(scalars('reason message')),
  running: obj(scalars('startedAt')),
  terminated: obj(scalars('exitCode signal reason message startedAt finishedAt containerID')),
});
const CONTAINER_STATUS = obj({
  ...scalars('name ready restartCount image imageID containerID started stopSignal'),
  state: CONTAINER_STATE,
  lastState: CONTAINER_STATE,
  allocatedResources: M,
  resources: RESOURCES,
  volumeMounts: list(obj(scalars('name mountPath readOnly recursiveReadOnly'))),
  user: obj({ linux: obj({ ...scalars('uid gid'), supplementalGroups: list(S) }) }),
  allocatedResourcesStatus: list(obj({ name: S, resources: list(obj(scalars('resourceID health'))) })),
});

export const POD_STATUS = obj({
  ...scalars('observedGeneration phase message reason nominatedNodeName hostIP podIP startTime qosClass resize'),
  conditions: keyed(obj(scalars('type observedGeneration status lastProbeTime lastTransitionTime reason message')), 'type'),
  hostIPs: keyed(obj(scalars('ip')), 'ip'),
  podIPs: keyed(obj(scalars('ip')), 'ip'),
  initContainerStatuses: list(CONTAINER_STATUS),
  containerStatuses: list(CONTAINER_STATUS),
  ephemeralContainerStatuses: list(CONTAINER_STATUS),
  resourceClaimStatuses: keyed(obj(scalars('name resourceClaimName')), 'name'),
});

export const POD = obj({ ...scalars('apiVersion kind'), metadata: OBJECT_META, spec: POD_SPEC, status: POD_STATUS });
