// `describe TYPE [NAME...]` for pods, persistentvolumeclaims, persistentvolumes and storageclasses:
// the object, what kubectl shows beside it (a claim's pods and volume), and its events (by
// involvedObject name, namespace, kind and uid; cluster-scoped objects' events are looked up in every
// namespace, as kubectl does). Without a name, every object of the type, two blank lines apart.

import type { KubeEvent, KubeObject, Pod } from '../../k8s/types.js';
import type { PersistentVolume, PersistentVolumeClaim, StorageClass } from '../../k8s/storage-types.js';
import type { ApiResource } from '../../k8s/registry.js';
import { ApiError, type ApiClient } from '../client.js';
import { CliError, type CliContext } from '../context.js';
import { findResource, resourcePath } from '../resources.js';
import { DESCRIBABLE } from '../printable.js';
import { describePod } from '../printers/describe-pod.js';
import { describePersistentVolume, describePersistentVolumeClaim, describeStorageClass } from '../printers/describe-storage.js';


/** The object's events, or undefined when they cannot be read (then no Events section is printed). */
async function eventsOf(api: ApiClient, obj: KubeObject, r: ApiResource, podStyle = false): Promise<KubeEvent[] | undefined> {
  const ns = r.namespaced ? (obj.metadata.namespace ?? '') : '';
  const sel = [`involvedObject.name=${obj.metadata.name ?? ''}`, `involvedObject.namespace=${ns}`];
  if (!podStyle) sel.push(`involvedObject.kind=${r.kind}`);
  sel.push(`involvedObject.uid=${obj.metadata.uid ?? ''}`);
  return api
    .json<{ items?: KubeEvent[] }>('GET', resourcePath(findResource('events'), r.namespaced ? ns : undefined), { query: { fieldSelector: sel.join(','), limit: 500 } })
    .then((l) => l.items ?? [])
    .catch(() => undefined);
}

async function describeOne(ctx: CliContext, api: ApiClient, r: ApiResource, obj: KubeObject): Promise<string> {
  const now = ctx.io.clock.now();
  switch (r.resource) {
    case 'pods':
      return describePod(obj as Pod, await eventsOf(api, obj, r, true), now);
    case 'persistentvolumes':
      return describePersistentVolume(obj as PersistentVolume, await eventsOf(api, obj, r), now);
    case 'storageclasses':
      return describeStorageClass(obj as StorageClass, await eventsOf(api, obj, r), now);
    default: {
      const pvc = obj as PersistentVolumeClaim;
      const ns = pvc.metadata.namespace ?? '';
      const pods = await api.json<{ items?: Pod[] }>('GET', resourcePath(findResource('pods'), ns), { query: { limit: 500 } });
      let pv: PersistentVolume | undefined;
      if (pvc.spec.volumeName) {
        pv = await api.json<PersistentVolume>('GET', resourcePath(findResource('pv'), undefined, pvc.spec.volumeName)).catch(() => undefined);
      }
      return describePersistentVolumeClaim(pvc, await eventsOf(api, obj, r), pods.items ?? [], pv, now);
    }
  }
}

export async function runDescribe(ctx: CliContext, args: string[]): Promise<void> {
  let [type, ...names] = args;
  if (type.includes('/')) [type, ...names] = [type.slice(0, type.indexOf('/')), type.slice(type.indexOf('/') + 1), ...names];
  const r = findResource(type);
  if (!DESCRIBABLE.includes(r.resource)) {
    throw new CliError(`error: describe supports pods, persistentvolumeclaims, persistentvolumes and storageclasses, not ${r.resource}`);
  }
  const api = await ctx.api();
  const ns = r.namespaced ? await ctx.namespace() : undefined;
  let objs: KubeObject[] = [];
  let failed = false;
  if (names.length === 0) {
    objs = (await api.json<{ items?: KubeObject[] }>('GET', resourcePath(r, ns), { query: { limit: 500 } })).items ?? [];
    if (objs.length === 0) {
      ctx.err(ns === undefined ? 'No resources found' : `No resources found in ${ns} namespace.`);
      return;
    }
  }
  for (const name of names) {
    try {
      objs.push(await api.json<KubeObject>('GET', resourcePath(r, ns, name)));
    } catch (err) {
      if (!(err instanceof ApiError) || names.length === 1) throw err;
      ctx.err(err.message);
      failed = true;
    }
  }
  const texts: string[] = [];
  for (const obj of objs) texts.push(await describeOne(ctx, api, r, obj));
  if (texts.length) ctx.out(texts.join('\n\n\n'));
  if (failed) throw new CliError('', 1);
}
