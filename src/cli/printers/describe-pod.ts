// `describe pod` text, following kubectl's describePod: tab-separated "Key:\tvalue" lines indented by
// level (two spaces each), aligned by the describe tabwriter; the events table is aligned apart
// (kubectl flushes before it).

import type { Container, ContainerState, ContainerStatus, KubeEvent, Pod, Probe, Volume } from '../../k8s/types.js';
import { ageSince } from './age.js';
import { annotationsMultiline, finishDescribe, labelsMultiline, PrefixWriter, rfc1123z } from './describe-common.js';

export { rfc1123z };

function describeState(w: PrefixWriter, name: string, s: ContainerState): void {
  if (s.running) {
    w.write(2, `${name}:\tRunning`);
    w.write(3, `Started:\t${rfc1123z(s.running.startedAt)}`);
  } else if (s.terminated) {
    const t = s.terminated;
    w.write(2, `${name}:\tTerminated`);
    if (t.reason) w.write(3, `Reason:\t${t.reason}`);
    if (t.message) w.write(3, `Message:\t${t.message}`);
    w.write(3, `Exit Code:\t${t.exitCode}`);
    if (t.signal) w.write(3, `Signal:\t${t.signal}`);
    w.write(3, `Started:\t${rfc1123z(t.startedAt)}`);
    w.write(3, `Finished:\t${rfc1123z(t.finishedAt)}`);
  } else {
    w.write(2, `${name}:\tWaiting`);
    if (s.waiting?.reason) w.write(3, `Reason:\t${s.waiting.reason}`);
  }
}

/** kubectl's DescribeProbe. */
export function describeProbe(p: Probe): string {
  const attrs = `delay=${p.initialDelaySeconds ?? 0}s timeout=${p.timeoutSeconds ?? 1}s period=${p.periodSeconds ?? 10}s #success=${p.successThreshold ?? 1} #failure=${p.failureThreshold ?? 3}`;
  if (p.exec) return `exec [${(p.exec.command ?? []).join(' ')}] ${attrs}`;
  if (p.httpGet) {
    const h = p.httpGet;
    return `http-get ${(h.scheme ?? 'HTTP').toLowerCase()}://${h.host ?? ''}:${h.port}${h.path ?? ''} ${attrs}`;
  }
  if (p.tcpSocket) return `tcp-socket ${p.tcpSocket.host ?? ''}:${p.tcpSocket.port} ${attrs}`;
  if (p.grpc) return `grpc <pod>:${p.grpc.port} ${p.grpc.service ?? ''} ${attrs}`;
  return `unknown ${attrs}`;
}

function describePorts(w: PrefixWriter, c: Container): void {
  const ports = c.ports ?? [];
  const plural = ports.length > 1 ? 's' : '';
  const fmt = (n: (p: (typeof ports)[number]) => number) => ports.map((p) => `${n(p)}/${p.protocol ?? 'TCP'}`).join(', ') || '<none>';
  w.write(2, `Port${plural}:\t${fmt((p) => p.containerPort)}`);
  w.write(2, `Host Port${plural}:\t${fmt((p) => p.hostPort ?? 0)}`);
}

function describeEnv(w: PrefixWriter, c: Container): void {
  if (c.envFrom?.length) {
    w.write(2, 'Environment Variables from:');
    for (const e of c.envFrom) {
      const [name, kind, opt] = e.configMapRef
        ? [e.configMapRef.name, 'ConfigMap', e.configMapRef.optional]
        : [e.secretRef?.name, 'Secret', e.secretRef?.optional];
      w.write(3, `${name}\t${kind}${e.prefix ? ` with prefix '${e.prefix}'` : ''}\tOptional: ${opt === true}`);
    }
  }
  w.write(2, `Environment:${c.env?.length ? '' : '\t<none>'}`);
  for (const e of c.env ?? []) {
    const f = e.valueFrom;
    if (!f) w.write(3, `${e.name}:\t${e.value ?? ''}`);
    else if (f.fieldRef) w.write(3, `${e.name}:\t (${f.fieldRef.apiVersion ?? 'v1'}:${f.fieldRef.fieldPath})`);
    else if (f.resourceFieldRef) w.write(3, `${e.name}:\t${f.resourceFieldRef.resource} (${f.resourceFieldRef.containerName ?? c.name})`);
    else if (f.configMapKeyRef) w.write(3, `${e.name}:\t<set to the key '${f.configMapKeyRef.key}' of config map '${f.configMapKeyRef.name}'>\tOptional: ${f.configMapKeyRef.optional === true}`);
    else if (f.secretKeyRef) w.write(3, `${e.name}:\t<set to the key '${f.secretKeyRef.key}' in secret '${f.secretKeyRef.name}'>\tOptional: ${f.secretKeyRef.optional === true}`);
  }
}

