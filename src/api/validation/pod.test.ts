import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FieldCause } from '../../errors.js';
import type { Pod } from '../../k8s/types.js';
import { applyDefaults } from '../defaults.js';
import { DNS1123_LABEL_ERROR } from './names.js';
import { POD_UPDATE_FORBIDDEN, validateEphemeralContainersUpdate, validatePod, validatePodUpdate } from './pod.js';

type Mutator = (p: any) => void;

function basePod(): Pod {
  const pod: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web', namespace: 'default', labels: { app: 'web' } },
    spec: {
      volumes: [{ name: 'data', emptyDir: {} }, { name: 'cfg', configMap: { name: 'app-config' } }],
      containers: [
        {
          name: 'main',
          image: 'nginx:1.25',
          ports: [{ name: 'http', containerPort: 80 }],
          env: [{ name: 'MODE', value: 'prod' }],
          volumeMounts: [{ name: 'data', mountPath: '/data' }],
          readinessProbe: { httpGet: { port: 'http' } },
          resources: { requests: { cpu: '100m' }, limits: { cpu: '1' } },
        },
      ],
    },
  };
  applyDefaults('pods', pod);
  return pod;
}

const lines = (causes: FieldCause[]): string[] => causes.map((c) => `${c.field}: ${c.message}`);

function check(name: string, mutate: Mutator, want: string[]): void {
  test(name, () => {
    const pod = basePod();
    mutate(pod);
    assert.deepEqual(lines(validatePod(pod)), want);
  });
}

test('the base pod is valid', () => assert.deepEqual(validatePod(basePod()), []));

