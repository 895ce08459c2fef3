// Builds meta.k8s.io Table replies (list, get and one-row watch events) and PartialObjectMetadata.

import type { KubeObject } from '../../k8s/types.js';
import { printerFor } from './columns.js';

export type IncludeObject = 'None' | 'Metadata' | 'Object';

export interface TableOptions {
  resource: string;
  version: 'v1' | 'v1beta1';
  includeObject: IncludeObject;
  /** Omit columnDefinitions (watch events after the first). */
  noHeaders?: boolean;
  now: number;
}

export function partialObject(obj: KubeObject, version: string): KubeObject {
  return { kind: 'PartialObjectMetadata', apiVersion: `meta.k8s.io/${version}`, metadata: obj.metadata };
}

export function buildTable(objs: KubeObject[], meta: { resourceVersion?: string; continue?: string }, opts: TableOptions): Record<string, unknown> {
  const printer = printerFor(opts.resource);
  const rows = objs.map((o) => {
    const { cells, conditions } = printer.row(o, opts.now);
    const row: Record<string, unknown> = { cells };
    if (conditions) row.conditions = conditions;
    if (opts.includeObject === 'Object') row.object = o;
    else if (opts.includeObject === 'Metadata') row.object = partialObject(o, opts.version);
    return row;
  });
  const metadata: Record<string, string> = {};
  if (meta.resourceVersion) metadata.resourceVersion = meta.resourceVersion;
  if (meta.continue) metadata.continue = meta.continue;
  return {
    kind: 'Table',
    apiVersion: `meta.k8s.io/${opts.version}`,
    metadata,
    columnDefinitions: opts.noHeaders ? null : printer.columns,
    rows,
  };
}

export function parseIncludeObject(v: string | null): IncludeObject {
  if (v === 'None' || v === 'Object') return v;
  return 'Metadata';
}
