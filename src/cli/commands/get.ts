// `get TYPE[,TYPE...] [NAME...] | TYPE/NAME... [-n NS] [-A] [-o FORMAT] [-l SEL] [-w]`:
// asks the server for a Table per type and prints each aligned like kubectl (rows named
// `<kind>[.<group>]/NAME` when several types are asked, a blank line between them); yaml, json,
// name, jsonpath[-file|-as-json] and custom-columns[-file] print the objects: the one named, else a
// v1 List of them all (with -w, each object and then each event's object by itself, as kubectl).

import { readFileSync } from 'node:fs';
import { Document, Scalar, visit } from 'yaml';
import { KUBE_YAML } from '../../k8s/yaml-schema.js';
import type { KubeObject } from '../../k8s/types.js';
import { apiVersionOf, type ApiResource } from '../../k8s/registry.js';
import { ApiError, jsonLines, TABLE_ACCEPT } from '../client.js';
import { CliError, type CliContext } from '../context.js';
import { GET_OUTPUTS } from '../printable.js';
import { findResource, qualifiedKind, resourcePath } from '../resources.js';
import { formatRows, tableCells, type Table, type TableColumn } from '../printers/table.js';
import { JsonPath, JsonPathExecError, JsonPathParseError, compareGoStrings, goJson, goNumber, goQuote, jsonPathExecMessage } from '../printers/jsonpath.js';
import { formatCustomColumns, parseCustomColumns, parseCustomColumnsFile, type CustomColumn } from '../printers/custom-columns.js';

export interface GetOptions {
  allNamespaces?: boolean;
  output?: string;
  selector?: string;
  watch?: boolean;
  noHeaders?: boolean;
  /** kubectl's --allow-missing-template-keys (default true): false makes a jsonpath key not found an error. */
  allowMissingTemplateKeys?: boolean;
}


/** How the objects are printed, from -o. */
export type OutputFormat =
  | { kind: 'table'; wide: boolean }
  | { kind: 'yaml' | 'json' | 'name' }
  | { kind: 'jsonpath'; path: JsonPath; asJson: boolean }
  | { kind: 'custom-columns'; columns: CustomColumn[] };

function readTemplate(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const why = e.code === 'ENOENT' ? 'no such file or directory' : e.code === 'EACCES' ? 'permission denied' : e.code === 'EISDIR' ? 'is a directory' : e.message;
    throw new CliError(`error: error reading ${what} ${file}, open ${file}: ${why}`);
  }
}

/** -o's value as kubectl reads it (`jsonpath={.a}`: the format, then the template after the first `=`). */
export function parseOutputFormat(output: string, allowMissingTemplateKeys = true): OutputFormat {
  if (output === '' || output === 'wide') return { kind: 'table', wide: output === 'wide' };
  const lower = output.toLowerCase();
  if (lower === 'yaml' || lower === 'json' || lower === 'name') return { kind: lower };
  const eq = output.indexOf('=');
  const name = eq < 0 ? output : output.slice(0, eq);
  const arg = eq < 0 ? '' : output.slice(eq + 1);
  if (['go-template', 'go-template-file', 'template', 'templatefile'].includes(name)) {
    throw new CliError(`error: peapod does not print Go templates (-o ${name}); use -o jsonpath=TEMPLATE or -o custom-columns=SPEC instead (formats peapod prints: ${GET_OUTPUTS.join(',')})`);
  }
  if (name === 'jsonpath' || name === 'jsonpath-file' || name === 'jsonpath-as-json') {
    if (arg === '') throw new CliError('error: template format specified but no template given');
    const template = name === 'jsonpath-file' ? readTemplate(arg, '--template') : arg;
    try {
      const path = new JsonPath(template);
      path.allowMissingKeys = allowMissingTemplateKeys;
      return { kind: 'jsonpath', path, asJson: name === 'jsonpath-as-json' };
    } catch (err) {
      if (err instanceof JsonPathParseError) throw new CliError(`error: error parsing jsonpath ${template}, ${err.message}`);
      throw err;
    }
  }
  if (name === 'custom-columns' || name === 'custom-columns-file') {
    if (arg === '') throw new CliError('error: custom-columns format specified but no custom columns given');
    try {
      return { kind: 'custom-columns', columns: name === 'custom-columns' ? parseCustomColumns(arg) : parseCustomColumnsFile(readTemplate(arg, 'template')) };
    } catch (err) {
      if (err instanceof CliError) throw err;
      throw new CliError(`error: ${(err as Error).message}`);
    }
  }
  throw new CliError(`error: unable to match a printer suitable for the output format ${goQuote(output)}, allowed formats are: ${GET_OUTPUTS.join(',')}`);
}