check('a malformed name is rejected with the subdomain message', (p) => (p.metadata.name = 'Foo_Bar'), [
  `metadata.name: Invalid value: "Foo_Bar": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
]);
check('a missing name without generateName is required', (p) => delete p.metadata.name, [
  'metadata.name: Required value: name or generateName is required',
]);
check('generateName alone is accepted', (p) => { delete p.metadata.name; p.metadata.generateName = 'web-'; }, []);
check('a bad namespace is a DNS label error', (p) => (p.metadata.namespace = 'My_NS'), [
  `metadata.namespace: Invalid value: "My_NS": ${DNS1123_LABEL_ERROR}`,
]);
check('a label key with two slashes is invalid', (p) => (p.metadata.labels = { 'a/b/c': 'x' }), [
  `metadata.labels: Invalid value: "a/b/c": a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
]);
check('annotations over 256 KiB are too long', (p) => (p.metadata.annotations = { big: 'x'.repeat(262142) }), [
  'metadata.annotations: Too long: may not be more than 262144 bytes',
]);
check('no containers is required', (p) => (p.spec.containers = []), ['spec.containers: Required value']);
check('a container name with capitals is not a DNS label', (p) => (p.spec.containers[0].name = 'Foo_Bar'), [
  `spec.containers[0].name: Invalid value: "Foo_Bar": ${DNS1123_LABEL_ERROR}`,
]);
check('duplicate container names are reported', (p) => p.spec.containers.push({ ...p.spec.containers[0], ports: [] }), [
  'spec.containers[1].name: Duplicate value: "main"',
]);
check('an init container may not reuse a container name', (p) => (p.spec.initContainers = [{ name: 'main', image: 'busybox' }]), [
  'spec.initContainers[0].name: Duplicate value: "main"',
]);
check('a missing image is required', (p) => delete p.spec.containers[0].image, ['spec.containers[0].image: Required value']);
check('a mount of an undeclared volume is not found', (p) => (p.spec.containers[0].volumeMounts[0].name = 'x'), [
  'spec.containers[0].volumeMounts[0].name: Not found: "x"',
]);
check('a relative mountPath is accepted like upstream', (p) => (p.spec.containers[0].volumeMounts[0].mountPath = 'data'), []);
check('an empty mountPath is required', (p) => (p.spec.containers[0].volumeMounts[0].mountPath = ''), [
  'spec.containers[0].volumeMounts[0].mountPath: Required value',
]);
check('a duplicate mountPath must be unique', (p) => p.spec.containers[0].volumeMounts.push({ name: 'cfg', mountPath: '/data' }), [
  'spec.containers[0].volumeMounts[1].mountPath: Invalid value: "/data": must be unique',
]);
check('an absolute subPath with backsteps gets both errors', (p) => (p.spec.containers[0].volumeMounts[0].subPath = '/../x'), [
  'spec.containers[0].volumeMounts.subPath: Invalid value: "/../x": must be a relative path',
  `spec.containers[0].volumeMounts.subPath: Invalid value: "/../x": must not contain '..'`,
]);
check('containerPort 0 is required', (p) => (p.spec.containers[0].ports[0].containerPort = 0), [
  'spec.containers[0].ports[0].containerPort: Required value',
]);
check('containerPort above 65535 is out of range', (p) => (p.spec.containers[0].ports[0].containerPort = 70000), [
  'spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive',
]);
check('an unknown protocol is unsupported', (p) => (p.spec.containers[0].ports[0].protocol = 'HTTP'), [
  'spec.containers[0].ports[0].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"',
]);
check('a port name longer than 15 characters is invalid', (p) => (p.spec.containers[0].ports[0].name = 'a-very-long-port-name'), [
  'spec.containers[0].ports[0].name: Invalid value: "a-very-long-port-name": must be no more than 15 characters',
]);
check('the same hostPort twice in the pod conflicts', (p) => {
  p.spec.containers[0].ports[0].hostPort = 8080;
  p.spec.containers.push({ name: 'side', image: 'busybox', ports: [{ containerPort: 81, hostPort: 8080, protocol: 'TCP' }] });
}, ['spec.containers[1].ports[0].hostPort: Duplicate value: "/TCP/8080"']);
check('hostNetwork requires hostPort to equal containerPort', (p) => {
  p.spec.hostNetwork = true;
  p.spec.containers[0].ports[0].hostPort = 8080;
}, ['spec.containers[0].ports[0].containerPort: Invalid value: 80: must match `hostPort` when `hostNetwork` is true']);
check('a bad restart policy lists the supported values', (p) => (p.spec.restartPolicy = 'Sometimes'), [
  'spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"',
]);
check('a bad dns policy lists the supported values', (p) => (p.spec.dnsPolicy = 'Cluster'), [
  'spec.dnsPolicy: Unsupported value: "Cluster": supported values: "ClusterFirst", "ClusterFirstWithHostNet", "Default", "None"',
]);
check('a negative grace period is invalid', (p) => (p.spec.terminationGracePeriodSeconds = -1), [
  'spec.terminationGracePeriodSeconds: Invalid value: -1: must be greater than or equal to 0',
]);
check('activeDeadlineSeconds 0 is out of range', (p) => (p.spec.activeDeadlineSeconds = 0), [
  'spec.activeDeadlineSeconds: Invalid value: 0: must be between 1 and 2147483647, inclusive',
]);
check('volumes need unique names', (p) => p.spec.volumes.push({ name: 'data', emptyDir: {} }), [
  'spec.volumes[2].name: Duplicate value: "data"',
]);
check('a volume with two sources is forbidden', (p) => (p.spec.volumes[0].hostPath = { path: '/tmp' }), [
  'spec.volumes[0].emptyDir: Forbidden: may not specify more than 1 volume type',
  // Like upstream, an invalid volume is not mountable, so its mounts are reported too.
  'spec.containers[0].volumeMounts[0].name: Not found: "data"',
]);
check('a volume without a source must specify one', (p) => (p.spec.volumes[0] = { name: 'data' }), [
  'spec.volumes[0]: Required value: must specify a volume type',
  'spec.containers[0].volumeMounts[0].name: Not found: "data"',
]);
check('a hostPath needs a path and a known type', (p) => (p.spec.volumes[0] = { name: 'data', hostPath: { path: '', type: 'Dir' } }), [
  'spec.volumes[0].hostPath.path: Required value',
  'spec.volumes[0].hostPath.type: Unsupported value: "Dir": supported values: "", "BlockDevice", "CharDevice", "Directory", "DirectoryOrCreate", "File", "FileOrCreate", "Socket"',
  'spec.containers[0].volumeMounts[0].name: Not found: "data"',
]);
check('a configMap volume needs a name', (p) => (p.spec.volumes[1].configMap = {}), ['spec.volumes[1].configMap.name: Required value']);
check('a secret volume needs a secretName', (p) => (p.spec.volumes[1] = { name: 'cfg', secret: { defaultMode: 420 } }), [
  'spec.volumes[1].secret.secretName: Required value',
]);
check('items paths must stay inside the volume', (p) => (p.spec.volumes[1].configMap.items = [{ key: 'a', path: '../a' }]), [
  `spec.volumes[1].configMap.items[0].path: Invalid value: "../a": must not contain '..'`,
  `spec.volumes[1].configMap.items[0].path: Invalid value: "../a": must not start with '..'`,
]);
check('defaultMode above 0777 is invalid', (p) => (p.spec.volumes[1].configMap.defaultMode = 1000), [
  'spec.volumes[1].configMap.defaultMode: Invalid value: 1000: must be a number between 0 and 0777 (octal), both inclusive',
]);
check('an emptyDir sizeLimit must be a quantity', (p) => (p.spec.volumes[0].emptyDir = { sizeLimit: '1GB' }), [
  `spec.volumes[0].emptyDir.sizeLimit: Invalid value: "1GB": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`,
  'spec.containers[0].volumeMounts[0].name: Not found: "data"',
]);
check('an env name with = is invalid', (p) => (p.spec.containers[0].env[0].name = 'A=B'), [
  `spec.containers[0].env[0].name: Invalid value: "A=B": a valid environment variable name must consist only of printable ASCII characters other than '='`,
]);
check('valueFrom with two sources is invalid', (p) => (p.spec.containers[0].env[0] = {
  name: 'X', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' }, secretKeyRef: { name: 's', key: 'k' } },
}), ['spec.containers[0].env[0].valueFrom: Invalid value: "": may not have more than one field specified at a time']);
check('a fieldRef to a label subscript is accepted', (p) => (p.spec.containers[0].env[0] = {
  name: 'X', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: "metadata.labels['app']" } },
}), []);
check('a fieldRef to an env-unsupported path lists the supported ones', (p) => (p.spec.containers[0].env[0] = {
  name: 'X', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'spec.restartPolicy' } },
}), [
  'spec.containers[0].env[0].valueFrom.fieldRef.fieldPath: Unsupported value: "spec.restartPolicy": supported values: "metadata.name", "metadata.namespace", "metadata.uid", "spec.nodeName", "spec.serviceAccountName", "status.hostIP", "status.hostIPs", "status.podIP", "status.podIPs"',
]);
check('a probe on a plain init container is forbidden', (p) => (p.spec.initContainers = [{ name: 'init', image: 'busybox', livenessProbe: { exec: { command: ['true'] } } }]), [
  'spec.initContainers[0].livenessProbe: Forbidden: may not be set for init containers without restartPolicy=Always',
]);
check('a sidecar init container may have probes', (p) => (p.spec.initContainers = [{ name: 'init', image: 'busybox', restartPolicy: 'Always', livenessProbe: { exec: { command: ['true'] }, successThreshold: 1 } }]), []);
check('an init container restartPolicy other than Always is unsupported', (p) => (p.spec.initContainers = [{ name: 'init', image: 'busybox', restartPolicy: 'Never' }]), [
  'spec.initContainers[0].restartPolicy: Unsupported value: "Never": supported values: "Always"',
]);
check('a regular container may not set restartPolicy', (p) => (p.spec.containers[0].restartPolicy = 'Always'), [
  'spec.containers[0].restartPolicy: Forbidden: may not be set for non-init containers',
]);
check('ephemeral containers cannot be set on create', (p) => (p.spec.ephemeralContainers = [{ name: 'dbg', image: 'busybox' }]), [
  'spec.ephemeralContainers: Forbidden: cannot be set on create',
]);
check('requests above limits are invalid', (p) => (p.spec.containers[0].resources = { requests: { cpu: '2' }, limits: { cpu: '1' } }), [
  'spec.containers[0].resources.requests: Invalid value: "2": must be less than or equal to cpu limit of 1',
]);
check('a junk resource quantity is invalid', (p) => (p.spec.containers[0].resources = { limits: { memory: '1GB' } }), [
  `spec.containers[0].resources.limits[memory]: Invalid value: "1GB": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`,
]);
check('huge pages need cpu or memory beside them', (p) => (p.spec.containers[0].resources = { requests: { 'hugepages-2Mi': '4Mi' }, limits: { 'hugepages-2Mi': '4Mi' } }), [
  'spec.containers[0].resources: Forbidden: HugePages require cpu or memory',
]);
check('huge pages are whole pages, requested as much as limited, with a limit', (p) => (p.spec.containers[0].resources = { requests: { memory: '1Gi', 'hugepages-2Mi': '3Mi', 'hugepages-1Gi': '1Gi' }, limits: { memory: '1Gi', 'hugepages-2Mi': '4Mi' } }), [
  'spec.containers[0].resources.requests[hugepages-2Mi]: Invalid value: "3Mi": 3Mi is not positive integer multiple of hugepages-2Mi',
  'spec.containers[0].resources.requests: Invalid value: "3Mi": must be equal to hugepages-2Mi limit of 4Mi',
  'spec.containers[0].resources.limits: Required value: Limit must be set for non overcommitable resources',
]);
check('issue 8: pod-level resources are refused: nothing here would size the pod by them', (p) => (p.spec.resources = { limits: { cpu: '1' } }), [
  'spec.resources: Forbidden: pod-level resources are not supported by this node: set them on the containers',
]);
check('issue 8: resource claims are refused: no claim could be allocated here', (p) => (p.spec.resourceClaims = [{ name: 'gpu', resourceClaimName: 'gpu-claim' }]), [
  'spec.resourceClaims: Forbidden: dynamic resource allocation is not supported by this node',
]);
check('a probe without a handler is required to have one', (p) => (p.spec.containers[0].livenessProbe = { periodSeconds: 5 }), [
  'spec.containers[0].livenessProbe: Required value: must specify a handler type',
]);

