// A port of Go's text/tabwriter cell alignment (without flags), which kubectl uses for both `get`
// tables (minwidth 6, padding 3) and `describe` (minwidth 0, padding 2). Cells end with '\t'; a
// column block is a run of adjacent lines that have a tab-terminated cell in that column, so a line
// without tabs separates blocks exactly as in kubectl's output.

export interface TabwriterOptions {
  minWidth: number;
  padding: number;
}

/**
 * Aligns the text. With `remembered` (kubectl's RememberWidths, which its get -w uses), a column is
 * never narrower than that column was in an earlier call with the same array, which this call updates.
 */
/** Go's tabwriter counts a cell's width in UTF-8 characters (runes). */
const runes = (s: string): number => [...s].length;

export function tabwrite(text: string, opts: TabwriterOptions, remembered?: number[]): string {
  const lines = text.split('\n').map((l) => l.split('\t'));
  const widths: number[][] = lines.map(() => []);
  const format = (column: number, line0: number, line1: number, stack: number[]): void => {
    for (let i = line0; i < line1; i++) {
      if (column >= lines[i].length - 1) continue;
      let width = opts.minWidth;
      let j = i;
      for (; j < line1 && column < lines[j].length - 1; j++) {
        width = Math.max(width, runes(lines[j][column]) + opts.padding);
      }
      if (remembered) {
        width = Math.max(width, remembered[column] ?? 0);
        remembered[column] = width;
      }
      const next = [...stack, width];
      for (let k = i; k < j; k++) widths[k] = next;
      format(column + 1, i, j, next);
      i = j - 1;
    }
  };
  format(0, 0, lines.length, []);
  return lines
    .map((cells, i) => cells.map((c, k) => (k < cells.length - 1 ? c + ' '.repeat(Math.max(0, (widths[i][k] ?? 0) - runes(c))) : c)).join(''))
    .join('\n');
}

/** kubectl get's tab writer settings. */
export const GET_TABWRITER: TabwriterOptions = { minWidth: 6, padding: 3 };
/** kubectl describe's tab writer settings. */
export const DESCRIBE_TABWRITER: TabwriterOptions = { minWidth: 0, padding: 2 };
