// Pod validation on create and update (upstream ValidatePodCreate / ValidatePodSpec / ValidatePodUpdate).
//
// Inputs are expected to be defaulted (src/api/defaults.ts) first, as upstream does; fields that defaulting
// always fills (restartPolicy, dnsPolicy, imagePullPolicy, port protocol) are checked only when present.

import type { FieldCause } from '../../errors.js';
import type { Pod } from '../../k8s/types.js';
import { validateContainerCommon, validateProbesAndLifecycle } from './container.js';
import {
  asArray,
  asObject,
  duplicate,
  forbidden,
  invalid,
  invalidEach,
  isObject,
  type Json,
  notSupported,
  required,
  str,
} from './field.js';
import { validateLabels, validateObjectMeta } from './meta.js';
import { inclusiveRangeError, isDNS1123Label, isDNS1123Subdomain } from './names.js';
import { validateTolerations } from './tolerations.js';
import { validateVolumes } from './volumes.js';
import { validateEphemeralContainers } from './ephemeral.js';
import { validateSeccompProfileField } from './seccomp.js';
import { isValidSysctlName, normalizeSysctlName, SYSCTL_MAX_LENGTH, SYSCTL_NAME_REGEX, sysctlNamespace } from '../../k8s/sysctls.js';

const RESTART_POLICIES = ['Always', 'OnFailure', 'Never'];
const DNS_POLICIES = ['ClusterFirst', 'ClusterFirstWithHostNet', 'Default', 'None'];
const MAX_INT32 = 2147483647;
const INIT_ONLY_MSG = 'may not be set for init containers without restartPolicy=Always';
const POD_META = { namespaced: true, name: 'subdomain' } as const;

/** Host ports (hostIP/protocol/port) must be unique among containers that run at the same time. */
function checkHostPortConflicts(containers: Json[], field: string, offset = 0): FieldCause[] {
  const errs: FieldCause[] = [];
  const seen = new Set<string>();
  containers.forEach((c, ci) => {
    asArray(c.ports).forEach((raw, pi) => {
      const port = asObject(raw);
      if (!port.hostPort) return;
      const key = `${str(port.hostIP)}/${str(port.protocol)}/${String(port.hostPort)}`;
      if (seen.has(key)) errs.push(duplicate(`${field}[${ci + offset}].ports[${pi}].hostPort`, key));
      else seen.add(key);
    });
  });
  return errs;
}

function validateRegularContainers(list: Json[], volumes: Set<string>): FieldCause[] {
  if (list.length === 0) return [required('spec.containers')];
  const errs: FieldCause[] = [];
  const names = new Set<string>();
  list.forEach((c, i) => {
    const p = `spec.containers[${i}]`;
    errs.push(...validateContainerCommon(c, p, volumes));
    if (names.has(str(c.name))) errs.push(duplicate(`${p}.name`, str(c.name)));
    else names.add(str(c.name));
    errs.push(...validateProbesAndLifecycle(c, p));
    if (c.restartPolicy !== undefined && c.restartPolicy !== null) {
      errs.push(forbidden(`${p}.restartPolicy`, 'may not be set for non-init containers'));
    }
  });
  return [...errs, ...checkHostPortConflicts(list, 'spec.containers')];
}

function validateInitContainers(list: Json[], regular: Json[], volumes: Set<string>): FieldCause[] {
  const errs: FieldCause[] = [];
  const names = new Set(regular.map((c) => str(c.name)));
  list.forEach((c, i) => {
    const p = `spec.initContainers[${i}]`;
    errs.push(...validateContainerCommon(c, p, volumes));
    const sidecar = c.restartPolicy === 'Always';
    if (c.restartPolicy !== undefined && c.restartPolicy !== null && !sidecar) {
      errs.push(notSupported(`${p}.restartPolicy`, c.restartPolicy, ['Always']));
    }
    if (names.has(str(c.name))) errs.push(duplicate(`${p}.name`, str(c.name)));
    else if (str(c.name)) names.add(str(c.name));
    // Init containers run one by one, so host ports only conflict within one of them.
    errs.push(...checkHostPortConflicts([c], 'spec.initContainers', i));
    if (sidecar) errs.push(...validateProbesAndLifecycle(c, p));
    else {
      for (const k of ['lifecycle', 'livenessProbe', 'readinessProbe', 'startupProbe']) {
        if (c[k] !== undefined && c[k] !== null) errs.push(forbidden(`${p}.${k}`, INIT_ONLY_MSG));
      }
    }
  });
  return errs;
}

