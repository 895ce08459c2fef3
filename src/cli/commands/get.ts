// `get TYPE[,TYPE...] [NAME...] | TYPE/NAME... [-n NS] [-A] [-o wide|yaml|json|name] [-l SEL] [-w]`:
// asks the server for a Table per type and prints each aligned like kubectl (rows named
// `<kind>[.<group>]/NAME` when several types are asked, a blank line between them); yaml/json/name
// print the objects.

import { stringify as toYaml } from 'yaml';
import { KUBE_YAML } from '../../k8s/yaml-schema.js';
import type { KubeObject } from '../../k8s/types.js';
import { apiVersionOf, type ApiResource } from '../../k8s/registry.js';
import { ApiError, jsonLines, TABLE_ACCEPT } from '../client.js';
import { CliError, type CliContext } from '../context.js';
import { findResource, qualifiedKind, resourcePath } from '../resources.js';
import { formatRows, tableCells, type Table } from '../printers/table.js';

export interface GetOptions {
  allNamespaces?: boolean;
  output?: string;
  selector?: string;
  watch?: boolean;
  noHeaders?: boolean;
}

const OUTPUTS = ['', 'wide', 'yaml', 'json', 'name'];

/** One resource type of the command line and the names asked of it (none: list them all). */
export interface GetRequest {
  r: ApiResource;
  names: string[];
}

/** `pv,pvc [NAME...]` or `pv/a pvc/b`, as kubectl's ResourceTypeOrNameArgs reads them. */
export function parseGetArgs(args: string[]): GetRequest[] {
  if (args.length === 0) throw new CliError('error: you must specify the type of resource to get');
  const out: GetRequest[] = [];
  const add = (r: ApiResource, name?: string) => {
    let req = out.find((q) => q.r === r);
    if (!req) out.push((req = { r, names: [] }));
    if (name !== undefined && !req.names.includes(name)) req.names.push(name);
  };
  if (args[0].includes('/')) {
    for (const a of args) {
      const i = a.indexOf('/');
      if (i <= 0 || i === a.length - 1) throw new CliError('error: arguments in resource/name form must have a single resource and name');
      add(findResource(a.slice(0, i)), a.slice(i + 1));
    }
    return out;
  }
  const [types, ...names] = args;
  if (names.some((n) => n.includes('/'))) {
    throw new CliError("error: there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. 'peapod get resource/<resource_name>' instead of 'peapod get resource resource/<resource_name>'");
  }
  for (const t of types.split(',')) {
    if (t === '') continue;
    const r = findResource(t);
    add(r);
    for (const n of names) add(r, n);
  }
  if (out.length === 0) throw new CliError('error: you must specify the type of resource to get');
  return out;
}

/** The object with apiVersion and kind first (list items may come without them). */
function withType(r: ApiResource, o: KubeObject): KubeObject {
  const { apiVersion, kind, ...rest } = o;
  return { apiVersion: apiVersion || apiVersionOf(r), kind: kind || r.kind, ...rest } as KubeObject;
}

/** yaml/json: the single object when one was named, else a v1 List of every object (each keeps its apiVersion). */
export function objectOutput(items: KubeObject[], single: boolean, format: string, typeOf?: (o: KubeObject) => ApiResource): string {
  if (format === 'name') {
    return items.map((o) => `${typeOf ? qualifiedKind(typeOf(o)) : (o.kind ?? '').toLowerCase()}/${o.metadata.name}`).join('\n');
  }
  const value = single ? items[0] : { apiVersion: 'v1', items, kind: 'List', metadata: { resourceVersion: '' } };
  return format === 'json' ? JSON.stringify(value, null, 4) : toYaml(value, KUBE_YAML).trimEnd();
}

type Body = KubeObject & { items?: KubeObject[]; rows?: unknown[] };

interface Fetched {
  req: GetRequest;
  ns: string | undefined;
  /** The list's (or the last object's) body per request made; objects not found are left out. */
  bodies: Body[];
}

