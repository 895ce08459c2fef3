// Merges an applied configuration into the live object (upstream's TypedValue.Merge): the
// configuration's leaves win, maps merge key by key, associative lists and sets merge item by item
// (atomic lists are replaced whole). Merged lists keep the live order, with the configuration's items
// placed in the configuration's order (upstream's mergingWalker.visitListItems).

import type { SchemaNode } from '../validation/schema.js';
import { fieldNode, itemElements, itemsOf, listTypeOf, shapeOf, type Json } from './schema-view.js';

export function mergeValues(live: unknown, config: unknown, node: SchemaNode): unknown {
  if (config === undefined) return structuredClone(live);
  if (live === undefined || live === null || config === null) return structuredClone(config);
  const s = shapeOf(node, config);
  if (s !== shapeOf(node, live) || s === 'leaf') return structuredClone(config);
  if (s === 'map') return mergeMaps(live as Json, config as Json, node);
  return mergeLists(live as unknown[], config as unknown[], node);
}

function mergeMaps(live: Json, config: Json, node: SchemaNode): Json {
  const out: Json = {};
  for (const [k, v] of Object.entries(live)) out[k] = k in config ? mergeValues(v, config[k], fieldNode(node, k)) : structuredClone(v);
  for (const [k, v] of Object.entries(config)) if (!(k in live)) out[k] = structuredClone(v);
  return out;
}

function mergeLists(live: unknown[], config: unknown[], node: SchemaNode): unknown[] {
  const lt = listTypeOf(node);
  const items = itemsOf(node);
  const le = itemElements(lt, live, [], false);
  const re = itemElements(lt, config, [], false);
  const liveBy = new Map(le.map((e, i) => [e, live[i]] as const));
  const configBy = new Map(re.map((e, i) => [e, config[i]] as const));
  const queue = re.filter((e) => liveBy.has(e));
  let nextShared = queue.shift();
  const merged = new Set<string>();
  const out: unknown[] = [];
  let l = 0;
  let r = 0;
  while (l < le.length || r < re.length) {
    if (l < le.length && r < re.length) {
      if (le[l] === re[r]) {
        merged.add(le[l]);
        out.push(mergeValues(live[l], config[r], items));
        l++;
        r++;
        nextShared = queue.shift();
        continue;
      }
      // a shared item, but not the next one in the configuration's order: it comes later
      if (configBy.has(le[l]) && nextShared !== undefined && nextShared !== le[l]) {
        l++;
        continue;
      }
    }
    if (l < le.length) {
      if (!configBy.has(le[l])) {
        out.push(structuredClone(live[l]));
        l++;
        continue;
      }
      if (merged.has(le[l])) {
        l++;
        continue;
      }
    }
    if (r < re.length) {
      const e = re[r];
      merged.add(e);
      out.push(mergeValues(liveBy.get(e), config[r], items));
      r++;
      if (nextShared === e) nextShared = queue.shift();
    } else {
      l++; // unreachable for well-formed lists; guards against a live list with odd duplicates
    }
  }
  return out;
}