function describeContainer(w: PrefixWriter, c: Container, st: ContainerStatus | undefined): void {
  w.write(1, `${c.name}:`);
  if (st) w.write(2, `Container ID:\t${st.containerID ?? ''}`);
  w.write(2, `Image:\t${c.image ?? ''}`);
  if (st) w.write(2, `Image ID:\t${st.imageID}`);
  describePorts(w, c);
  for (const [title, list] of [['Command', c.command], ['Args', c.args]] as const) {
    if (!list?.length) continue;
    w.write(2, `${title}:`);
    for (const a of list) w.write(3, a);
  }
  if (st) {
    describeState(w, 'State', st.state);
    if (st.lastState?.terminated) describeState(w, 'Last State', st.lastState);
    w.write(2, `Ready:\t${st.ready ? 'True' : 'False'}`);
    w.write(2, `Restart Count:\t${st.restartCount}`);
  }
  for (const [title, m] of [['Limits', c.resources?.limits], ['Requests', c.resources?.requests]] as const) {
    const keys = Object.keys(m ?? {}).sort();
    if (keys.length) w.write(2, `${title}:`);
    for (const k of keys) w.write(3, `${k}:\t${m![k]}`);
  }
  if (c.livenessProbe) w.write(2, `Liveness:\t${describeProbe(c.livenessProbe)}`);
  if (c.readinessProbe) w.write(2, `Readiness:\t${describeProbe(c.readinessProbe)}`);
  if (c.startupProbe) w.write(2, `Startup:\t${describeProbe(c.startupProbe)}`);
  describeEnv(w, c);
  const mounts = [...(c.volumeMounts ?? [])].sort((a, b) => a.mountPath.localeCompare(b.mountPath));
  w.write(2, `Mounts:${mounts.length ? '' : '\t<none>'}`);
  for (const m of mounts) {
    const flags = [m.readOnly ? 'ro' : 'rw', ...(m.subPath ? [`path=${JSON.stringify(m.subPath)}`] : [])];
    w.write(3, `${m.mountPath} from ${m.name} (${flags.join(',')})`);
  }
}

function describeVolume(w: PrefixWriter, v: Volume): void {
  w.write(1, `${v.name}:`);
  if (v.emptyDir) {
    w.write(2, "Type:\tEmptyDir (a temporary directory that shares a pod's lifetime)");
    w.write(2, `Medium:\t${v.emptyDir.medium ?? ''}`);
    w.write(2, `SizeLimit:\t${v.emptyDir.sizeLimit ?? '<unset>'}`);
  } else if (v.hostPath) {
    w.write(2, 'Type:\tHostPath (bare host directory volume)');
    w.write(2, `Path:\t${v.hostPath.path}`);
    w.write(2, `HostPathType:\t${v.hostPath.type ?? ''}`);
  } else if (v.configMap) {
    w.write(2, 'Type:\tConfigMap (a volume populated by a ConfigMap)');
    w.write(2, `Name:\t${v.configMap.name}`);
    w.write(2, `Optional:\t${v.configMap.optional === true}`);
  } else if (v.secret) {
    w.write(2, 'Type:\tSecret (a volume populated by a Secret)');
    w.write(2, `SecretName:\t${v.secret.secretName}`);
    w.write(2, `Optional:\t${v.secret.optional === true}`);
  } else if (v.downwardAPI) {
    w.write(2, 'Type:\tDownwardAPI (a volume populated by information about the pod)');
    w.write(2, 'Items:');
    for (const i of v.downwardAPI.items ?? []) w.write(3, `${i.fieldRef?.fieldPath ?? i.resourceFieldRef?.resource} -> ${i.path}`);
  } else if (v.persistentVolumeClaim) {
    const c = v.persistentVolumeClaim as { claimName?: string; readOnly?: boolean };
    w.write(2, 'Type:\tPersistentVolumeClaim (a reference to a PersistentVolumeClaim in the same namespace)');
    w.write(2, `ClaimName:\t${c.claimName ?? ''}`);
    w.write(2, `ReadOnly:\t${c.readOnly === true}`);
  } else {
    w.write(2, `Type:\t${Object.keys(v).find((k) => k !== 'name') ?? 'unknown'} (not supported by peapod)`);
  }
}

