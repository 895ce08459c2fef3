// Per-container validation (upstream validateContainerCommon and friends): name, image, ports, env,
// volumeMounts, resources, probes and lifecycle handlers. Pod-wide rules (name uniqueness, host-port
// conflicts, init-container restrictions) live in pod.ts.

import type { FieldCause } from '../../errors.js';
import { hugePageSizeOf, isHugePageResource } from '../../k8s/hugepages.js';
import { compareQuantities, isValidQuantity, quantityToBytes, quantityToMilli } from '../../k8s/quantity.js';
import {
  asArray,
  asObject,
  duplicate,
  forbidden,
  invalid,
  invalidEach,
  isObject,
  type Json,
  notFound,
  notSupported,
  required,
  str,
} from './field.js';
import { validateEnv, validateEnvFrom } from './env.js';
import { isDNS1123Label, isQualifiedName, isValidPortName, isValidPortNum } from './names.js';
import { QUANTITY_ERROR, validateLocalDescendingPath } from './volumes.js';
import { validateSeccompProfileField } from './seccomp.js';

const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'];
const TERMINATION_MESSAGE_POLICIES = ['File', 'FallbackToLogsOnError'];
const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];
const MOUNT_PROPAGATIONS = ['Bidirectional', 'HostToContainer', 'None'];
const STANDARD_CONTAINER_RESOURCES = new Set(['cpu', 'memory', 'ephemeral-storage']);
const NONNEGATIVE = 'must be greater than or equal to 0';

function validatePorts(ports: unknown, field: string): FieldCause[] {
  const errs: FieldCause[] = [];
  const names = new Set<string>();
  asArray(ports).forEach((raw, i) => {
    const port = asObject(raw);
    const p = `${field}[${i}]`;
    const name = str(port.name);
    if (name) {
      const msgs = isValidPortName(name);
      if (msgs.length) errs.push(...invalidEach(`${p}.name`, name, msgs));
      else if (names.has(name)) errs.push(duplicate(`${p}.name`, name));
      else names.add(name);
    }
    const containerPort = port.containerPort;
    if (containerPort === undefined || containerPort === null || containerPort === 0) errs.push(required(`${p}.containerPort`));
    else errs.push(...invalidEach(`${p}.containerPort`, containerPort, isValidPortNum(containerPort as number)));
    const hostPort = port.hostPort;
    if (hostPort !== undefined && hostPort !== null && hostPort !== 0) {
      errs.push(...invalidEach(`${p}.hostPort`, hostPort, isValidPortNum(hostPort as number)));
    }
    // protocol is defaulted to TCP before validation; absent means the caller skipped defaulting.
    if (port.protocol !== undefined && !PROTOCOLS.includes(str(port.protocol))) {
      errs.push(str(port.protocol) ? notSupported(`${p}.protocol`, port.protocol, PROTOCOLS) : required(`${p}.protocol`));
    }
  });
  return errs;
}

function validateVolumeMounts(mounts: unknown, field: string, volumes: Set<string>, privileged: boolean): FieldCause[] {
  const errs: FieldCause[] = [];
  const paths = new Set<string>();
  asArray(mounts).forEach((raw, i) => {
    const m = asObject(raw);
    const p = `${field}[${i}]`;
    const name = str(m.name);
    const mountPath = str(m.mountPath);
    if (!name) errs.push(required(`${p}.name`));
    if (!volumes.has(name)) errs.push(notFound(`${p}.name`, name));
    if (!mountPath) errs.push(required(`${p}.mountPath`));
    if (paths.has(mountPath)) errs.push(invalid(`${p}.mountPath`, mountPath, 'must be unique'));
    paths.add(mountPath);
    // Upstream reports subPath problems at `volumeMounts.subPath` (no index); we keep that quirk.
    const subPath = str(m.subPath);
    const subPathExpr = str(m.subPathExpr);
    if (subPath) errs.push(...validateLocalDescendingPath(subPath, `${field}.subPath`));
    if (subPathExpr) {
      if (subPath) errs.push(invalid(`${p}.subPathExpr`, subPathExpr, 'subPathExpr and subPath are mutually exclusive'));
      errs.push(...validateLocalDescendingPath(subPathExpr, `${field}.subPathExpr`));
    }
    if (m.mountPropagation !== undefined && m.mountPropagation !== null) {
      const mp = str(m.mountPropagation);
      if (!MOUNT_PROPAGATIONS.includes(mp)) errs.push(notSupported(`${field}.mountPropagation`, m.mountPropagation, MOUNT_PROPAGATIONS));
      else if (mp === 'Bidirectional' && !privileged) {
        errs.push(forbidden(`${field}.mountPropagation`, 'Bidirectional mount propagation is available only to privileged containers'));
      }
    }
  });
  return errs;
}

