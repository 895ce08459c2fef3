// `get TYPE [NAME] [-n NS] [-A] [-o wide|yaml|json|name] [-l SEL] [-w]`: asks the server for a Table
// and prints it aligned like kubectl; yaml/json/name print the objects.

import { stringify as toYaml } from 'yaml';
import type { KubeObject } from '../../k8s/types.js';
import type { ApiResource } from '../../k8s/registry.js';
import { jsonLines, TABLE_ACCEPT } from '../client.js';
import { CliError, type CliContext } from '../context.js';
import { findResource, resourcePath } from '../resources.js';
import { formatRows, tableCells, type Table } from '../printers/table.js';

export interface GetOptions {
  allNamespaces?: boolean;
  output?: string;
  selector?: string;
  watch?: boolean;
  noHeaders?: boolean;
}

const OUTPUTS = ['', 'wide', 'yaml', 'json', 'name'];

function objectOutput(r: ApiResource, objs: KubeObject[], single: boolean, format: string): string {
  const items = objs.map((o) => ({ ...o, apiVersion: o.apiVersion ?? 'v1', kind: o.kind ?? r.kind }));
  if (format === 'name') return items.map((o) => `${r.singularName}/${o.metadata.name}`).join('\n');
  const value = single ? items[0] : { apiVersion: 'v1', items, kind: 'List', metadata: { resourceVersion: '' } };
  return format === 'json' ? JSON.stringify(value, null, 4) : toYaml(value).trimEnd();
}

export async function runGet(ctx: CliContext, type: string, name: string | undefined, opts: GetOptions): Promise<void> {
  const format = opts.output ?? '';
  if (!OUTPUTS.includes(format)) throw new CliError(`error: unable to match a printer suitable for the output format "${format}", allowed formats are: json,name,wide,yaml`);
  const r = findResource(type);
  const api = await ctx.api();
  const ns = r.namespaced && !opts.allNamespaces ? await ctx.namespace() : undefined;
  const withNamespace = r.namespaced && opts.allNamespaces === true;
  const path = resourcePath(r, ns, name);
  const query = { labelSelector: opts.selector || undefined, limit: name ? undefined : 500 };
  const tableMode = format === '' || format === 'wide';
  const body = await api.json<KubeObject & { items?: KubeObject[]; rows?: unknown[] }>('GET', path, { query, accept: tableMode ? TABLE_ACCEPT : undefined });
  let header: string[] | undefined;
  let resourceVersion = body.metadata?.resourceVersion;
  if (tableMode) {
    const table: Table = body.kind === 'Table' ? (body as unknown as Table) : fallbackTable(body);
    const cells = tableCells(table, { wide: format === 'wide', withNamespace });
    header = cells.header;
    if (cells.rows.length === 0 && !opts.watch) return noResources(ctx, ns);
    if (cells.rows.length > 0) ctx.out(formatRows(opts.noHeaders ? undefined : header, cells.rows));
  } else {
    const objs = name ? [body] : (body.items ?? []);
    if (objs.length === 0 && !opts.watch) return noResources(ctx, ns);
    if (objs.length) ctx.out(objectOutput(r, objs, name !== undefined, format));
  }
  if (opts.watch) await watch(ctx, r, ns, name, opts, { format, header, withNamespace, resourceVersion: resourceVersion ?? '0' });
}

function noResources(ctx: CliContext, ns: string | undefined): void {
  ctx.err(ns === undefined ? 'No resources found' : `No resources found in ${ns} namespace.`);
}

/** NAME and AGE only, as kubectl prints without a server-side Table. */
function fallbackTable(body: KubeObject & { items?: KubeObject[] }): Table {
  const items = body.items ?? [body];
  return {
    kind: 'Table',
    columnDefinitions: [{ name: 'Name' }, { name: 'Created At' }],
    rows: items.map((o) => ({ cells: [o.metadata.name, o.metadata.creationTimestamp], object: { metadata: o.metadata } })),
  };
}

interface WatchState {
  format: string;
  header?: string[];
  withNamespace: boolean;
  resourceVersion: string;
}

async function watch(ctx: CliContext, r: ApiResource, ns: string | undefined, name: string | undefined, opts: GetOptions, st: WatchState): Promise<void> {
  const api = await ctx.api();
  const tableMode = st.format === '' || st.format === 'wide';
  const query = {
    watch: 'true',
    resourceVersion: st.resourceVersion,
    labelSelector: opts.selector || undefined,
    fieldSelector: name ? `metadata.name=${name}` : undefined,
  };
  const stream = await api.stream('GET', resourcePath(r, ns), { query, accept: tableMode ? TABLE_ACCEPT : undefined });
  for await (const ev of jsonLines<{ type: string; object: KubeObject }>(stream)) {
    if (ev.type === 'ERROR') throw new CliError(`error: watch: ${(ev.object as { message?: string }).message ?? 'failed'}`);
    if (ev.type === 'BOOKMARK') continue;
    if (tableMode) {
      const table = ev.object.kind === 'Table' ? (ev.object as unknown as Table) : fallbackTable(ev.object);
      const cells = tableCells(table, { wide: st.format === 'wide', withNamespace: st.withNamespace });
      const withHeader = !st.header && !opts.noHeaders;
      st.header ??= cells.header;
      // Align to the header's widths so watch rows line up with what was printed first.
      const lines = formatRows(st.header, cells.rows).split('\n');
      ctx.out((withHeader ? lines : lines.slice(1)).join('\n'));
    } else {
      ctx.out((st.format === 'json' ? '' : '---\n') + objectOutput(r, [ev.object], true, st.format));
    }
  }
}
