// Which registry credentials the kubelet tries for a container's image: those of the pod's
// imagePullSecrets (in the pod's namespace), then the node's config.json (<data-dir>/config.json, read
// at each pull so an edit applies at once). Secrets that are missing are logged and skipped, as the
// kubelet does; credentials themselves never reach a log line.

import { errorMessage } from '../errors.js';
import { loadNodeKeyring, lookupPodCredentials } from '../images/registry/credentials.js';
import type { RegistryCredential } from '../images/registry/types.js';
import type { Pod } from '../k8s/types.js';
import type { Logger } from '../system/logger.js';
import type { ObjectLookup } from './env.js';

export interface PullCredentials {
  credentials: RegistryCredential[];
  /** imagePullSecrets that do not exist (the kubelet's FailedToRetrieveImagePullSecret event names them). */
  missingSecrets: string[];
}

export function pullCredentialsFor(opts: { lookup: ObjectLookup; dataDir: string; logger: Logger }): (pod: Pod, image: string) => Promise<PullCredentials> {
  return async (pod, image) => {
    const ns = pod.metadata.namespace ?? 'default';
    let nodeKeyring;
    try {
      nodeKeyring = await loadNodeKeyring(opts.dataDir);
    } catch (err) {
      opts.logger.warn({ err: errorMessage(err) }, 'ignoring the node registry credentials');
    }
    const names = (pod.spec.imagePullSecrets ?? []).map((s) => s.name ?? '').filter(Boolean);
    const missingSecrets = names.filter((n) => !opts.lookup.secret(ns, n));
    try {
      const r = lookupPodCredentials({
        namespace: ns,
        imagePullSecrets: names,
        getSecret: (name) => opts.lookup.secret(ns, name),
        ...(nodeKeyring ? { nodeKeyring } : {}),
        image,
      });
      for (const w of r.problems) opts.logger.warn({ pod: `${ns}/${pod.metadata.name}`, image }, w);
      return { credentials: r.credentials, missingSecrets };
    } catch {
      return { credentials: [], missingSecrets }; // an unparsable image name: the pull reports InvalidImageName itself
    }
  };
}
