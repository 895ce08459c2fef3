// Reading `-f FILE|DIR|-`: multi-document YAML or JSON, `kind: List` expanded, empty documents
// skipped. Directories contribute their .yaml/.yml/.json files in name order (not recursive).

import { promises as fs } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { KUBE_YAML } from '../k8s/yaml-schema.js';
import type { KubeObject } from '../k8s/types.js';
import { readAll } from './client.js';

export function parseManifests(text: string, source: string): KubeObject[] {
  const out: KubeObject[] = [];
  for (const doc of parseAllDocuments(text, KUBE_YAML)) {
    if (doc.errors.length) throw new Error(`error: error parsing ${source}: ${doc.errors[0].message}`);
    const v = doc.toJS() as unknown;
    if (v === null || v === undefined) continue;
    if (typeof v !== 'object' || Array.isArray(v)) throw new Error(`error: error parsing ${source}: not an object`);
    const obj = v as KubeObject;
    if (obj.kind === 'List' || (obj.kind?.endsWith('List') && Array.isArray(obj.items))) {
      for (const item of (obj.items as KubeObject[]) ?? []) out.push(item);
      continue;
    }
    if (!obj.kind || !obj.apiVersion) {
      throw new Error(`error: error validating data from ${source}: apiVersion and kind must be set`);
    }
    out.push({ ...obj, metadata: obj.metadata ?? {} });
  }
  return out;
}

/** A manifest's object and the file it came from (`STDIN` for -). */
export interface ManifestEntry {
  obj: KubeObject;
  source: string;
}

export async function readManifestEntries(file: string, stdin: NodeJS.ReadableStream): Promise<ManifestEntry[]> {
  const entries = (objs: KubeObject[], source: string) => objs.map((obj) => ({ obj, source }));
  if (file === '-') return entries(parseManifests(await readAll(stdin as never), 'STDIN'), 'STDIN');
  const st = await fs.stat(file).catch(() => undefined);
  if (!st) throw new Error(`error: the path "${file}" does not exist`);
  if (!st.isDirectory()) return entries(parseManifests(await fs.readFile(file, 'utf8'), file), file);
  const names = (await fs.readdir(file)).filter((n) => /\.(ya?ml|json)$/.test(n)).sort();
  const out: ManifestEntry[] = [];
  for (const n of names) {
    const p = path.join(file, n);
    out.push(...entries(parseManifests(await fs.readFile(p, 'utf8'), p), p));
  }
  return out;
}

export async function readManifests(file: string, stdin: NodeJS.ReadableStream): Promise<KubeObject[]> {
  return (await readManifestEntries(file, stdin)).map((e) => e.obj);
}
