// A port of Go's text/tabwriter cell alignment (without flags), which kubectl uses for both `get`
// tables (minwidth 6, padding 3) and `describe` (minwidth 0, padding 2). Cells end with '\t'; a
// column block is a run of adjacent lines that have a tab-terminated cell in that column, so a line
// without tabs separates blocks exactly as in kubectl's output.

export interface TabwriterOptions {
  minWidth: number;
  padding: number;
}

export function tabwrite(text: string, opts: TabwriterOptions): string {
  const lines = text.split('\n').map((l) => l.split('\t'));
  const widths: number[][] = lines.map(() => []);
  const format = (column: number, line0: number, line1: number, stack: number[]): void => {
    for (let i = line0; i < line1; i++) {
      if (column >= lines[i].length - 1) continue;
      let width = opts.minWidth;
      let j = i;
      for (; j < line1 && column < lines[j].length - 1; j++) {
        width = Math.max(width, lines[j][column].length + opts.padding);
      }
      const next = [...stack, width];
      for (let k = i; k < j; k++) widths[k] = next;
      format(column + 1, i, j, next);
      i = j - 1;
    }
  };
  format(0, 0, lines.length, []);
  return lines
    .map((cells, i) => cells.map((c, k) => (k < cells.length - 1 ? c.padEnd(widths[i][k] ?? 0) : c)).join(''))
    .join('\n');
}

/** kubectl get's tab writer settings. */
export const GET_TABWRITER: TabwriterOptions = { minWidth: 6, padding: 3 };
/** kubectl describe's tab writer settings. */
export const DESCRIBE_TABWRITER: TabwriterOptions = { minWidth: 0, padding: 2 };