/** With hostNetwork, a container port is the host port (defaulting copies it when hostPort is unset). */
function validateHostNetwork(spec: Json): FieldCause[] {
  if (spec.hostNetwork !== true) return [];
  const errs: FieldCause[] = [];
  for (const kind of ['initContainers', 'containers'] as const) {
    asArray(spec[kind]).forEach((c, ci) => {
      asArray(asObject(c).ports).forEach((raw, pi) => {
        const port = asObject(raw);
        if (port.hostPort === undefined || port.hostPort === null || port.hostPort === port.containerPort) return;
        errs.push(invalid(`spec.${kind}[${ci}].ports[${pi}].containerPort`, port.containerPort ?? null, 'must match `hostPort` when `hostNetwork` is true'));
      });
    });
  }
  return errs;
}

function validatePolicy(spec: Json, key: 'restartPolicy' | 'dnsPolicy', valid: string[]): FieldCause[] {
  const v = spec[key];
  if (v === undefined || v === null || valid.includes(str(v))) return [];
  return [str(v) ? notSupported(`spec.${key}`, v, valid) : required(`spec.${key}`)];
}

function validateSpecScalars(spec: Json): FieldCause[] {
  const errs = [...validatePolicy(spec, 'restartPolicy', RESTART_POLICIES), ...validatePolicy(spec, 'dnsPolicy', DNS_POLICIES)];
  if (spec.dnsPolicy === 'None' && !isObject(spec.dnsConfig)) {
    errs.push(required('spec.dnsConfig', 'must provide `dnsConfig` when `dnsPolicy` is None'));
  }
  const tgps = spec.terminationGracePeriodSeconds;
  if (typeof tgps === 'number' && tgps < 0) errs.push(invalid('spec.terminationGracePeriodSeconds', tgps, 'must be greater than or equal to 0'));
  const ads = spec.activeDeadlineSeconds;
  if (ads !== undefined && ads !== null && !(typeof ads === 'number' && Number.isInteger(ads) && ads >= 1 && ads <= MAX_INT32)) {
    errs.push(invalid('spec.activeDeadlineSeconds', ads, inclusiveRangeError(1, MAX_INT32)));
  }
  for (const key of ['serviceAccountName', 'nodeName', 'subdomain'] as const) {
    const v = str(spec[key]);
    const check = key === 'subdomain' ? isDNS1123Label : isDNS1123Subdomain;
    if (v) errs.push(...invalidEach(`spec.${key}`, v, check(v)));
  }
  const hostname = str(spec.hostname);
  if (hostname) errs.push(...invalidEach('spec.hostname', hostname, isDNS1123Label(hostname)));
  if (spec.shareProcessNamespace === true && spec.hostPID === true) {
    errs.push(invalid('spec.securityContext.shareProcessNamespace', true, 'ShareProcessNamespace and HostPID cannot both be enabled'));
  }
  errs.push(...validateLabels(spec.nodeSelector, 'spec.nodeSelector'));
  errs.push(...validateTolerations(spec.tolerations, 'spec.tolerations'));
  errs.push(...validateSeccompProfileField(asObject(spec.securityContext).seccompProfile, 'spec.securityContext.seccompProfile'));
  // User namespaces are not something this node can run (runc here gets no idmapped mounts): refused
  // rather than run in the host's user namespace under a spec that says otherwise.
  if (spec.hostUsers === false) errs.push(forbidden('spec.hostUsers', 'user namespaces (hostUsers: false) are not supported by this node'));
  // Dynamic resource allocation (off by default in 1.33): no ResourceClaim could ever be allocated here.
  if (asArray(spec.resourceClaims).length) {
    errs.push(forbidden('spec.resourceClaims', 'dynamic resource allocation is not supported by this node'));
  }
  // Pod-level resources (the PodLevelResources feature, off by default in 1.33) size no cgroup here.
  const podResources = asObject(spec.resources);
  if (Object.keys(asObject(podResources.limits)).length || Object.keys(asObject(podResources.requests)).length) {
    errs.push(forbidden('spec.resources', 'pod-level resources are not supported by this node: set them on the containers'));
  }
  const sgp = asObject(spec.securityContext).supplementalGroupsPolicy;
  if (sgp !== undefined && sgp !== null && sgp !== 'Merge') {
    errs.push(sgp === 'Strict' ? forbidden('spec.securityContext.supplementalGroupsPolicy', 'Strict is not supported by this node') : notSupported('spec.securityContext.supplementalGroupsPolicy', sgp, ['Merge', 'Strict']));
  }
  errs.push(...validateSysctls(spec));
  const fcp = asObject(spec.securityContext).fsGroupChangePolicy;
  if (fcp !== undefined && fcp !== null && fcp !== 'Always' && fcp !== 'OnRootMismatch') {
    errs.push(notSupported('spec.securityContext.fsGroupChangePolicy', fcp, ['OnRootMismatch', 'Always']));
  }
  for (const kind of ['containers', 'initContainers', 'ephemeralContainers'] as const) {
    asArray(spec[kind]).forEach((raw, i) => {
      const pm = asObject(asObject(asObject(raw).securityContext)).procMount;
      const f = `spec.${kind}[${i}].securityContext.procMount`;
      if (pm === 'Unmasked') errs.push(invalid(f, pm, '`hostUsers` must be false to use `Unmasked`'));
      else if (pm !== undefined && pm !== null && pm !== 'Default') errs.push(notSupported(f, pm, ['Default', 'Unmasked']));
    });
  }
  return errs;
}

