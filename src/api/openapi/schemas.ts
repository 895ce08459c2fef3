// OpenAPI v3 component schemas for the kinds peapod serves: enough for `kubectl explain <kind>` and
// `kubectl explain pod.spec` (descriptions follow upstream, abridged). Fields are declared compactly:
// a type name ("string", "integer", "boolean", "object", "string[]", "map") or a schema name (a $ref,
// with "[]" for arrays).

type FieldSpec = [type: string, description: string];
/** gvk: the kind of a top-level object (x-kubernetes-group-version-kind), in `group` ('' for core), version v1. */
type SchemaSpec = { description: string; gvk?: string; group?: string; fields: Record<string, FieldSpec>; required?: string[] };

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1.';
const CORE = 'io.k8s.api.core.v1.';
const STORAGE_V1 = 'io.k8s.api.storage.v1.';
const COORDINATION_V1 = 'io.k8s.api.coordination.v1.';
const EVENTS_V1 = 'io.k8s.api.events.v1.';

const API_VERSION: FieldSpec = [
  'string',
  'APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources',
];
const KIND: FieldSpec = [
  'string',
  'Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds',
];
const METADATA: FieldSpec = ['ObjectMeta', "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata"];

const SPECS: Record<string, SchemaSpec> = {
  [`${META}ObjectMeta`]: {
    description: 'ObjectMeta is metadata that all persisted resources must have, which includes all objects users must create.',
    fields: {
      annotations: ['map', 'Annotations is an unstructured key value map stored with a resource that may be set by external tools to store and retrieve arbitrary metadata.'],
      creationTimestamp: ['string', 'CreationTimestamp is a timestamp representing the server time when this object was created.'],
      deletionGracePeriodSeconds: ['integer', 'Number of seconds allowed for this object to gracefully terminate before it will be removed from the system.'],
      deletionTimestamp: ['string', 'DeletionTimestamp is RFC 3339 date and time at which this resource will be deleted.'],
      finalizers: ['string[]', 'Must be empty before the object is deleted from the registry.'],
      generateName: ['string', 'GenerateName is an optional prefix, used by the server, to generate a unique name ONLY IF the Name field has not been provided.'],
      generation: ['integer', 'A sequence number representing a specific generation of the desired state.'],
      labels: ['map', 'Map of string keys and values that can be used to organize and categorize (scope and select) objects.'],
      name: ['string', 'Name must be unique within a namespace.'],
      namespace: ['string', 'Namespace defines the space within which each name must be unique.'],
      resourceVersion: ['string', 'An opaque value that represents the internal version of this object.'],
      uid: ['string', 'UID is the unique in time and space value for this object.'],
    },
  },
  [`${CORE}Pod`]: {
    description: 'Pod is a collection of containers that can run on a host. This resource is created by clients and scheduled onto hosts.',
    gvk: 'Pod',
    fields: {
      apiVersion: API_VERSION,
      kind: KIND,
      metadata: METADATA,
      spec: ['PodSpec', 'Specification of the desired behavior of the pod. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status'],
      status: ['PodStatus', 'Most recently observed status of the pod. This data may not be up to date. Populated by the system. Read-only. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status'],
    },
  },
  [`${CORE}PodSpec`]: {
    description: 'PodSpec is a description of a pod.',
    required: ['containers'],
    fields: {
      activeDeadlineSeconds: ['integer', 'Optional duration in seconds the pod may be active on the node relative to StartTime before the system will actively try to mark it failed and kill associated containers.'],
      containers: ['Container[]', 'List of containers belonging to the pod. Containers cannot currently be added or removed. There must be at least one container in a Pod. Cannot be updated.'],
      dnsPolicy: ['string', 'Set DNS policy for the pod. Defaults to "ClusterFirst".'],
      hostNetwork: ['boolean', "Host networking requested for this pod. Use the host's network namespace."],
      initContainers: ['Container[]', 'List of initialization containers belonging to the pod.'],
      nodeName: ['string', 'NodeName indicates in which node this pod is scheduled.'],
      restartPolicy: ['string', 'Restart policy for all containers within the pod. One of Always, OnFailure, Never. Default to Always.'],
      shareProcessNamespace: ['boolean', 'Share a single process namespace between all of the containers in a pod.'],
      terminationGracePeriodSeconds: ['integer', 'Optional duration in seconds the pod needs to terminate gracefully. Defaults to 30 seconds.'],
      volumes: ['object[]', 'List of volumes that can be mounted by containers belonging to the pod.'],
    },
  },
  [`${CORE}Container`]: {
    description: 'A single application container that you want to run within a pod.',
    required: ['name'],
    fields: {
      args: ['string[]', 'Arguments to the entrypoint.'],
      command: ['string[]', 'Entrypoint array. Not executed within a shell.'],
      env: ['object[]', 'List of environment variables to set in the container. Cannot be updated.'],
      image: ['string', 'Container image name.'],
      imagePullPolicy: ['string', 'Image pull policy. One of Always, Never, IfNotPresent.'],
      name: ['string', 'Name of the container specified as a DNS_LABEL. Each container in a pod must have a unique name (DNS_LABEL). Cannot be updated.'],
      ports: ['object[]', 'List of ports to expose from the container.'],
      resources: ['object', 'Compute Resources required by this container. Cannot be updated.'],
      volumeMounts: ['object[]', "Pod volumes to mount into the container's filesystem. Cannot be updated."],
      workingDir: ['string', "Container's working directory."],
    },
  },
  [`${CORE}PodStatus`]: {
    description: 'PodStatus represents information about the status of a pod. Status may trail the actual state of a system, especially if the node that hosts the pod cannot contact the control plane.',
    fields: {
      conditions: ['object[]', 'Current service state of pod.'],
      containerStatuses: ['object[]', 'The list has one entry per container in the manifest.'],
      hostIP: ['string', 'hostIP holds the IP address of the host to which the pod is assigned.'],
      message: ['string', 'A human readable message indicating details about why the pod is in this condition.'],
      phase: ['string', 'The phase of a Pod is a simple, high-level summary of where the Pod is in its lifecycle.'],
      podIP: ['string', 'podIP address allocated to the pod.'],
      qosClass: ['string', 'The Quality of Service (QOS) classification assigned to the pod based on resource requirements.'],
      reason: ['string', 'A brief CamelCase message indicating details about why the pod is in this state.'],
      startTime: ['string', 'RFC 3339 date and time at which the object was acknowledged by the Kubelet.'],
    },
  },
  [`${CORE}Namespace`]: {
    description: 'Namespace provides a scope for Names. Use of multiple namespaces is optional.',
    gvk: 'Namespace',
    fields: {
      apiVersion: API_VERSION,
      kind: KIND,
      metadata: METADATA,
      spec: ['object', 'Spec defines the behavior of the Namespace.'],
      status: ['object', 'Status describes the current status of a Namespace.'],
    },
  },
  [`${CORE}ConfigMap`]: {
    description: 'ConfigMap holds configuration data for pods to consume.',
    gvk: 'ConfigMap',
    fields: {
      apiVersion: API_VERSION,
      binaryData: ['map', 'BinaryData contains the binary data.'],
      data: ['map', 'Data contains the configuration data.'],
      immutable: ['boolean', 'Immutable, if set to true, ensures that data stored in the ConfigMap cannot be updated (only object metadata can be modified).'],
      kind: KIND,
      metadata: METADATA,
    },
  },
  [`${CORE}Secret`]: {
    description: 'Secret holds secret data of a certain type. The total bytes of the values in the Data field must be less than MaxSecretSize bytes.',
    gvk: 'Secret',
    fields: {
      apiVersion: API_VERSION,
      data: ['map', 'Data contains the secret data. Each key must consist of alphanumeric characters, \'-\', \'_\' or \'.\'. The serialized form of the secret data is a base64 encoded string.'],
      immutable: ['boolean', 'Immutable, if set to true, ensures that data stored in the Secret cannot be updated (only object metadata can be modified).'],
      kind: KIND,
      metadata: METADATA,
      stringData: ['map', 'stringData allows specifying non-binary secret data in string form. It is provided as a write-only input field for convenience.'],
      type: ['string', 'Used to facilitate programmatic handling of secret data.'],
    },
  },
  [`${CORE}ServiceAccount`]: {
    description: 'ServiceAccount binds together: * a name, understood by users, and perhaps by peripheral systems, for an identity * a principal that can be authenticated and authorized * a set of secrets',
    gvk: 'ServiceAccount',
    fields: {
      apiVersion: API_VERSION,
      automountServiceAccountToken: ['boolean', 'AutomountServiceAccountToken indicates whether pods running as this service account should have an API token automatically mounted. Can be overridden at the pod level.'],
      imagePullSecrets: ['object[]', 'ImagePullSecrets is a list of references to secrets in the same namespace to use for pulling any images in pods that reference this ServiceAccount.'],
      kind: KIND,
      metadata: METADATA,
      secrets: ['object[]', 'Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use.'],
    },
  },
  [`${CORE}Event`]: {
    description: 'Event is a report of an event somewhere in the cluster.',
    gvk: 'Event',
    required: ['metadata', 'involvedObject'],
    fields: {
      apiVersion: API_VERSION,
      count: ['integer', 'The number of times this event has occurred.'],
      firstTimestamp: ['string', 'The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)'],
      involvedObject: ['object', 'The object that this event is about.'],
      kind: KIND,
      lastTimestamp: ['string', 'The time at which the most recent occurrence of this event was recorded.'],
      message: ['string', 'A human-readable description of the status of this operation.'],
      metadata: METADATA,
      reason: ['string', "This should be a short, machine understandable string that gives the reason for the transition into the object's current status."],
      source: ['object', 'The component reporting this event. Should be a short machine understandable string.'],
      type: ['string', 'Type of this event (Normal, Warning), new types could be added in the future'],
    },
  },
  [`${CORE}Node`]: {
    description: 'Node is a worker node in Kubernetes. Each node will have a unique identifier in the cache (i.e. in etcd).',
    gvk: 'Node',
    fields: {
      apiVersion: API_VERSION,
      kind: KIND,
      metadata: METADATA,
      spec: ['object', 'Spec defines the behavior of a node.'],
      status: ['object', 'Most recently observed status of the node. Populated by the system. Read-only.'],
    },
  },
  [`${CORE}PersistentVolume`]: {
    description: 'PersistentVolume (PV) is a storage resource provisioned by an administrator. It is analogous to a node. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes',
    gvk: 'PersistentVolume',
    fields: {
      apiVersion: API_VERSION,
      kind: KIND,
      metadata: METADATA,
      spec: ['PersistentVolumeSpec', 'spec defines a specification of a persistent volume owned by the cluster. Provisioned by an administrator. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#persistent-volumes'],
      status: ['PersistentVolumeStatus', 'status represents the current information/status for the persistent volume. Populated by the system. Read-only. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#persistent-volumes'],
    },
  },
  [`${CORE}PersistentVolumeSpec`]: {
    description: 'PersistentVolumeSpec is the specification of a persistent volume.',
    fields: {
      accessModes: ['string[]', 'accessModes contains all ways the volume can be mounted. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#access-modes'],
      capacity: ['map', "capacity is the description of the persistent volume's resources and capacity. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#capacity"],
      claimRef: ['object', 'claimRef is part of a bi-directional binding between PersistentVolume and PersistentVolumeClaim. Expected to be non-nil when bound. claim.VolumeName is the authoritative bind between PV and PVC. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#binding'],
      hostPath: ['HostPathVolumeSource', 'hostPath represents a directory on the host. Provisioned by a developer or tester. This is useful for single-node development and testing only! On-host storage is not supported in any way and WILL NOT WORK in a multi-node cluster. More info: https://kubernetes.io/docs/concepts/storage/volumes#hostpath'],
      local: ['LocalVolumeSource', 'local represents directly-attached storage with node affinity'],
      mountOptions: ['string[]', 'mountOptions is the list of mount options, e.g. ["ro", "soft"]. Not validated - mount will simply fail if one is invalid. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes/#mount-options'],
      nodeAffinity: ['object', 'nodeAffinity defines constraints that limit what nodes this volume can be accessed from. This field influences the scheduling of pods that use this volume.'],
      persistentVolumeReclaimPolicy: ['string', 'persistentVolumeReclaimPolicy defines what happens to a persistent volume when released from its claim. Valid options are Retain (default for manually created PersistentVolumes), Delete (default for dynamically provisioned PersistentVolumes), and Recycle (deprecated). Recycle must be supported by the volume plugin underlying this PersistentVolume. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#reclaiming'],
      storageClassName: ['string', 'storageClassName is the name of StorageClass to which this persistent volume belongs. Empty value means that this volume does not belong to any StorageClass.'],
      volumeAttributesClassName: ['string', 'Name of VolumeAttributesClass to which this persistent volume belongs. Empty value is not allowed.'],
      volumeMode: ['string', 'volumeMode defines if a volume is intended to be used with a formatted filesystem or to remain in raw block state. Value of Filesystem is implied when not included in spec.'],
    },
  },
  [`${CORE}HostPathVolumeSource`]: {
    description: 'Represents a host path mapped into a pod. Host path volumes do not support ownership management or SELinux relabeling.',
    required: ['path'],
    fields: {
      path: ['string', 'path of the directory on the host. If the path is a symlink, it will follow the link to the real path. More info: https://kubernetes.io/docs/concepts/storage/volumes#hostpath'],
      type: ['string', 'type for HostPath Volume Defaults to "" More info: https://kubernetes.io/docs/concepts/storage/volumes#hostpath'],
    },
  },
  [`${CORE}LocalVolumeSource`]: {
    description: 'Local represents directly-attached storage with node affinity',
    required: ['path'],
    fields: {
      fsType: ['string', 'fsType is the filesystem type to mount. It applies only when the Path is a block device. Must be a filesystem type supported by the host operating system. Ex. "ext4", "xfs", "ntfs". The default value is to auto-select a filesystem if unspecified.'],
      path: ['string', 'path of the full path to the volume on the node. It can be either a directory or block device (disk, partition, ...).'],
    },
  },
  [`${CORE}PersistentVolumeStatus`]: {
    description: 'PersistentVolumeStatus is the current status of a persistent volume.',
    fields: {
      lastPhaseTransitionTime: ['string', 'lastPhaseTransitionTime is the time the phase transitioned from one to another and automatically resets to current time everytime a volume phase transitions.'],
      message: ['string', 'message is a human-readable message indicating details about why the volume is in this state.'],
      phase: ['string', 'phase indicates if a volume is available, bound to a claim, or released by a claim. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#phase'],
      reason: ['string', 'reason is a brief CamelCase string that describes any failure and is meant for machine parsing and tidy display in the CLI.'],
    },
  },
  [`${CORE}PersistentVolumeClaim`]: {
    description: "PersistentVolumeClaim is a user's request for and claim to a persistent volume",
    gvk: 'PersistentVolumeClaim',
    fields: {
      apiVersion: API_VERSION,
      kind: KIND,
      metadata: METADATA,
      spec: ['PersistentVolumeClaimSpec', 'spec defines the desired characteristics of a volume requested by a pod author. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#persistentvolumeclaims'],
      status: ['PersistentVolumeClaimStatus', 'status represents the current information/status of a persistent volume claim. Read-only. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#persistentvolumeclaims'],
    },
  },
  [`${CORE}PersistentVolumeClaimSpec`]: {
    description: 'PersistentVolumeClaimSpec describes the common attributes of storage devices and allows a Source for provider-specific attributes',
    fields: {
      accessModes: ['string[]', 'accessModes contains the desired access modes the volume should have. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#access-modes-1'],
      dataSource: ['object', 'dataSource field can be used to specify either: * An existing VolumeSnapshot object (snapshot.storage.k8s.io/VolumeSnapshot) * An existing PVC (PersistentVolumeClaim) If the provisioner or an external controller can support the specified data source, it will create a new volume based on the contents of the specified data source.'],
      dataSourceRef: ['object', 'dataSourceRef specifies the object from which to populate the volume with data, if a non-empty volume is desired.'],
      resources: ['object', 'resources represents the minimum resources the volume should have. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#resources'],
      selector: ['object', 'selector is a label query over volumes to consider for binding.'],
      storageClassName: ['string', 'storageClassName is the name of the StorageClass required by the claim. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#class-1'],
      volumeAttributesClassName: ['string', 'volumeAttributesClassName may be used to set the VolumeAttributesClass used by this claim.'],
      volumeMode: ['string', 'volumeMode defines what type of volume is required by the claim. Value of Filesystem is implied when not included in claim spec.'],
      volumeName: ['string', 'volumeName is the binding reference to the PersistentVolume backing this claim.'],
    },
  },
  [`${CORE}PersistentVolumeClaimStatus`]: {
    description: 'PersistentVolumeClaimStatus is the current status of a persistent volume claim.',
    fields: {
      accessModes: ['string[]', 'accessModes contains the actual access modes the volume backing the PVC has. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#access-modes-1'],
      allocatedResourceStatuses: ['map', 'allocatedResourceStatuses stores status of resource being resized for the given PVC.'],
      allocatedResources: ['map', 'allocatedResources tracks the resources allocated to a PVC including its capacity.'],
      capacity: ['map', 'capacity represents the actual resources of the underlying volume.'],
      conditions: ['object[]', "conditions is the current Condition of persistent volume claim. If underlying persistent volume is being resized then the Condition will be set to 'Resizing'."],
      currentVolumeAttributesClassName: ['string', 'currentVolumeAttributesClassName is the current name of the VolumeAttributesClass the PVC is using.'],
      modifyVolumeStatus: ['object', 'ModifyVolumeStatus represents the status object of ControllerModifyVolume operation. When this is unset, there is no ModifyVolume operation being attempted.'],
      phase: ['string', 'phase represents the current phase of PersistentVolumeClaim.'],
    },
  },
  [`${STORAGE_V1}StorageClass`]: {
    description: 'StorageClass describes the parameters for a class of storage for which PersistentVolumes can be dynamically provisioned.\n\nStorageClasses are non-namespaced; the name of the storage class according to etcd is in ObjectMeta.Name.',
    gvk: 'StorageClass',
    group: 'storage.k8s.io',
    required: ['provisioner'],
    fields: {
      allowVolumeExpansion: ['boolean', 'allowVolumeExpansion shows whether the storage class allow volume expand.'],
      allowedTopologies: ['object[]', 'allowedTopologies restrict the node topologies where volumes can be dynamically provisioned. Each volume plugin defines its own supported topology specifications. An empty TopologySelectorTerm list means there is no topology restriction. This field is only honored by servers that enable the VolumeScheduling feature.'],
      apiVersion: API_VERSION,
      kind: KIND,
      metadata: METADATA,
      mountOptions: ['string[]', 'mountOptions controls the mountOptions for dynamically provisioned PersistentVolumes of this storage class. e.g. ["ro", "soft"]. Not validated - mount of the PVs will simply fail if one is invalid.'],
      parameters: ['map', 'parameters holds the parameters for the provisioner that should create volumes of this storage class.'],
      provisioner: ['string', 'provisioner indicates the type of the provisioner.'],
      reclaimPolicy: ['string', 'reclaimPolicy controls the reclaimPolicy for dynamically provisioned PersistentVolumes of this storage class. Defaults to Delete.'],
      volumeBindingMode: ['string', 'volumeBindingMode indicates how PersistentVolumeClaims should be provisioned and bound.  When unset, VolumeBindingImmediate is used. This field is only honored by servers that enable the VolumeScheduling feature.'],
    },
  },
  [`${COORDINATION_V1}Lease`]: {
    description: 'Lease defines a lease concept.',
    gvk: 'Lease',
    group: 'coordination.k8s.io',
    fields: {
      apiVersion: API_VERSION,
      kind: KIND,
      metadata: METADATA,
      spec: [`${COORDINATION_V1}LeaseSpec`, 'spec contains the specification of the Lease. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status'],
    },
  },
  [`${COORDINATION_V1}LeaseSpec`]: {
    description: 'LeaseSpec is a specification of a Lease.',
    fields: {
      acquireTime: ['string', 'acquireTime is a time when the current lease was acquired.'],
      holderIdentity: ['string', 'holderIdentity contains the identity of the holder of a current lease. If Coordinated Leader Election is used, the holder identity must be equal to the elected LeaseCandidate.metadata.name field.'],
      leaseDurationSeconds: ['integer', 'leaseDurationSeconds is a duration that candidates for a lease need to wait to force acquire it. This is measured against the time of last observed renewTime.'],
      leaseTransitions: ['integer', 'leaseTransitions is the number of transitions of a lease between holders.'],
      preferredHolder: ['string', 'PreferredHolder signals to a lease holder that the lease has a more optimal holder and should be given up. This field can only be set if Strategy is also set. (Coordinated leader election is not enabled: the field is cleared.)'],
      renewTime: ['string', 'renewTime is a time when the current holder of a lease has last updated the lease.'],
      strategy: ['string', 'Strategy indicates the strategy for picking the leader for coordinated leader election. (Coordinated leader election is not enabled: the field is cleared.)'],
    },
  },
  [`${EVENTS_V1}Event`]: {
    description: 'Event is a report of an event somewhere in the cluster. It generally denotes some state change in the system. Events have a limited retention time and triggers and messages may evolve with time.  Event consumers should not rely on the timing of an event with a given Reason reflecting a consistent underlying trigger, or the continued existence of events with that Reason.  Events should be treated as informative, best-effort, supplemental data.',
    gvk: 'Event',
    group: 'events.k8s.io',
    required: ['eventTime'],
    fields: {
      action: ['string', 'action is what action was taken/failed regarding to the regarding object. It is machine-readable. This field cannot be empty for new Events and it can have at most 128 characters.'],
      apiVersion: API_VERSION,
      deprecatedCount: ['integer', 'deprecatedCount is the deprecated field assuring backward compatibility with core.v1 Event type.'],
      deprecatedFirstTimestamp: ['string', 'deprecatedFirstTimestamp is the deprecated field assuring backward compatibility with core.v1 Event type.'],
      deprecatedLastTimestamp: ['string', 'deprecatedLastTimestamp is the deprecated field assuring backward compatibility with core.v1 Event type.'],
      deprecatedSource: ['object', 'deprecatedSource is the deprecated field assuring backward compatibility with core.v1 Event type.'],
      eventTime: ['string', 'eventTime is the time when this Event was first observed. It is required.'],
      kind: KIND,
      metadata: METADATA,
      note: ['string', 'note is a human-readable description of the status of this operation. Maximal length of the note is 1kB, but libraries should be prepared to handle values up to 64kB.'],
      reason: ['string', 'reason is why the action was taken. It is human-readable. This field cannot be empty for new Events and it can have at most 128 characters.'],
      regarding: ['object', "regarding contains the object this Event is about. In most cases it's an Object reporting controller implements, e.g. ReplicaSetController implements ReplicaSets and this event is emitted because it acts on some changes in a ReplicaSet object."],
      related: ['object', 'related is the optional secondary object for more complex actions. E.g. when regarding object triggers a creation or deletion of related object.'],
      reportingController: ['string', 'reportingController is the name of the controller that emitted this Event, e.g. `kubernetes.io/kubelet`. This field cannot be empty for new Events.'],
      reportingInstance: ['string', 'reportingInstance is the ID of the controller instance, e.g. `kubelet-xyzf`. This field cannot be empty for new Events and it can have at most 128 characters.'],
      series: [`${EVENTS_V1}EventSeries`, 'series is data about the Event series this event represents or nil if it\'s a singleton Event.'],
      type: ['string', 'type is the type of this event (Normal, Warning), new types could be added in the future. It is machine-readable. This field cannot be empty for new Events.'],
    },
  },
  [`${EVENTS_V1}EventSeries`]: {
    description: 'EventSeries contain information on series of events, i.e. thing that was/is happening continuously for some time. How often to update the EventSeries is up to the event reporters. The default event reporter in "k8s.io/client-go/tools/events/event_broadcaster.go" shows how this struct is updated on heartbeats and can guide customized reporter implementations.',
    required: ['count', 'lastObservedTime'],
    fields: {
      count: ['integer', 'count is the number of occurrences in this series up to the last heartbeat time.'],
      lastObservedTime: ['string', 'lastObservedTime is the time when last Event from the series was seen before last heartbeat.'],
    },
  },
  // Served so that clients find no Services (peapod has no Service proxy, and refuses to create one).
  Service: {
    description: 'Service is a named abstraction of software service (for example, mysql) consisting of local port (for example 3306) that the proxy listens on, and the selector that determines which pods will answer requests sent through the proxy. peapod serves none: the list is always empty and creating one is refused.',
    gvk: 'Service',
    fields: {
      apiVersion: API_VERSION,
      kind: KIND,
      metadata: METADATA,
      spec: ['object', 'Spec defines the behavior of a service.'],
      status: ['object', 'Most recently observed status of the service.'],
    },
  },
  // Served so that clients find no custom resources (peapod serves none, and refuses to create one).
  ['io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinition']: {
    description: 'CustomResourceDefinition represents a resource that should be exposed on the API server.  Its name MUST be in the format <.spec.name>.<.spec.group>. peapod serves none: the list is always empty.',
    gvk: 'CustomResourceDefinition',
    group: 'apiextensions.k8s.io',
    required: ['spec'],
    fields: {
      apiVersion: API_VERSION,
      kind: KIND,
      metadata: METADATA,
      spec: ['object', 'spec describes how the user wants the resources to appear'],
      status: ['object', 'status indicates the actual state of the CustomResourceDefinition'],
    },
  },
};