/** What a printer carries from one call to the next (-w prints each object by itself). */
export interface PrintState {
  /** Objects printed so far (yaml puts `---` before every one after the first). */
  count: number;
  /** custom-columns: the header was printed. */
  header: boolean;
  /** custom-columns: column widths so far (kubectl's tabwriter remembers them). */
  widths: number[];
}

export interface PrintObjectsOptions {
  noHeaders?: boolean;
  typeOf?: (o: KubeObject) => ApiResource;
  /** Printing for -w: an error is kubectl's watch error ("unable to output the provided object"). */
  watch?: boolean;
}

/**
 * Writes objects in a non-table format: `value` is the object or List the printer is given, `items`
 * the objects in it. Throws kubectl's error when a template fails (custom-columns having written the
 * lines before the failing one, as kubectl's tabwriter flushes them).
 */
export function printObjects(fmt: Exclude<OutputFormat, { kind: 'table' }>, value: unknown, items: KubeObject[], st: PrintState, write: (text: string) => void, opts: PrintObjectsOptions = {}): void {
  try {
    write(objectsText(fmt, value, items, st, write, opts));
  } catch (err) {
    if (!(err instanceof JsonPathExecError || err instanceof JsonPathParseError)) throw err;
    const msg = fmt.kind === 'jsonpath' ? jsonPathExecMessage(fmt.path.template, err, value) : err.message;
    throw new CliError(opts.watch ? `error: unable to output the provided object: ${msg}` : `error: ${msg}`);
  }
}

function objectsText(fmt: Exclude<OutputFormat, { kind: 'table' }>, value: unknown, items: KubeObject[], st: PrintState, write: (text: string) => void, opts: PrintObjectsOptions): string {
  st.count++;
  switch (fmt.kind) {
    case 'name':
      return items.map((o) => `${opts.typeOf ? qualifiedKind(opts.typeOf(o)) : (o.kind ?? '').toLowerCase()}/${o.metadata.name}\n`).join('');
    case 'json':
      return `${goJson(omitManagedFields(value as KubeObject), '    ')}\n`;
    case 'yaml':
      return `${st.count > 1 ? '---\n' : ''}${kubectlYaml(omitManagedFields(value as KubeObject))}`;
    case 'jsonpath':
      return fmt.asJson ? fmt.path.executeAsJson(value) : fmt.path.execute(value);
    case 'custom-columns': {
      const header = !opts.noHeaders && !st.header;
      st.header = true;
      const text = formatCustomColumns(fmt.columns, items, { header, remembered: st.widths }, opts.watch ? undefined : (partial) => write(`${partial}\n`));
      return text === '' ? '' : `${text}\n`;
    }
  }
}

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

/**
 * YAML as kubectl writes it (go-yaml v2 through sigs.k8s.io/yaml): keys sorted, a list's dashes level
 * with its key, and a string quoted when go-yaml would read it back as something else, a timestamp
 * included (which peapod's reader, like go-yaml's into JSON, keeps a string).
 */
