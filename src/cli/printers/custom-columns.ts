// kubectl's -o custom-columns=HEADER:PATH,... and -o custom-columns-file=FILE (a line of headers, a
// line of paths): one row per object, each cell the values its JSONPath finds (Go's %v, joined by a
// comma; `<none>` when it finds none), aligned by get's tabwriter. Paths may come as kubectl accepts
// them: `metadata.name`, `.metadata.name`, `{metadata.name}` or `{.metadata.name}`.

import { goSprint, JsonPath, JsonPathParseError } from './jsonpath.js';
import { GET_TABWRITER, tabwrite } from './tabwriter.js';

export interface CustomColumn {
  header: string;
  /** The full template (`{.metadata.name}`). */
  template: string;
  /** The parsed template, or why it does not parse (kubectl says so only once it printed the header). */
  path: JsonPath | JsonPathParseError;
}

/** kubectl's RelaxedJSONPathExpression: the path as a `{.a.b}` template. */
export function relaxedJsonPath(expr: string): string {
  if (expr === '') return expr;
  const m = /^\{\.?([^{}]+)\}$|^\.?([^{}]+)$/.exec(expr);
  if (!m) throw new Error("unexpected path string, expected a 'name1.name2' or '.name1.name2' or '{name1.name2}' or '{.name1.name2}'");
  return `{.${m[1] || m[2]}}`;
}

function column(header: string, expr: string): CustomColumn {
  const template = relaxedJsonPath(expr);
  try {
    return { header, template, path: new JsonPath(template) };
  } catch (err) {
    if (err instanceof JsonPathParseError) return { header, template, path: err };
    throw err;
  }
}

/** The columns of `custom-columns=NAME:.metadata.name,IP:.status.podIP`. */
export function parseCustomColumns(spec: string): CustomColumn[] {
  if (spec === '') throw new Error('custom-columns format specified but no custom columns given');
  return spec.split(',').map((part) => {
    const i = part.indexOf(':');
    if (i < 0) throw new Error(`unexpected custom-columns spec: ${part}, expected <header>:<json-path-expr>`);
    return column(part.slice(0, i), part.slice(i + 1));
  });
}

/** The columns of a custom-columns file: the first line's words are the headers, the second's the paths. */
export function parseCustomColumnsFile(text: string): CustomColumn[] {
  const lines = text.split('\n').map((l) => l.replace(/\r$/, ''));
  const words = (l: string) => l.split(/[\t\n\v\f\r \u0085\u00a0]+/).filter((w) => w !== '');
  const fmt = 'Expected format is one line of space separated headers, one line of space separated column specs.';
  if (text === '') throw new Error(`invalid template, missing header line. ${fmt}`);
  if (lines.length < 2 || (lines.length === 2 && lines[1] === '')) throw new Error(`invalid template, missing spec line. ${fmt}`);
  const headers = words(lines[0]);
  const specs = words(lines[1]);
  if (headers.length !== specs.length) throw new Error(`number of headers (${headers.length}) and field specifications (${specs.length}) don't match`);
  return headers.map((h, i) => column(h, specs[i]));
}

/** kubectl's EscapeTerminal: an escape or carriage return in a value cannot drive the terminal. */
function escapeTerminal(s: string): string {
  return s.replaceAll('\x1b', '^[').replaceAll('\r', '\\r');
}

/** One object's cells. */
export function customColumnCells(columns: CustomColumn[], obj: unknown): string[] {
  return columns.map((c) => {
    if (c.path instanceof JsonPathParseError) throw c.path;
    const results = c.path.findResults(obj);
    const values: string[] = [];
    if (results.length === 0 || results[0].length === 0) values.push('<none>');
    for (const r of results) for (const v of r) values.push(escapeTerminal(goSprint(v)));
    return values.join(',');
  });
}

/**
 * The aligned lines (no trailing newline) for these objects: the header first unless noHeaders or
 * already printed; `remembered` keeps the widths across calls, as kubectl's watch does. When a path
 * fails on an object, `partial` gets the lines before it (kubectl prints them) and the error is thrown.
 */
export function formatCustomColumns(columns: CustomColumn[], objs: unknown[], opts: { header: boolean; remembered?: number[] }, partial?: (text: string) => void): string {
  const rows: string[][] = opts.header ? [columns.map((c) => c.header)] : [];
  const text = () => tabwrite(rows.map((r) => r.join('\t')).join('\n'), GET_TABWRITER, opts.remembered);
  for (const o of objs) {
    try {
      rows.push(customColumnCells(columns, o));
    } catch (err) {
      if (partial && rows.length > 0) partial(text());
      throw err;
    }
  }
  return text();
}