export async function runGet(ctx: CliContext, args: string[], opts: GetOptions): Promise<void> {
  const format = opts.output ?? '';
  if (!OUTPUTS.includes(format)) throw new CliError(`error: unable to match a printer suitable for the output format "${format}", allowed formats are: json,name,wide,yaml`);
  const reqs = parseGetArgs(args);
  if (opts.watch && reqs.length > 1) throw new CliError('error: you may only specify a single resource type');
  const api = await ctx.api();
  const tableMode = format === '' || format === 'wide';
  const errors: string[] = [];
  const fetched: Fetched[] = [];
  for (const req of reqs) {
    const { r } = req;
    const ns = r.namespaced && !opts.allNamespaces ? await ctx.namespace() : undefined;
    const f: Fetched = { req, ns, bodies: [] };
    fetched.push(f);
    const get = async (name?: string) => {
      try {
        const query = { labelSelector: opts.selector || undefined, limit: name ? undefined : 500 };
        f.bodies.push(await api.json<Body>('GET', resourcePath(r, ns, name), { query, accept: tableMode ? TABLE_ACCEPT : undefined }));
      } catch (err) {
        if (!(err instanceof ApiError) || (reqs.length === 1 && req.names.length <= 1)) throw err;
        errors.push(err.message);
      }
    };
    if (req.names.length === 0) await get();
    for (const name of req.names) await get(name);
  }
  const single = reqs.length === 1 && reqs[0].names.length === 1;
  const withKind = reqs.length > 1;
  let wrote = false;
  let header: string[] | undefined;
  if (tableMode) {
    for (const f of fetched) {
      const { r } = f.req;
      const tables = f.bodies.map((b) => (b.kind === 'Table' ? (b as unknown as Table) : fallbackTable(b)));
      if (tables.length === 0) continue;
      const table: Table = { ...tables[0], rows: tables.flatMap((t) => t.rows) };
      const cells = tableCells(table, { wide: format === 'wide', withNamespace: r.namespaced && opts.allNamespaces === true, namePrefix: withKind ? `${qualifiedKind(r)}/` : undefined });
      header = cells.header;
      if (cells.rows.length === 0) continue;
      if (wrote && !opts.noHeaders) ctx.out('');
      ctx.out(formatRows(opts.noHeaders ? undefined : header, cells.rows));
      wrote = true;
    }
  } else {
    const typeOf = new Map<KubeObject, ApiResource>();
    const items: KubeObject[] = [];
    for (const f of fetched) {
      for (const b of f.bodies) {
        for (const o of b.items ?? (f.req.names.length ? [b] : [])) {
          const item = withType(f.req.r, o);
          typeOf.set(item, f.req.r);
          items.push(item);
        }
      }
    }
    // kubectl prints an empty List for yaml/json, nothing for name, and never "No resources found".
    if (items.length || format !== 'name') ctx.out(objectOutput(items, single, format, (o) => typeOf.get(o)!));
    wrote = true;
  }
  for (const e of errors) ctx.err(e);
  if (!wrote && errors.length === 0 && !opts.watch) noResources(ctx, fetched);
  if (errors.length) throw new CliError('', 1);
  if (opts.watch) {
    const f = fetched[0];
    const names = f.req.names;
    if (names.length > 1) throw new CliError('error: watch is only supported on individual resources and resource collections - more than 1 resource was found');
    const resourceVersion = f.bodies[0]?.metadata?.resourceVersion ?? '0';
    await watch(ctx, f.req.r, f.ns, names[0], opts, { format, header, withNamespace: f.req.r.namespaced && opts.allNamespaces === true, resourceVersion });
  }
}

/** kubectl names the namespace only when every type asked is namespaced and -A was not given. */
function noResources(ctx: CliContext, fetched: Fetched[]): void {
  const ns = fetched.every((f) => f.ns !== undefined) ? fetched[0]?.ns : undefined;
  ctx.err(ns === undefined ? 'No resources found' : `No resources found in ${ns} namespace.`);
}

/** NAME and AGE only, as kubectl prints without a server-side Table. */
function fallbackTable(body: KubeObject & { items?: KubeObject[] }): Table {
  const items = body.items ?? [body];
  return {
    kind: 'Table',
    columnDefinitions: [{ name: 'Name', format: 'name' }, { name: 'Created At' }],
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
      ctx.out((st.format === 'json' ? '' : '---\n') + objectOutput([withType(r, ev.object)], true, st.format, () => r));
    }
  }
}