function tolerationText(t: NonNullable<Pod['spec']['tolerations']>[number]): string {
  let s = t.key ?? '';
  if (t.value) s += `=${t.value}`;
  if (t.effect) s += `:${t.effect}`;
  if (t.operator === 'Exists' && !t.value) s += ' op=Exists';
  if (t.tolerationSeconds !== undefined) s += ` for ${t.tolerationSeconds}s`;
  return s;
}

export function describePod(pod: Pod, events: KubeEvent[] | undefined, nowMs: number): string {
  const w = new PrefixWriter();
  const status = pod.status ?? {};
  w.write(0, `Name:\t${pod.metadata.name}`);
  w.write(0, `Namespace:\t${pod.metadata.namespace}`);
  if (pod.spec.priority !== undefined) w.write(0, `Priority:\t${pod.spec.priority}`);
  if (pod.spec.serviceAccountName) w.write(0, `Service Account:\t${pod.spec.serviceAccountName}`);
  w.write(0, `Node:\t${pod.spec.nodeName ? `${pod.spec.nodeName}/${status.hostIP ?? ''}` : '<none>'}`);
  if (status.startTime) w.write(0, `Start Time:\t${rfc1123z(status.startTime)}`);
  labelsMultiline(w, 'Labels', pod.metadata.labels);
  annotationsMultiline(w, 'Annotations', pod.metadata.annotations);
  if (pod.metadata.deletionTimestamp) {
    w.write(0, `Status:\tTerminating (lasts ${ageSince(pod.metadata.deletionTimestamp, nowMs)})`);
    w.write(0, `Termination Grace Period:\t${pod.metadata.deletionGracePeriodSeconds ?? 0}s`);
  } else {
    w.write(0, `Status:\t${status.phase ?? ''}`);
  }
  if (status.reason) w.write(0, `Reason:\t${status.reason}`);
  if (status.message) w.write(0, `Message:\t${status.message}`);
  w.write(0, `IP:\t${status.podIP ?? ''}`);
  if (!status.podIPs?.length) w.write(0, 'IPs:\t<none>');
  else {
    w.write(0, 'IPs:');
    for (const ip of status.podIPs) w.write(1, `IP:\t${ip.ip}`);
  }
  const sections: [string, Container[] | undefined, ContainerStatus[] | undefined][] = [
    ['Init Containers', pod.spec.initContainers, status.initContainerStatuses],
    ['Containers', pod.spec.containers, status.containerStatuses],
    ['Ephemeral Containers', pod.spec.ephemeralContainers, status.ephemeralContainerStatuses],
  ];
  for (const [title, list, statuses] of sections) {
    if (!list?.length && title !== 'Containers') continue;
    w.write(0, `${title}:`);
    for (const c of list ?? []) describeContainer(w, c, statuses?.find((s) => s.name === c.name));
  }
  if (status.conditions?.length) {
    w.write(0, 'Conditions:');
    w.write(1, 'Type\tStatus');
    for (const c of status.conditions) w.write(1, `${c.type} \t${c.status} `);
  }
  if (!pod.spec.volumes?.length) w.write(0, 'Volumes:\t<none>');
  else {
    w.write(0, 'Volumes:');
    for (const v of pod.spec.volumes) describeVolume(w, v);
  }
  w.write(0, `QoS Class:\t${status.qosClass ?? ''}`);
  labelsMultiline(w, 'Node-Selectors', pod.spec.nodeSelector);
  const tol = pod.spec.tolerations ?? [];
  if (tol.length === 0) w.write(0, 'Tolerations:\t<none>');
  tol.forEach((t, i) => w.write(0, `${i === 0 ? 'Tolerations:' : ''}\t${tolerationText(t)}`));
  return finishDescribe(w, events, nowMs);
}