const GO_TIMESTAMP = /^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt ][0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}(?:\.[0-9]*)?(?:Z|[+-][0-9]{1,2}(?::[0-9]{2})?)?)?$/;
type YamlTags = Parameters<Extract<typeof KUBE_YAML.customTags, (...a: never[]) => unknown>>[0];
const KUBECTL_YAML = {
  ...KUBE_YAML,
  customTags: (tags: YamlTags): YamlTags => [
    // A float64 as Go's strconv writes it (1e-05, 1.0000005e+06); whole numbers stay ints.
    { tag: 'tag:yaml.org,2002:float', default: true, test: /^[-+]?(?:[0-9][0-9_]*)?\.[0-9_]*(?:[eE][-+][0-9]+)?$/, identify: (v: unknown) => typeof v === 'number' && Number.isFinite(v) && !Number.isInteger(v), resolve: (s: string) => Number(s), stringify: (n: { value: unknown }) => goNumber(n.value as number, true) },
    ...(KUBE_YAML.customTags as (t: YamlTags) => YamlTags)(tags),
    // Never read nor written as a timestamp: only so a string that looks like one is quoted.
    { tag: 'tag:yaml.org,2002:timestamp', default: true, test: GO_TIMESTAMP, identify: () => false, resolve: (s: string) => s },
  ],
  sortMapEntries: (a: { key: unknown }, b: { key: unknown }) => compareGoStrings(String((a.key as { value?: unknown })?.value ?? a.key), String((b.key as { value?: unknown })?.value ?? b.key)),
  indentSeq: false,
  lineWidth: 0,
  singleQuote: true,
};

/** A character go-yaml's emitter will not write in a plain or single-quoted scalar (a tab, a control). */
const GO_YAML_SPECIAL = /[\x00-\x09\x0b-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufeff\ufffe\uffff]/;

/**
 * A string YAML 1.1 reads as a base-60 number ("12:30" is 750 to PyYAML): go-yaml v2 double-quotes it (its
 * encoder's isBase60Float), so the value stays a string for every reader of kubectl's output.
 */
const GO_YAML_BASE60 = /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/;

/**
 * go-yaml folds a long scalar at the first space past column 80 (the yaml package, at the last one
 * before it); the continuation is indented two past its key (or its `- `). Block literals stay.
 */