/** Upstream IsExtendedResourceName: a domain-qualified name outside kubernetes.io (example.com/gpu). */
const isExtendedResource = (name: string) => name.includes('/') && !name.startsWith('kubernetes.io/');
/** Upstream IsOvercommitAllowed: native resources other than huge pages (extended resources never). */
const overcommitAllowed = (name: string) => !isExtendedResource(name) && !isHugePageResource(name);

function validateResourceList(list: unknown, field: string): FieldCause[] {
  const errs: FieldCause[] = [];
  for (const [name, value] of Object.entries(asObject(list))) {
    const p = `${field}[${name}]`;
    errs.push(...invalidEach(p, name, isQualifiedName(name)));
    if (!name.includes('/') && !STANDARD_CONTAINER_RESOURCES.has(name) && !isHugePageResource(name)) {
      errs.push(invalid(p, name, 'must be a standard resource for containers'));
    }
    if (!isValidQuantity(value)) {
      errs.push(invalid(p, value, QUANTITY_ERROR));
      continue;
    }
    const q = value as string | number;
    if (compareQuantities(q, 0) < 0) errs.push(invalid(p, String(value), NONNEGATIVE));
    else if (isExtendedResource(name) && quantityToMilli(q) % 1000 !== 0) {
      errs.push(invalid(p, String(value), 'must be an integer'));
    }
    if (isHugePageResource(name)) {
      const page = hugePageSizeOf(name);
      const bytes = quantityToBytes(q);
      if (page === undefined || bytes % page !== 0) errs.push(invalid(p, String(value), `${String(value)} is not positive integer multiple of ${name}`));
    }
  }
  return errs;
}

/**
 * resources.limits/requests (upstream ValidateResourceRequirements): names, quantities, requests ≤
 * limits, equal for the resources that cannot be overcommitted (huge pages, extended resources), which
 * also need a limit; huge pages only beside a cpu or memory amount.
 */
export function validateResources(resources: unknown, field: string): FieldCause[] {
  const r = asObject(resources);
  const errs = [...validateResourceList(r.limits, `${field}.limits`), ...validateResourceList(r.requests, `${field}.requests`)];
  const limits = asObject(r.limits);
  const requests = asObject(r.requests);
  for (const [name, req] of Object.entries(requests)) {
    const lim = limits[name];
    if (lim === undefined) {
      if (!overcommitAllowed(name)) errs.push(required(`${field}.limits`, 'Limit must be set for non overcommitable resources'));
      continue;
    }
    if (!isValidQuantity(req) || !isValidQuantity(lim)) continue;
    const cmp = compareQuantities(req as string | number, lim as string | number);
    if (!overcommitAllowed(name) && cmp !== 0) {
      errs.push(invalid(`${field}.requests`, String(req), `must be equal to ${name} limit of ${String(lim)}`));
    } else if (cmp > 0) {
      errs.push(invalid(`${field}.requests`, String(req), `must be less than or equal to ${name} limit of ${String(lim)}`));
    }
  }
  // Claims name pod.spec.resourceClaims, which this node refuses (pod.ts): none can be found.
  asArray(r.claims).forEach((c, i) => {
    const e = notFound(`${field}.claims[${i}]`, str(asObject(c).name));
    errs.push({ ...e, message: `${e.message}: must be one of the names in pod.spec.resourceClaims which is empty` });
  });
  const names = [...Object.keys(limits), ...Object.keys(requests)];
  if (names.some(isHugePageResource) && !names.some((n) => n === 'cpu' || n === 'memory')) {
    errs.push(forbidden(field, 'HugePages require cpu or memory'));
  }
  return errs;
}

function validatePortNumOrName(port: unknown, field: string): FieldCause[] {
  if (typeof port === 'number') return invalidEach(field, port, isValidPortNum(port));
  if (typeof port === 'string' && port) return invalidEach(field, port, isValidPortName(port));
  return [required(field)];
}

/** Exactly one handler of `types`; validates the chosen one. */
function validateHandler(handler: Json, field: string, types: readonly string[]): FieldCause[] {
  const errs: FieldCause[] = [];
  const set = types.filter((t) => isObject(handler[t]));
  if (set.length === 0) return [required(field, 'must specify a handler type')];
  for (const extra of set.slice(1)) errs.push(forbidden(`${field}.${extra}`, 'may not specify more than 1 handler type'));
  const type = set[0];
  const h = asObject(handler[type]);
  const p = `${field}.${type}`;
  if (type === 'exec' && asArray(h.command).length === 0) errs.push(required(`${p}.command`));
  if (type === 'httpGet' || type === 'tcpSocket' || type === 'grpc') errs.push(...validatePortNumOrName(h.port, `${p}.port`));
  if (type === 'httpGet' && h.scheme !== undefined && !['HTTP', 'HTTPS'].includes(str(h.scheme))) {
    errs.push(notSupported(`${p}.scheme`, h.scheme, ['HTTP', 'HTTPS']));
  }
  if (type === 'sleep' && !(typeof h.seconds === 'number' && h.seconds >= 0)) {
    errs.push(invalid(`${p}.seconds`, h.seconds ?? null, NONNEGATIVE));
  }
  return errs;
}

