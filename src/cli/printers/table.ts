// Printing a server-side meta.k8s.io/v1 Table the way kubectl does: upper-case headers, priority>0
// columns only with -o wide, a NAMESPACE column first with -A, cells aligned by the get tabwriter.

import { GET_TABWRITER, tabwrite } from './tabwriter.js';

export interface TableColumn {
  name: string;
  type?: string;
  format?: string;
  description?: string;
  priority?: number;
}

export interface TableRow {
  cells: unknown[];
  object?: { metadata?: { name?: string; namespace?: string } };
  conditions?: unknown[];
}

export interface Table {
  kind: 'Table';
  apiVersion?: string;
  metadata?: { resourceVersion?: string; continue?: string };
  columnDefinitions: TableColumn[];
  rows: TableRow[];
}

export interface TablePrintOptions {
  wide: boolean;
  withNamespace: boolean;
  noHeaders?: boolean;
  /** Put before each row's name (`persistentvolume/`), as kubectl does when several types are listed. */
  namePrefix?: string;
}

/**
 * A cell as kubectl's table printer writes it: a string only up to its first line break (then
 * `...`), and an escape character as `^[`, so what a pod or an event says cannot drive the terminal.
 */
function cellText(v: unknown): string {
  if (v === null || v === undefined) return '<none>';
  if (typeof v === 'object') return JSON.stringify(v);
  let text = String(v);
  const cut = text.search(/[\f\n\r]/);
  if (typeof v === 'string' && cut >= 0) text = `${text.slice(0, cut)}...`;
  return text.replaceAll('\x1b', '^[').replaceAll('\r', '\\r');
}

/** The header cells and the row cells for the columns to show. */
export function tableCells(table: Table, opts: TablePrintOptions): { header: string[]; rows: string[][] } {
  const keep = table.columnDefinitions.map((c, i) => ({ c, i })).filter(({ c }) => opts.wide || !c.priority);
  const header = keep.map(({ c }) => c.name.toUpperCase());
  const rows = (table.rows ?? []).map((r) => keep.map(({ i }) => cellText(r.cells[i])));
  if (opts.namePrefix) {
    const k = Math.max(0, keep.findIndex(({ c }) => c.format === 'name' || c.name === 'Name'));
    for (const row of rows) if (row.length > k) row[k] = opts.namePrefix + row[k];
  }
  if (opts.withNamespace) {
    header.unshift('NAMESPACE');
    (table.rows ?? []).forEach((r, k) => rows[k].unshift(r.object?.metadata?.namespace ?? ''));
  }
  return { header, rows };
}

/**
 * Aligned lines (no trailing newline), header first unless noHeaders. `remembered`: the column widths
 * of earlier calls (kubectl get -w's tabwriter), kept up to date.
 */
export function formatRows(header: string[] | undefined, rows: string[][], remembered?: number[]): string {
  const all = header ? [header, ...rows] : rows;
  return tabwrite(all.map((cells) => cells.join('\t')).join('\n'), GET_TABWRITER, remembered);
}

export function formatTable(table: Table, opts: TablePrintOptions): string {
  const { header, rows } = tableCells(table, opts);
  return formatRows(opts.noHeaders ? undefined : header, rows);
}