// --- updates ---

function checkUpdate(name: string, mutate: Mutator, want: string[]): void {
  test(name, () => {
    const old = basePod();
    const pod = basePod();
    mutate(pod);
    assert.deepEqual(lines(validatePodUpdate(pod, old)), want);
  });
}

checkUpdate('an identical pod is a valid update', () => {}, []);
checkUpdate('changing an image is allowed', (p) => (p.spec.containers[0].image = 'nginx:1.26'), []);
checkUpdate('changing labels is allowed', (p) => (p.metadata.labels = { app: 'web', tier: 'x' }), []);
checkUpdate('adding a toleration is allowed', (p) => p.spec.tolerations.push({ key: 'k', operator: 'Exists', effect: 'NoSchedule' }), []);
checkUpdate('changing a port is forbidden with the upstream text', (p) => (p.spec.containers[0].ports[0].containerPort = 81), [
  `spec: Forbidden: ${POD_UPDATE_FORBIDDEN}`,
]);
checkUpdate('removing an image is required', (p) => (p.spec.containers[0].image = ''), ['spec.containers[0].image: Required value']);
checkUpdate('adding a container is forbidden', (p) => p.spec.containers.push({ name: 'b', image: 'busybox' }), [
  'spec.containers: Forbidden: pod updates may not add or remove containers',
]);
checkUpdate('removing an existing toleration is forbidden', (p) => (p.spec.tolerations = []), [
  'spec.tolerations: Forbidden: existing toleration can not be modified except its tolerationSeconds',
]);
checkUpdate('changing the name is immutable', (p) => (p.metadata.name = 'other'), ['metadata.name: Invalid value: "other": field is immutable']);
checkUpdate('quantities equal in value are not a change', (p) => (p.spec.containers[0].resources.limits.cpu = '1000m'), []);