function validateProbe(probe: unknown, field: string, mustSucceedOnce: boolean): FieldCause[] {
  if (!isObject(probe)) return [];
  const errs = validateHandler(probe, field, ['exec', 'httpGet', 'tcpSocket', 'grpc']);
  for (const k of ['initialDelaySeconds', 'timeoutSeconds', 'periodSeconds', 'successThreshold', 'failureThreshold']) {
    const v = probe[k];
    if (typeof v === 'number' && v < 0) errs.push(invalid(`${field}.${k}`, v, NONNEGATIVE));
  }
  const tgps = probe.terminationGracePeriodSeconds;
  if (typeof tgps === 'number' && tgps <= 0) errs.push(invalid(`${field}.terminationGracePeriodSeconds`, tgps, 'must be greater than 0'));
  if (mustSucceedOnce && typeof probe.successThreshold === 'number' && probe.successThreshold !== 1) {
    errs.push(invalid(`${field}.successThreshold`, probe.successThreshold, 'must be 1'));
  }
  return errs;
}

/** Probes and lifecycle of a container allowed to have them (regular and sidecar containers). */
export function validateProbesAndLifecycle(c: Json, field: string): FieldCause[] {
  const errs: FieldCause[] = [];
  if (isObject(c.lifecycle)) {
    for (const hook of ['postStart', 'preStop'] as const) {
      const h = c.lifecycle[hook];
      if (isObject(h)) errs.push(...validateHandler(h, `${field}.lifecycle.${hook}`, ['exec', 'httpGet', 'tcpSocket', 'sleep']));
    }
  }
  errs.push(...validateProbe(c.livenessProbe, `${field}.livenessProbe`, true));
  errs.push(...validateProbe(c.readinessProbe, `${field}.readinessProbe`, false));
  errs.push(...validateProbe(c.startupProbe, `${field}.startupProbe`, true));
  if (isObject(c.readinessProbe) && c.readinessProbe.terminationGracePeriodSeconds !== undefined) {
    errs.push(invalid(`${field}.readinessProbe.terminationGracePeriodSeconds`, c.readinessProbe.terminationGracePeriodSeconds, 'must not be set for readinessProbes'));
  }
  return errs;
}

/** Checks shared by every container kind; `volumes` are the pod's mountable volume names. */
export function validateContainerCommon(c: Json, field: string, volumes: Set<string>): FieldCause[] {
  const errs: FieldCause[] = [];
  const name = str(c.name);
  if (!name) errs.push(required(`${field}.name`));
  else errs.push(...invalidEach(`${field}.name`, name, isDNS1123Label(name)));
  const image = str(c.image);
  if (!image) errs.push(required(`${field}.image`));
  else if (image.trim() !== image) errs.push(invalid(`${field}.image`, image, 'must not have leading or trailing whitespace'));
  if (c.imagePullPolicy !== undefined && !PULL_POLICIES.includes(str(c.imagePullPolicy))) {
    errs.push(str(c.imagePullPolicy) ? notSupported(`${field}.imagePullPolicy`, c.imagePullPolicy, PULL_POLICIES) : required(`${field}.imagePullPolicy`));
  }
  if (c.terminationMessagePolicy !== undefined && !TERMINATION_MESSAGE_POLICIES.includes(str(c.terminationMessagePolicy))) {
    const f = `${field}.terminationMessagePolicy`;
    errs.push(str(c.terminationMessagePolicy) ? notSupported(f, c.terminationMessagePolicy, TERMINATION_MESSAGE_POLICIES) : required(f));
  }
  errs.push(...validatePorts(c.ports, `${field}.ports`));
  errs.push(...validateEnv(c.env, `${field}.env`));
  errs.push(...validateEnvFrom(c.envFrom, `${field}.envFrom`));
  const privileged = asObject(c.securityContext).privileged === true;
  errs.push(...validateVolumeMounts(c.volumeMounts, `${field}.volumeMounts`, volumes, privileged));
  errs.push(...validateResources(c.resources, `${field}.resources`));
  errs.push(...validateSeccompProfileField(asObject(c.securityContext).seccompProfile, `${field}.securityContext.seccompProfile`));
  return errs;
}