/**
 * spec.securityContext.sysctls as upstream's validateSysctls: a name in the sysctl format, once each, and
 * none of a kernel namespace the pod shares with the host (net.* with hostNetwork, IPC ones with hostIPC).
 * Which names may be set is the node's decision (pods/admission.ts, SysctlForbidden).
 */
function validateSysctls(spec: Json): FieldCause[] {
  const errs: FieldCause[] = [];
  const seen = new Set<string>();
  asArray(asObject(spec.securityContext).sysctls).forEach((raw, i) => {
    const f = `spec.securityContext.sysctls[${i}].name`;
    const name = str(asObject(raw).name);
    if (!name) errs.push(required(f));
    else if (!isValidSysctlName(name)) errs.push(invalid(f, name, `must have at most ${SYSCTL_MAX_LENGTH} characters and match regex ${SYSCTL_NAME_REGEX}`));
    else if (seen.has(name)) errs.push(duplicate(f, name));
    const ns = name ? sysctlNamespace(normalizeSysctlName(name)) : undefined;
    if (spec.hostNetwork === true && ns === 'net') errs.push(invalid(f, name, "may not be specified when 'hostNetwork' is true"));
    else if (spec.hostIPC === true && ns === 'ipc') errs.push(invalid(f, name, "may not be specified when 'hostIPC' is true"));
    seen.add(name);
  });
  return errs;
}

/** The whole spec, ephemeral containers included (as stored). */
function validatePodSpec(spec: Json): FieldCause[] {
  const { errs, names } = validateVolumes(spec.volumes, 'spec.volumes');
  const containers = asArray(spec.containers).map(asObject);
  const inits = asArray(spec.initContainers).map(asObject);
  errs.push(...validateRegularContainers(containers, names));
  errs.push(...validateInitContainers(inits, containers, names));
  errs.push(...validateEphemeralContainers(spec, names));
  errs.push(...validateHostNetwork(spec));
  errs.push(...validateSpecScalars(spec));
  return errs;
}

/** Validation of a pod being created. */
export function validatePod(pod: Pod): FieldCause[] {
  const errs = validateObjectMeta(pod.metadata, POD_META);
  const spec = asObject(pod.spec);
  errs.push(...validatePodSpec(spec));
  if (asArray(spec.ephemeralContainers).length > 0) errs.push(forbidden('spec.ephemeralContainers', 'cannot be set on create'));
  // Mirror pods are made by the node itself for its static pods (static-pods/source.ts, never through the
  // API): the annotation names the static pod whose containers exec, logs and anatomy reach.
  if (pod.metadata?.annotations?.['kubernetes.io/config.mirror'] !== undefined) {
    errs.push(forbidden('metadata.annotations[kubernetes.io/config.mirror]', 'a mirror pod is made by the node for one of its static pods, not through the API'));
  }
  return errs;
}

export { POD_UPDATE_FORBIDDEN, validatePodUpdate, validateEphemeralContainersUpdate } from './pod-update.js';
