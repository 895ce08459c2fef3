// The ServiceAccount admission plugin for new pods (plugin/pkg/admission/serviceaccount), as peapod
// applies it:
// - the pod runs as spec.serviceAccountName (else the deprecated spec.serviceAccount, else "default";
//   both fields then read that name), which must exist in its namespace,
//   else 403 with upstream's text: `pods "p" is forbidden: error looking up service account ns/x:
//   serviceaccount "x" not found`;
// - a pod that names no imagePullSecrets gets its account's, as upstream copies them;
// - automountServiceAccountToken: peapod mounts no API credentials into containers (the
//   kube-api-access-* volume), because containers here have no route to the API: no kubernetes Service,
//   no KUBERNETES_SERVICE_HOST. Left unset, that is simply not done; asked for explicitly (true on the
//   pod, or on its account with the pod leaving it unset) it is refused with a field error rather than
//   silently not done. A token is still had through a projected serviceAccountToken volume.

import { InvalidError } from '../errors.js';
import type { KubeObject, Pod } from '../k8s/types.js';
import type { ObjectStore } from '../store/store.js';
import { forbidden as forbiddenCause } from '../api/validation/field.js';
import { forbidden } from '../api/api-errors.js';
import { DEFAULT_SERVICE_ACCOUNT } from './controller.js';

interface ServiceAccount extends KubeObject {
  imagePullSecrets?: { name?: string }[];
  automountServiceAccountToken?: boolean;
}

export const NO_AUTOMOUNT =
  'peapod does not mount API credentials into containers (they have no route to the API); set it to false, or use a projected serviceAccountToken volume';

/** Admits a new pod's service account; changes the pod (defaults), throws the 403 or 422. */
export function admitServiceAccount(store: ObjectStore, pod: Pod): void {
  const ns = pod.metadata.namespace ?? 'default';
  const podName = pod.metadata.name ?? pod.metadata.generateName ?? '';
  // The deprecated spec.serviceAccount is the name when serviceAccountName is empty (v1 conversion).
  const name = pod.spec.serviceAccountName || pod.spec.serviceAccount || DEFAULT_SERVICE_ACCOUNT;
  pod.spec.serviceAccountName = name;
  pod.spec.serviceAccount = name;
  const sa = store.getStored<ServiceAccount>('serviceaccounts', ns, name)?.object;
  if (!sa) {
    throw forbidden(`pods "${podName}" is forbidden: error looking up service account ${ns}/${name}: serviceaccount "${name}" not found`, { name: podName, kind: 'pods' });
  }
  const cause = automountCause(pod, sa);
  if (cause) throw new InvalidError({ resource: 'pods', kind: 'Pod', name: podName }, [cause]);
  if (!pod.spec.imagePullSecrets?.length && sa.imagePullSecrets?.length) {
    pod.spec.imagePullSecrets = sa.imagePullSecrets.map((s) => ({ name: s.name ?? '' }));
  }
}

/** The field error for an explicit request to mount the API credentials; undefined when none was made. */
export function automountCause(pod: Pod, sa: { automountServiceAccountToken?: boolean }): ReturnType<typeof forbiddenCause> | undefined {
  const field = 'spec.automountServiceAccountToken';
  if (pod.spec.automountServiceAccountToken === true) return forbiddenCause(field, NO_AUTOMOUNT);
  if (pod.spec.automountServiceAccountToken === undefined && sa.automountServiceAccountToken === true) {
    return forbiddenCause(field, `service account "${pod.spec.serviceAccountName}" sets automountServiceAccountToken: true: ${NO_AUTOMOUNT}`);
  }
  return undefined;
}