test('activeDeadlineSeconds may be set and lowered but not raised or removed', () => {
  const old = basePod();
  const set = basePod();
  set.spec.activeDeadlineSeconds = 100;
  assert.deepEqual(validatePodUpdate(set, old), []);
  const lower = basePod();
  lower.spec.activeDeadlineSeconds = 50;
  assert.deepEqual(validatePodUpdate(lower, set), []);
  assert.deepEqual(lines(validatePodUpdate(set, lower)), [
    'spec.activeDeadlineSeconds: Invalid value: 100: must be less than or equal to previous value',
  ]);
  assert.deepEqual(lines(validatePodUpdate(old, set)), [
    'spec.activeDeadlineSeconds: Invalid value: null: must not update from a positive integer to nil value',
  ]);
});

test('a negative grace period may be raised to 1 but not to 5', () => {
  const old = basePod();
  old.spec.terminationGracePeriodSeconds = -1;
  const one = basePod();
  one.spec.terminationGracePeriodSeconds = 1;
  assert.deepEqual(validatePodUpdate(one, old), []);
  const five = basePod();
  five.spec.terminationGracePeriodSeconds = 5;
  assert.deepEqual(lines(validatePodUpdate(five, old)), [`spec: Forbidden: ${POD_UPDATE_FORBIDDEN}`]);
});

