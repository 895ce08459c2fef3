// Which registry credentials the kubelet tries for a container's image: those of the pod's
// imagePullSecrets (in the pod's namespace), then the node's config.json (<data-dir>/config.json, looked
// at on each container start so an edit applies at once). Secrets that are missing are logged and skipped, as the
// kubelet does; credentials themselves never reach a log line.

import { errorMessage } from '../errors.js';
import { statSync } from 'node:fs';
import { loadNodeKeyring, lookupPodCredentials, nodeConfigPath, type CredentialKeyring } from '../images/registry/credentials.js';
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
  // The node's config.json as it is now: one stat per start (no file, the usual case: nothing to read);
  // read again only when its size or mtime changed.
  let cached: { mtimeMs: number; size: number; keyring: CredentialKeyring } | undefined;
  const nodeKeyringNow = async (): Promise<CredentialKeyring | undefined> => {
    let st;
    try {
      st = statSync(nodeConfigPath(opts.dataDir));
    } catch {
      cached = undefined;
      return undefined;
    }
    if (cached && cached.mtimeMs === st.mtimeMs && cached.size === st.size) return cached.keyring;
    const keyring = await loadNodeKeyring(opts.dataDir);
    cached = { mtimeMs: st.mtimeMs, size: st.size, keyring };
    return keyring;
  };
  return async (pod, image) => {
    const ns = pod.metadata.namespace ?? 'default';
    let nodeKeyring: CredentialKeyring | undefined;
    try {
      nodeKeyring = await nodeKeyringNow();
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
