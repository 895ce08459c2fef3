// Number formatting and table layout for the bench's console output and BENCHMARKS.md. Pure.

/** A value for display: "—" when not measured, else precision by size (ms and MB keep one decimal below 10). */
export function formatValue(v: number | undefined, unit: string): string {
  if (v === undefined || !Number.isFinite(v)) return '—';
  if (unit === '' && Number.isInteger(v)) return String(v);
  const digits = Math.abs(v) >= 100 ? 0 : Math.abs(v) >= 10 ? 1 : 2;
  const s = v.toFixed(unit === 'ms' && Math.abs(v) >= 10 ? 0 : digits);
  return unit ? `${s} ${unit}` : s;
}

/** A ratio like "3.2×" (`digits` decimals when given); "—" when either side is missing. */
export function formatRatio(r: number | undefined, digits?: number): string {
  return r === undefined || !Number.isFinite(r) ? '—' : `${r.toFixed(digits ?? (r >= 10 ? 0 : r >= 1 ? 1 : 2))}×`;
}

/** Plain-text table: columns padded to their widest cell, numbers (all but the first column) right-aligned. */
export function renderTextTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** GitHub-flavoured Markdown table; pipes inside cells are escaped. */
export function renderMarkdownTable(header: string[], rows: string[][]): string {
  const esc = (c: string) => c.replace(/\|/g, '\\|');
  const line = (cells: string[]) => `| ${cells.map(esc).join(' | ')} |`;
  const align = header.map((_, i) => (i === 0 ? '---' : '---:'));
  return [line(header), `|${align.join('|')}|`, ...rows.map(line)].join('\n');
}