test('the ephemeralcontainers subresource may add but not change or remove one', () => {
  const old = basePod();
  const added = basePod();
  added.spec.ephemeralContainers = [{ name: 'dbg', image: 'busybox', targetContainerName: 'main' }];
  assert.deepEqual(validateEphemeralContainersUpdate(added, old), []);
  const changed = basePod();
  changed.spec.ephemeralContainers = [{ name: 'dbg', image: 'alpine', targetContainerName: 'main' }];
  assert.deepEqual(lines(validateEphemeralContainersUpdate(changed, added)), [
    'spec.ephemeralContainers[0]: Forbidden: existing ephemeral containers "dbg" may not be changed',
  ]);
  assert.deepEqual(lines(validateEphemeralContainersUpdate(old, added)), [
    'spec.ephemeralContainers: Forbidden: existing ephemeral containers "dbg" may not be removed',
  ]);
  const bad = basePod();
  bad.spec.ephemeralContainers = [{ name: 'main', image: 'busybox', targetContainerName: 'nope', ports: [{ containerPort: 1 }] } as any];
  assert.deepEqual(lines(validateEphemeralContainersUpdate(bad, old)), [
    'spec.ephemeralContainers[0].name: Duplicate value: "main"',
    'spec.ephemeralContainers[0].targetContainerName: Not found: "nope"',
    'spec.ephemeralContainers[0].ports: Forbidden: cannot be set for an Ephemeral Container',
  ]);
  // kubectl debug sends `resources: {}` and other zero values: allowed, as upstream's IsZero test allows them.
  const debug = basePod();
  debug.spec.ephemeralContainers = [{ name: 'debugger-x', image: 'busybox', resources: {}, ports: [], stdin: true, tty: true } as any];
  assert.deepEqual(validateEphemeralContainersUpdate(debug, old), []);
});

