// `describe pv`, `describe pvc` and `describe sc`, following kubectl 1.33's describePersistentVolume,
// describePersistentVolumeClaim and describeStorageClass. One peapod addition: a bound claim shows
// the host directory behind it (`Host Path:`, from its volume's hostPath or local path), so a user
// sees where the data lives on this machine.

import type { KubeEvent, Pod } from '../../k8s/types.js';
import { accessModesString, type PersistentVolume, type PersistentVolumeClaim, type StorageClass, type VolumeNodeAffinity } from '../../k8s/storage-types.js';
import { isDefaultClass, storageClassOf } from '../../storage/classes.js';
import { ageSince } from './age.js';
import { annotationsMultiline, finishDescribe, formatLabels, goList, labelsMultiline, PrefixWriter, rfc1123z } from './describe-common.js';


/** A Quantity as kubectl prints it; an absent one is Go's zero Quantity, "0". */
function quantity(v: string | number | undefined): string {
  return v === undefined || v === null ? '0' : String(v);
}

/** The directory on this host that holds a volume's data (hostPath or local), if it has one. */
export function volumeHostPath(pv: PersistentVolume | undefined): string | undefined {
  return pv?.spec.hostPath?.path ?? pv?.spec.local?.path;
}

function status(w: PrefixWriter, obj: { metadata: { deletionTimestamp?: string | null } }, phase: string | undefined, nowMs: number): void {
  if (obj.metadata.deletionTimestamp) w.write(0, `Status:\tTerminating (lasts ${ageSince(obj.metadata.deletionTimestamp, nowMs)})`);
  else w.write(0, `Status:\t${phase ?? ''}`);
}

function nodeAffinity(w: PrefixWriter, a: VolumeNodeAffinity | undefined): void {
  if (!a?.required) return w.write(0, 'Node Affinity:\t<none>');
  w.write(0, 'Node Affinity:\t');
  const terms = a.required.nodeSelectorTerms ?? [];
  if (terms.length === 0) return w.write(1, 'Required Terms:\t<none>');
  w.write(1, 'Required Terms:\t');
  terms.forEach((t, i) => {
    const reqs = t.matchExpressions ?? [];
    if (reqs.length === 0) return w.write(2, `Term ${i}:\t<none>`);
    reqs.forEach((r, k) => {
      const expr = `${r.key ?? ''} ${(r.operator ?? '').toLowerCase()}${r.values?.length ? ` [${r.values.join(', ')}]` : ''}`;
      w.write(2, `${k === 0 ? `Term ${i}:` : ''}\t${expr}`);
    });
  });
}

function source(w: PrefixWriter, pv: PersistentVolume): void {
  w.write(0, 'Source:');
  const { hostPath, local } = pv.spec;
  if (hostPath) {
    w.write(2, 'Type:\tHostPath (bare host directory volume)');
    w.write(2, `Path:\t${hostPath.path}`);
    w.write(2, `HostPathType:\t${hostPath.type ?? '<none>'}`);
  } else if (local) {
    w.write(2, 'Type:\tLocalVolume (a persistent volume backed by local storage on a node)');
    w.write(2, `Path:\t${local.path}`);
  } else {
    w.write(1, '<unknown>');
  }
}

export function describePersistentVolume(pv: PersistentVolume, events: KubeEvent[] | undefined, nowMs: number): string {
  const w = new PrefixWriter();
  const { spec } = pv;
  w.write(0, `Name:\t${pv.metadata.name}`);
  labelsMultiline(w, 'Labels', pv.metadata.labels);
  annotationsMultiline(w, 'Annotations', pv.metadata.annotations);
  w.write(0, `Finalizers:\t${goList(pv.metadata.finalizers)}`);
  w.write(0, `StorageClass:\t${storageClassOf(pv)}`);
  status(w, pv, pv.status?.phase, nowMs);
  w.write(0, `Claim:\t${spec.claimRef ? `${spec.claimRef.namespace ?? ''}/${spec.claimRef.name ?? ''}` : ''}`);
  w.write(0, `Reclaim Policy:\t${spec.persistentVolumeReclaimPolicy ?? ''}`);
  w.write(0, `Access Modes:\t${accessModesString(spec.accessModes)}`);
  if (spec.volumeMode) w.write(0, `VolumeMode:\t${spec.volumeMode}`);
  w.write(0, `Capacity:\t${quantity(spec.capacity?.storage)}`);
  nodeAffinity(w, spec.nodeAffinity);
  w.write(0, `Message:\t${pv.status?.message ?? ''}`);
  source(w, pv);
  return finishDescribe(w, events, nowMs);
}

/** kubectl's getPodsForPVC: the pods whose volumes name the claim, then pods owning it; sorted by name when printed. */
export function podsUsingClaim(pods: Pod[], pvc: PersistentVolumeClaim): Pod[] {
  const out = pods.filter((p) => (p.spec.volumes ?? []).some((v) => (v.persistentVolumeClaim as { claimName?: string } | undefined)?.claimName === pvc.metadata.name));
  for (const ref of pvc.metadata.ownerReferences ?? []) {
    if (ref.kind !== 'Pod') continue;
    const owner = pods.find((p) => p.metadata.uid === ref.uid);
    if (owner && !out.includes(owner)) out.push(owner);
  }
  return out;
}

