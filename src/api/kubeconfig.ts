// The kubeconfig the daemon writes for kubectl: one cluster, user and context named "peapod".
// The user has no credentials: kubectl sends none over http:// anyway (kube-api.md §0.3).

import { stringify } from 'yaml';

export function renderKubeconfig(serverUrl: string, opts: { namespace?: string } = {}): string {
  const context: Record<string, string> = { cluster: 'peapod', user: 'peapod' };
  if (opts.namespace) context.namespace = opts.namespace;
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'peapod', cluster: { server: serverUrl } }],
    users: [{ name: 'peapod', user: {} }],
    contexts: [{ name: 'peapod', context }],
    'current-context': 'peapod',
    preferences: {},
  });
}