/** A field's schema reference: ObjectMeta, a core type by its short name, or any schema by its full name. */
function refName(type: string): string {
  if (type === 'ObjectMeta') return `${META}ObjectMeta`;
  return type.startsWith('io.k8s.') ? type : `${CORE}${type}`;
}

/** The prefix of a group's schema names, as upstream's OpenAPI names them (io.k8s.api.<group>.<version>.). */
function schemaPrefix(group: string, version: string): string {
  if (!group) return `io.k8s.api.core.${version}.`;
  if (group === 'apiextensions.k8s.io') return `io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.${version}.`;
  const name = group.endsWith('.k8s.io') ? group.slice(0, -'.k8s.io'.length) : group;
  return `io.k8s.api.${name}.${version}.`;
}

function fieldSchema([type, description]: FieldSpec): Record<string, unknown> {
  const base = type.endsWith('[]') ? type.slice(0, -2) : type;
  const isArray = type.endsWith('[]');
  let item: Record<string, unknown>;
  if (base === 'map') return { type: 'object', additionalProperties: { type: 'string', default: '' }, description };
  if (['string', 'integer', 'boolean', 'object'].includes(base)) {
    item = base === 'integer' ? { type: 'integer', format: 'int64' } : { type: base };
  } else {
    if (!isArray) return { allOf: [{ $ref: `#/components/schemas/${refName(base)}` }], default: {}, description };
    item = { allOf: [{ $ref: `#/components/schemas/${refName(base)}` }], default: {} };
  }
  return isArray ? { type: 'array', items: item, description } : { ...item, description };
}

/** components.schemas for the v3 documents: every kind's (and ObjectMeta), whatever its group. */
export function componentSchemas(): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(SPECS)) {
    const properties: Record<string, unknown> = {};
    for (const [f, fs] of Object.entries(spec.fields)) properties[f] = fieldSchema(fs);
    const schema: Record<string, unknown> = { description: spec.description, type: 'object', properties };
    if (spec.required) schema.required = spec.required;
    if (spec.gvk) schema['x-kubernetes-group-version-kind'] = [{ group: spec.group ?? '', kind: spec.gvk, version: 'v1' }];
    out[name] = schema;
  }
  return out;
}

/** The component schema name of a kind: io.k8s.api.core.v1.Pod, io.k8s.api.storage.v1.StorageClass. */
export function schemaNameFor(kind: string, group = '', version = 'v1'): string {
  return `${schemaPrefix(group, version)}${kind}`;
}
