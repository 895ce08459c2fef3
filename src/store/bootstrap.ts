// The namespaces every cluster starts with. Idempotent: run at each daemon start.

import { PeapodError } from '../errors.js';
import type { KubeObject } from '../k8s/types.js';
import type { ObjectStore } from './store.js';

export const INITIAL_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'] as const;

/** Creates the initial namespaces that are missing (status.phase Active, spec.finalizers ["kubernetes"]). */
export function ensureNamespaces(store: ObjectStore): void {
  for (const name of INITIAL_NAMESPACES) {
    if (store.tryGet('namespaces', undefined, name)) continue;
    const ns: KubeObject = {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name, labels: { 'kubernetes.io/metadata.name': name } },
      spec: { finalizers: ['kubernetes'] },
      status: { phase: 'Active' },
    };
    try {
      store.create('namespaces', ns);
    } catch (err) {
      if (!(err instanceof PeapodError && err.code === 'AlreadyExists')) throw err;
    }
  }
}