function foldLikeGoYaml(text: string): string {
  const out: string[] = [];
  let literalIndent = -1;
  for (const line of text.split('\n')) {
    const indent = line.length - line.trimStart().length;
    if (literalIndent >= 0 && (indent >= literalIndent || line.trim() === '')) {
      out.push(line);
      continue;
    }
    literalIndent = -1;
    // (s: a value may hold U+2028 or U+2029, which `.` does not match without it)
    const m = /^( *(?:- )*)((?:"(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^ '"{[|>#-][^:]*?|-[^ :][^:]*?):(?: |$))?(.*)$/s.exec(line)!;
    const [, lead, key = '', value] = m;
    if (/^[|>][-+]?$/.test(value)) {
      literalIndent = indent + 1;
      out.push(line);
      continue;
    }
    if (line.length <= 80 || value === '' || '{['.includes(value[0])) {
      out.push(line);
      continue;
    }
    const quote = value[0] === "'" || value[0] === '"';
    const cont = ' '.repeat(key ? lead.length + 2 : lead.length);
    let cur = lead + key;
    let spaces = false;
    for (let i = 0; i < value.length; i++) {
      const c = value[i];
      if (c === ' ') {
        const inner = !quote || (i !== 1 && i !== value.length - 2);
        if (!spaces && cur.length > 80 && inner && value[i + 1] !== ' ') {
          out.push(cur);
          cur = cont;
        } else cur += c;
        spaces = true;
      } else {
        cur += c;
        spaces = false;
      }
    }
    out.push(cur);
  }
  return out.join('\n');
}

/**
 * go-yaml double-quotes a string that would read back as another type ("3600", "True", a timestamp)
 * or holds a character it does not write plainly, single-quotes one that only cannot be plain
 * (`a: [b]`), and folds long lines its own way.
 */
function kubectlYaml(value: unknown): string {
  const doc = new Document(value, KUBECTL_YAML);
  const other = doc.schema.tags.filter((t) => t.default && t.tag !== 'tag:yaml.org,2002:str' && t.test);
  visit(doc, {
    Scalar(_key, node: Scalar) {
      if (typeof node.value !== 'string') return;
      if (GO_YAML_SPECIAL.test(node.value) || GO_YAML_BASE60.test(node.value) || other.some((t) => (t.test as RegExp).test(node.value as string))) node.type = Scalar.QUOTE_DOUBLE;
      // go-yaml counts U+2028 and U+2029 as line breaks: never plain, single-quoted as they are.
      else if (/[\u2028\u2029]/.test(node.value)) node.type = Scalar.QUOTE_SINGLE;
    },
  });
  return foldLikeGoYaml(doc.toString(KUBECTL_YAML));
}

/** kubectl leaves metadata.managedFields out of yaml and json (without --show-managed-fields). */
function omitManagedFields(o: KubeObject): KubeObject {
  if (!o.metadata || !('managedFields' in o.metadata)) return o;
  const { managedFields: _omitted, ...metadata } = o.metadata as KubeObject['metadata'] & { managedFields?: unknown };
  void _omitted;
  return { ...o, metadata } as KubeObject;
}

/** yaml/json: the single object when one was named, else a v1 List of every object (each keeps its apiVersion). */
export function objectOutput(items: KubeObject[], single: boolean, format: string, typeOf?: (o: KubeObject) => ApiResource): string {
  if (format === 'name') {
    return items.map((o) => `${typeOf ? qualifiedKind(typeOf(o)) : (o.kind ?? '').toLowerCase()}/${o.metadata.name}`).join('\n');
  }
  const value = single ? omitManagedFields(items[0]) : listOf(items.map(omitManagedFields));
  // kubectl marshals the decoded object as Go does: keys sorted, `<>&` escaped.
  return format === 'json' ? goJson(value, '    ') : kubectlYaml(value).trimEnd();
}

/** The v1 List kubectl gives a printer when it has not exactly one named object. */
function listOf(items: KubeObject[]): KubeObject {
  return { apiVersion: 'v1', items, kind: 'List', metadata: { resourceVersion: '' } } as unknown as KubeObject;
}

type Body = KubeObject & { items?: KubeObject[]; rows?: unknown[] };

interface Fetched {
  req: GetRequest;
  ns: string | undefined;
  /** The list's (or the last object's) body per request made; objects not found are left out. */
  bodies: Body[];
}

export async function runGet(ctx: CliContext, args: string[], opts: GetOptions): Promise<void> {
  // `-o=name` reaches here as "=name" (commander keeps the `=` of a short option; kubectl's pflag does not).
  const fmt = parseOutputFormat((opts.output ?? '').replace(/^=/, ''), opts.allowMissingTemplateKeys ?? true);
  const reqs = parseGetArgs(args);
  if (opts.watch && reqs.length > 1) throw new CliError('error: you may only specify a single resource type');
  const api = await ctx.api();
  const tableMode = fmt.kind === 'table';
  const st: PrintState = { count: 0, header: false, widths: [] };
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
  let namespaceShown: boolean = false;
  if (tableMode) {
    for (const f of fetched) {
      const { r } = f.req;
      const tables = f.bodies.map((b) => (b.kind === 'Table' ? (b as unknown as Table) : fallbackTable(b)));
      if (tables.length === 0) continue;
      const table: Table = { ...tables[0], rows: tables.flatMap((t) => t.rows ?? []) };
      // With -A, kubectl's NAMESPACE column, once a namespaced type printed rows, stays for the types
      // after it, cluster-scoped ones included (blank there): its print flags only ever turn it on.
      const withNamespace: boolean = opts.allNamespaces === true && (r.namespaced || namespaceShown);
      const cells = tableCells(table, { wide: fmt.kind === 'table' && fmt.wide, withNamespace, namePrefix: withKind ? `${qualifiedKind(r)}/` : undefined });
      header = cells.header;
      if (cells.rows.length === 0) continue;
      namespaceShown ||= withNamespace;
      if (wrote && !opts.noHeaders) ctx.out('');
      ctx.out(formatRows(opts.noHeaders ? undefined : header, cells.rows, opts.watch ? st.widths : undefined));
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
    // kubectl prints an empty List (yaml, json, jsonpath; custom-columns its header), nothing for
    // name, and never "No resources found". With -w it prints each object by itself.
    const typeFn = (o: KubeObject) => typeOf.get(o)!;
    const write = (text: string) => ctx.io.stdout(text);
    const p = fmt as Exclude<OutputFormat, { kind: 'table' }>;
    if (opts.watch) {
      // Each object by itself; custom-columns' rows of the listing are aligned together, as kubectl
      // flushes its tabwriter once after them.
      if (p.kind === 'custom-columns') {
        if (items.length) printObjects(p, undefined, items, st, write, { noHeaders: opts.noHeaders, watch: true });
      } else for (const o of items) printObjects(p, o, [o], st, write, { noHeaders: opts.noHeaders, typeOf: typeFn, watch: true });
    } else if (p.kind === 'yaml' || p.kind === 'json') {
      ctx.out(objectOutput(items, single, p.kind));
    } else {
      const value = single ? items[0] : listOf(items);
      printObjects(p, value, items, st, write, { noHeaders: opts.noHeaders, typeOf: typeFn });
    }
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
    // The header goes with the first event when the listing printed none.
    await watch(ctx, f.req.r, f.ns, names[0], opts, { fmt, header: wrote ? header : undefined, withNamespace: f.req.r.namespaced && opts.allNamespaces === true, resourceVersion, print: st });
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
  fmt: OutputFormat;
  /** The Table columns of the first event (later events come without them). */
  columns?: TableColumn[];
  print: PrintState;
  header?: string[];
  withNamespace: boolean;
  resourceVersion: string;
}

async function watch(ctx: CliContext, r: ApiResource, ns: string | undefined, name: string | undefined, opts: GetOptions, st: WatchState): Promise<void> {
  const api = await ctx.api();
  const fmt = st.fmt;
  const query = {
    watch: 'true',
    resourceVersion: st.resourceVersion,
    labelSelector: opts.selector || undefined,
    fieldSelector: name ? `metadata.name=${name}` : undefined,
  };
  const stream = await api.stream('GET', resourcePath(r, ns), { query, accept: fmt.kind === 'table' ? TABLE_ACCEPT : undefined });
  for await (const ev of jsonLines<{ type: string; object: KubeObject }>(stream)) {
    if (ev.type === 'ERROR') throw new CliError(`error: watch: ${(ev.object as { message?: string }).message ?? 'failed'}`);
    if (ev.type === 'BOOKMARK') continue;
    if (fmt.kind === 'table') {
      let table = ev.object.kind === 'Table' ? (ev.object as unknown as Table) : fallbackTable(ev.object);
      // As kube-apiserver, the server sends the column definitions with the first event only.
      if (table.columnDefinitions?.length) st.columns = table.columnDefinitions;
      else table = { ...table, columnDefinitions: st.columns ?? [] };
      const cells = tableCells(table, { wide: fmt.wide, withNamespace: st.withNamespace });
      const withHeader = !st.header && !opts.noHeaders;
      st.header ??= cells.header;
      // kubectl's tabwriter remembers each column's widest cell, so rows line up with what came before.
      ctx.out(formatRows(withHeader ? st.header : undefined, cells.rows, st.print.widths));
    } else {
      const o = withType(r, ev.object);
      printObjects(fmt, o, [o], st.print, (text) => ctx.io.stdout(text), { noHeaders: opts.noHeaders, typeOf: () => r, watch: true });
    }
  }
}
