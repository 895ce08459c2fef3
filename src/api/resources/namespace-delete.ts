// Namespace deletion: mark it Terminating, delete everything in it (pods gracefully), and remove the
// namespace once its last pod is gone. Runs in the background; the DELETE returns the Terminating
// namespace at once, as upstream does.

import { isNotFound } from '../../errors.js';
import { RESOURCES } from '../../k8s/registry.js';
import type { KubeObject, Pod } from '../../k8s/types.js';
import { forbidden } from '../api-errors.js';
import type { ApiDeps } from '../deps.js';
import { rfc3339 } from '../time.js';
import { deletePod } from './pod-delete.js';

const PROTECTED = new Set(['default', 'kube-system', 'kube-public']);

export function beginNamespaceDeletion(deps: ApiDeps, ns: KubeObject, dryRun: boolean): KubeObject {
  const name = ns.metadata.name!;
  if (PROTECTED.has(name)) throw forbidden(`namespaces "${name}" is forbidden: this namespace may not be deleted`, { name, kind: 'namespaces' });
  if (dryRun) return ns;
  if ((ns.status as { phase?: string } | undefined)?.phase === 'Terminating') return ns;
  const marked = deps.store.modify<KubeObject>('namespaces', undefined, name, (cur) => {
    cur.metadata.deletionTimestamp = cur.metadata.deletionTimestamp ?? rfc3339(deps.clock.now());
    cur.status = { ...((cur.status as object) ?? {}), phase: 'Terminating' };
    return cur;
  });
  queueMicrotask(() => finalizeNamespace(deps, name));
  return marked;
}

/**
 * Deletes what is in the namespace: first everything but the claims (pods gracefully), and once the last
 * pod is gone the rest. Claims wait for the pods, as their protection finalizer would make them wait.
 */
function sweep(deps: ApiDeps, namespace: string, first: boolean): void {
  for (const r of RESOURCES) {
    if (!r.namespaced) continue;
    if (r.resource === 'pods' && !first) continue;
    if (r.resource === 'persistentvolumeclaims' && first) continue;
    for (const obj of deps.store.list<KubeObject>(r.resource, { namespace }).items) {
      try {
        if (r.resource === 'pods') deletePod(deps, obj as Pod, {});
        else deps.store.delete(r.resource, namespace, obj.metadata.name!);
      } catch (err) {
        if (!isNotFound(err)) deps.logger.warn({ err, namespace, name: obj.metadata.name }, 'namespace deletion: delete failed');
      }
    }
  }
}

function finalizeNamespace(deps: ApiDeps, namespace: string): void {
  try {
    sweep(deps, namespace, true);
  } catch (err) {
    deps.logger.error({ err, namespace }, 'namespace deletion: sweep failed');
  }
  let done = false;
  const tryFinish = (): void => {
    if (done) return;
    if (deps.store.list('pods', { namespace, limit: 1 }).items.length > 0) return;
    done = true;
    watch?.stop();
    if (watch) deps.background.delete(watch);
    try {
      sweep(deps, namespace, false);
      deps.store.delete('namespaces', undefined, namespace);
    } catch (err) {
      if (!isNotFound(err)) deps.logger.error({ err, namespace }, 'namespace deletion: final removal failed');
    }
  };
  let watch: ReturnType<ApiDeps['store']['watch']> | undefined;
  watch = deps.store.watch('pods', { namespace, resourceVersion: deps.store.currentResourceVersion() }, (ev) => {
    if (ev.type === 'DELETED') queueMicrotask(tryFinish);
  });
  deps.background.add(watch);
  tryFinish();
}
