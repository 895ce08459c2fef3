// kubectl apply's client-side three-way strategic merge patch, for core v1 objects: set what the new
// config (modified) says where the live object (current) differs; delete (null, or `$patch: delete`
// list entries) what the last applied config (original) had and modified dropped. Lists with a merge
// key merge by key and carry `$setElementOrder/<field>`; other lists are replaced whole. Pure.

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Obj = { [k: string]: Json };

/** Merge keys of core v1 list fields, by field name (unambiguous within core v1). */
export const MERGE_KEYS: Record<string, string> = {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  volumes: 'name',
  env: 'name',
  imagePullSecrets: 'name',
  resourceClaims: 'name',
  schedulingGates: 'name',
  ports: 'containerPort',
  volumeMounts: 'mountPath',
  hostAliases: 'ip',
  podIPs: 'ip',
  topologySpreadConstraints: 'topologyKey',
  conditions: 'type',
  ownerReferences: 'uid',
};

export const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

const isObj = (v: Json | undefined): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const equal = (a: Json | undefined, b: Json | undefined) => JSON.stringify(a) === JSON.stringify(b);

function listPatch(key: string, original: Json[] | undefined, modified: Json[], current: Json[] | undefined): Json[] | undefined {
  const byKey = (list: Json[] | undefined) => new Map((list ?? []).filter(isObj).map((e) => [JSON.stringify(e[key]), e]));
  const orig = byKey(original);
  const cur = byKey(current);
  const mod = byKey(modified);
  const out: Json[] = [];
  for (const e of modified) {
    if (!isObj(e)) return undefined; // not a keyed list after all: replace whole
    const k = JSON.stringify(e[key]);
    const curE = cur.get(k);
    const p = objectPatch(orig.get(k), e, curE);
    if (!curE || Object.keys(p).length > 0) out.push({ [key]: e[key], ...(curE ? p : e) });
  }
  for (const [k, e] of orig) if (!mod.has(k) && cur.has(k)) out.push({ [key]: e[key], $patch: 'delete' });
  const curOrder = (current ?? []).filter(isObj).map((e) => JSON.stringify(e[key])).filter((k) => mod.has(k));
  const orderChanged = !equal(curOrder, modified.filter(isObj).map((e) => JSON.stringify(e[key])));
  return out.length > 0 || orderChanged ? out : [];
}

/** The patch turning `current` into `modified`, deleting what `original` had and `modified` lacks. */
export function objectPatch(original: Obj | undefined, modified: Obj, current: Obj | undefined): Obj {
  const patch: Obj = {};
  for (const [k, m] of Object.entries(modified)) {
    const c = current?.[k];
    const o = original?.[k];
    if (isObj(m) && isObj(c)) {
      const p = objectPatch(isObj(o) ? o : undefined, m, c);
      if (Object.keys(p).length > 0) patch[k] = p;
    } else if (Array.isArray(m) && Array.isArray(c) && MERGE_KEYS[k]) {
      const p = listPatch(MERGE_KEYS[k], Array.isArray(o) ? o : undefined, m, c);
      if (p === undefined) {
        if (!equal(m, c)) patch[k] = m;
      } else if (p.length > 0 || !equal(m.map((e) => (isObj(e) ? e[MERGE_KEYS[k]] : e)), c.map((e) => (isObj(e) ? e[MERGE_KEYS[k]] : e)))) {
        patch[`$setElementOrder/${k}`] = m.map((e) => (isObj(e) ? { [MERGE_KEYS[k]]: e[MERGE_KEYS[k]] } : e));
        patch[k] = p;
      }
    } else if (!equal(m, c)) {
      patch[k] = m;
    }
  }
  for (const k of Object.keys(original ?? {})) {
    if (!(k in modified) && current && k in current) patch[k] = null;
  }
  return patch;
}

/** The config kubectl stores in the annotation: the manifest without the annotation itself. */
export function withLastApplied<T extends object>(obj: T): T & { metadata: { annotations: Record<string, string> } } {
  const copy = JSON.parse(JSON.stringify(obj)) as { metadata?: { annotations?: Record<string, string> } };
  const meta = (copy.metadata ??= {});
  const ann = { ...(meta.annotations ?? {}) };
  delete ann[LAST_APPLIED];
  meta.annotations = ann;
  if (Object.keys(ann).length === 0) delete meta.annotations;
  const annotation = JSON.stringify(copy);
  meta.annotations = { ...ann, [LAST_APPLIED]: annotation };
  return copy as T & { metadata: { annotations: Record<string, string> } };
}

/** The apply patch for a live object: empty when nothing changed. */
export function applyPatch(modifiedWithAnnotation: Obj, current: Obj): Obj {
  const meta = current.metadata;
  const ann = isObj(meta) && isObj(meta.annotations) ? meta.annotations[LAST_APPLIED] : undefined;
  let original: Obj | undefined;
  if (typeof ann === 'string') {
    try {
      original = JSON.parse(ann) as Obj;
    } catch {
      original = undefined;
    }
  }
  const patch = objectPatch(original, modifiedWithAnnotation, current);
  delete patch.status;
  return patch;
}
