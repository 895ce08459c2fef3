// Builds meta.k8s.io Table replies (list, get and one-row watch events) and PartialObjectMetadata.

import type { KubeObject } from '../../k8s/types.js';
import type { StoredObject } from '../../store/store.js';
import { spliceJson } from '../http.js';
import { Since } from './age.js';
import { printerFor, type PreparedRow, type Printer } from './columns.js';

export type IncludeObject = 'None' | 'Metadata' | 'Object';

export interface TableOptions {
  resource: string;
  version: 'v1' | 'v1beta1';
  includeObject: IncludeObject;
  /** Omit columnDefinitions (watch events after the first). */
  noHeaders?: boolean;
  now: number;
  /**
   * For a version served over another resource's storage: the object a row carries (includeObject=Object)
   * in that version, and the version's name (rows are kept per version). Cells come from the stored form.
   */
  served?: { apiVersion: string; toServed(stored: KubeObject): KubeObject };
}

export function partialObject(obj: KubeObject, version: string): KubeObject {
  return { kind: 'PartialObjectMetadata', apiVersion: `meta.k8s.io/${version}`, metadata: obj.metadata };
}

export function buildTable(objs: KubeObject[], meta: { resourceVersion?: string; continue?: string }, opts: TableOptions): Record<string, unknown> {
  const printer = printerFor(opts.resource);
  const rows = objs.map((o) => {
    const { cells, conditions } = printer.row(o);
    const row: Record<string, unknown> = { cells: renderCells(cells, opts.now) };
    if (conditions) row.conditions = conditions;
    if (opts.includeObject === 'Object') row.object = opts.served ? opts.served.toServed(o) : o;
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

/** The cells as they read at `now`. */
function renderCells(cells: readonly unknown[], now: number): unknown[] {
  return cells.map((c) => (c instanceof Since ? c.render(now) : c));
}

/**
 * A stored object's Table row, kept on its entry (StoredObject.tableRow) while the entry is current: the
 * prepared row, and the row's JSON with the key it was made for (what the request asks for and the texts
 * of its times), reused while the key holds (an age of "12m" holds for a minute).
 */
interface RowMemo {
  printer: Printer;
  prepared: PreparedRow;
  key?: string;
  json: string;
}

/**
 * JSON.stringify(buildTable(...)) for stored objects, as UTF-8, made from pieces: a row whose times still
 * read the same is the JSON kept from the last request, and a new row's object is the stored JSON
 * (Object) or its metadata, serialised once. Preparing and serialising every row at each request took
 * most of a 1,000-pod Table's time (the rows' metadata carry kubectl's last-applied annotation).
 */
export function tableJson(items: readonly StoredObject[], meta: { resourceVersion?: string; continue?: string }, opts: TableOptions, alloc?: (size: number) => Buffer): Buffer {
  const printer = printerFor(opts.resource);
  const objectHead = `{"kind":"PartialObjectMetadata","apiVersion":"meta.k8s.io/${opts.version}","metadata":`;
  const rows: string[] = [];
  for (const item of items) {
    let memo = item.tableRow as RowMemo | undefined;
    if (memo?.printer !== printer) {
      memo = { printer, prepared: printer.row(item.object), json: '' };
      item.tableRow = memo;
    }
    const { cells, conditions } = memo.prepared;
    const times: string[] = [];
    for (const c of cells) if (c instanceof Since) times.push(c.render(opts.now));
    const key = `${opts.version}/${opts.includeObject}/${opts.served?.apiVersion ?? ''}\0${times.join('\0')}`;
    if (memo.key !== key) {
      let t = 0;
      let row = `{"cells":${JSON.stringify(cells.map((c) => (c instanceof Since ? times[t++] : c)))}`;
      if (conditions) row += `,"conditions":${JSON.stringify(conditions)}`;
      if (opts.includeObject === 'Object') row += `,"object":${opts.served ? JSON.stringify(opts.served.toServed(item.object)) : item.json}}`;
      else if (opts.includeObject === 'Metadata') row += `,"object":${objectHead}${JSON.stringify(item.object.metadata)}}}`;
      else row += '}';
      memo.key = key;
      memo.json = row;
    }
    rows.push(memo.json);
  }
  return spliceJson(JSON.stringify(buildTable([], meta, opts)).slice(0, -2), rows, alloc); // the head without the empty rows' "]}"
}

export function parseIncludeObject(v: string | null): IncludeObject {
  if (v === 'None' || v === 'Object') return v;
  return 'Metadata';
}