/** Go's zero time in RFC1123Z, as kubectl prints an unset condition time. */
const ZERO_TIME = 'Mon, 01 Jan 0001 00:00:00 +0000';

export function describePersistentVolumeClaim(
  pvc: PersistentVolumeClaim,
  events: KubeEvent[] | undefined,
  pods: Pod[],
  pv: PersistentVolume | undefined,
  nowMs: number,
): string {
  const w = new PrefixWriter();
  const { spec } = pvc;
  const st = pvc.status ?? {};
  w.write(0, `Name:\t${pvc.metadata.name}`);
  w.write(0, `Namespace:\t${pvc.metadata.namespace ?? ''}`);
  w.write(0, `StorageClass:\t${storageClassOf(pvc)}`);
  status(w, pvc, st.phase, nowMs);
  w.write(0, `Volume:\t${spec.volumeName ?? ''}`);
  // peapod: where the claim's data is on this host.
  const hostPath = spec.volumeName && pv?.metadata.name === spec.volumeName ? volumeHostPath(pv) : undefined;
  if (hostPath) w.write(0, `Host Path:\t${hostPath}`);
  labelsMultiline(w, 'Labels', pvc.metadata.labels);
  annotationsMultiline(w, 'Annotations', pvc.metadata.annotations);
  w.write(0, `Finalizers:\t${goList(pvc.metadata.finalizers)}`);
  const bound = !!spec.volumeName;
  w.write(0, `Capacity:\t${bound ? quantity(st.capacity?.storage) : ''}`);
  w.write(0, `Access Modes:\t${bound ? accessModesString(st.accessModes) : ''}`);
  if (spec.volumeMode) w.write(0, `VolumeMode:\t${spec.volumeMode}`);
  if (spec.dataSource) {
    const ds = spec.dataSource as { apiGroup?: string; kind?: string; name?: string };
    w.write(0, 'DataSource:');
    if (ds.apiGroup !== undefined) w.write(1, `APIGroup:\t${ds.apiGroup}`);
    w.write(1, `Kind:\t${ds.kind ?? ''}`);
    w.write(1, `Name:\t${ds.name ?? ''}`);
  }
  const users = podsUsingClaim(pods, pvc).map((p) => p.metadata.name ?? '').sort();
  if (users.length === 0) w.write(0, 'Used By:\t<none>');
  users.forEach((n, i) => w.write(0, `${i === 0 ? 'Used By:' : ''}\t${n}`));
  if (st.conditions?.length) {
    w.write(0, 'Conditions:');
    w.write(1, 'Type\tStatus\tLastProbeTime\tLastTransitionTime\tReason\tMessage');
    w.write(1, '----\t------\t-----------------\t------------------\t------\t-------');
    for (const c of st.conditions) {
      w.write(1, `${c.type} \t${c.status} \t${rfc1123z(c.lastProbeTime) || ZERO_TIME} \t${rfc1123z(c.lastTransitionTime) || ZERO_TIME} \t${c.reason ?? ''} \t${c.message ?? ''}`);
    }
  }
  return finishDescribe(w, events, nowMs);
}

export function describeStorageClass(sc: StorageClass, events: KubeEvent[] | undefined, nowMs: number): string {
  const w = new PrefixWriter();
  w.write(0, `Name:\t${sc.metadata.name}`);
  w.write(0, `IsDefaultClass:\t${isDefaultClass(sc) ? 'Yes' : 'No'}`);
  // kubectl prints them on one line, the last-applied configuration included.
  w.write(0, `Annotations:\t${formatLabels(sc.metadata.annotations)}`);
  w.write(0, `Provisioner:\t${sc.provisioner}`);
  w.write(0, `Parameters:\t${formatLabels(sc.parameters)}`);
  w.write(0, `AllowVolumeExpansion:\t${sc.allowVolumeExpansion === undefined || sc.allowVolumeExpansion === null ? '<unset>' : sc.allowVolumeExpansion ? 'True' : 'False'}`);
  if (!sc.mountOptions?.length) w.write(0, 'MountOptions:\t<none>');
  else {
    w.write(0, 'MountOptions:');
    for (const o of sc.mountOptions) w.write(1, o);
  }
  if (sc.reclaimPolicy) w.write(0, `ReclaimPolicy:\t${sc.reclaimPolicy}`);
  if (sc.volumeBindingMode) w.write(0, `VolumeBindingMode:\t${sc.volumeBindingMode}`);
  if (sc.allowedTopologies) {
    const terms = sc.allowedTopologies as { matchLabelExpressions?: { key: string; values?: string[] }[] }[];
    if (terms.length === 0) w.write(0, 'AllowedTopologies:\t<none>');
    else {
      w.write(0, 'AllowedTopologies:\t');
      terms.forEach((t, i) => {
        const reqs = t.matchLabelExpressions ?? [];
        if (reqs.length === 0) return w.write(1, `Term ${i}:\t<none>`);
        reqs.forEach((r, k) => w.write(1, `${k === 0 ? `Term ${i}:` : ''}\t${r.key} in${r.values?.length ? ` [${r.values.join(', ')}]` : ''}`));
      });
    }
  }
  return finishDescribe(w, events, nowMs);
}
