// A kubeconfig for kubectl and the client libraries: one cluster (the server and the CA that signed its
// certificate), one user (a client certificate, or a bearer token) and one context, all named "peapod"
// unless a user name is given. Embedded data, not file paths, so the file stands alone.

import { stringify } from 'yaml';
import { KUBE_YAML } from '../k8s/yaml-schema.js';

export interface KubeconfigOptions {
  namespace?: string;
  /** PEM of the CA that signed the serving certificate; omitted: the client's system trust store. */
  caPem?: string;
  /** A client certificate and key (PEM). */
  client?: { certPem: string; keyPem: string };
  token?: string;
  /** The kubeconfig's user entry name; default "peapod". */
  userName?: string;
}

const b64 = (s: string) => Buffer.from(s).toString('base64');

export function renderKubeconfig(serverUrl: string, opts: KubeconfigOptions = {}): string {
  const userName = opts.userName ?? 'peapod';
  const contextName = userName === 'peapod' ? 'peapod' : `${userName}@peapod`;
  const context: Record<string, string> = { cluster: 'peapod', user: userName };
  if (opts.namespace) context.namespace = opts.namespace;
  const cluster: Record<string, string> = { server: serverUrl };
  if (opts.caPem) cluster['certificate-authority-data'] = b64(opts.caPem);
  const user: Record<string, string> = {};
  if (opts.client) {
    user['client-certificate-data'] = b64(opts.client.certPem);
    user['client-key-data'] = b64(opts.client.keyPem);
  }
  if (opts.token) user.token = opts.token;
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'peapod', cluster }],
    users: [{ name: userName, user }],
    contexts: [{ name: contextName, context }],
    'current-context': contextName,
    preferences: {},
  }, KUBE_YAML);
}