check('issue 8: user namespaces are refused: this node cannot honour hostUsers false', (p) => ((p.spec as { hostUsers?: boolean }).hostUsers = false), [
  'spec.hostUsers: Forbidden: user namespaces (hostUsers: false) are not supported by this node',
]);
check('issue 8: procMount Unmasked needs hostUsers false', (p) => (p.spec.containers[0].securityContext = { procMount: 'Unmasked' }), [
  'spec.containers[0].securityContext.procMount: Invalid value: "Unmasked": `hostUsers` must be false to use `Unmasked`',
]);
check('issue 8: supplementalGroupsPolicy Strict is refused; Merge is what the node does', (p) => (p.spec.securityContext = { supplementalGroupsPolicy: 'Strict' }), [
  'spec.securityContext.supplementalGroupsPolicy: Forbidden: Strict is not supported by this node',
]);

// Issue 13: sysctls were not validated at all (any name, duplicates, net.* with hostNetwork all stored).
check('sysctl names must be in the sysctl format, once each (issue 13)', (p) => {
  p.spec.securityContext = { sysctls: [{ name: 'Net.IPv4', value: '1' }, { name: 'kernel.shm_rmid_forced', value: '1' }, { name: 'kernel.shm_rmid_forced', value: '0' }, { name: '', value: '1' }] };
}, [
  'spec.securityContext.sysctls[0].name: Invalid value: "Net.IPv4": must have at most 253 characters and match regex ^([a-z0-9]([-_a-z0-9]*[a-z0-9])?[\\./])*[a-z0-9]([-_a-z0-9]*[a-z0-9])?$',
  'spec.securityContext.sysctls[2].name: Duplicate value: "kernel.shm_rmid_forced"',
  'spec.securityContext.sysctls[3].name: Required value',
]);
check('net.* sysctls with hostNetwork and IPC sysctls with hostIPC are invalid, slash names too (issue 13)', (p) => {
  p.spec.hostNetwork = true;
  p.spec.hostIPC = true;
  p.spec.securityContext = { sysctls: [{ name: 'net/ipv4/tcp_syncookies', value: '1' }, { name: 'kernel.shm_rmid_forced', value: '1' }, { name: 'kernel.domainname', value: 'x' }] };
}, [
  `spec.securityContext.sysctls[0].name: Invalid value: "net/ipv4/tcp_syncookies": may not be specified when 'hostNetwork' is true`,
  `spec.securityContext.sysctls[1].name: Invalid value: "kernel.shm_rmid_forced": may not be specified when 'hostIPC' is true`,
]);

test('the mirror pod annotation: never on a pod created through the API, never added, removed or changed by an update', () => {
  const KEY = 'kubernetes.io/config.mirror';
  const forged = basePod();
  forged.metadata.annotations = { [KEY]: 'uid-of-another-pod' };
  assert.deepEqual(
    validatePod(forged).filter((e) => e.field === `metadata.annotations[${KEY}]`).map((e) => e.type),
    ['FieldValueForbidden'],
    'a pod claiming to be the mirror of a static pod (its exec, logs and anatomy would reach that pod)',
  );
  const old = { ...basePod(), metadata: { ...basePod().metadata, uid: 'u1', resourceVersion: '1', creationTimestamp: '2026-01-01T00:00:00Z' } } as Pod;
  const added = structuredClone(old);
  added.metadata.annotations = { [KEY]: 'x' };
  assert.ok(validatePodUpdate(added, old).some((e) => e.field === `metadata.annotations[${KEY}]`), 'added');
  assert.ok(validateEphemeralContainersUpdate(added, old).some((e) => e.field === `metadata.annotations[${KEY}]`), 'added through ephemeralcontainers');
  const mirror = structuredClone(old);
  mirror.metadata.annotations = { [KEY]: 'x' };
  const changed = structuredClone(mirror);
  changed.metadata.annotations = { [KEY]: 'y' };
  assert.ok(validatePodUpdate(changed, mirror).some((e) => e.field === `metadata.annotations[${KEY}]`), 'changed');
  const kept = structuredClone(mirror);
  kept.metadata.labels = { app: 'web', more: 'label' };
  assert.ok(!validatePodUpdate(kept, mirror).some((e) => e.field === `metadata.annotations[${KEY}]`), 'an update of a mirror pod that keeps it');
});
