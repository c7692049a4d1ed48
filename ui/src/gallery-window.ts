//! Virtual grid arithmetic: how many columns fit, which rows are visible, which pages to load. Only the
//! visible rows (plus a little overscan) ever exist in the DOM, whatever the total.

export interface GridLayout { cols: number; tile: number; rowHeight: number; gap: number }

export function gridLayout(width: number, minTile = 150, gap = 8): GridLayout {
  const cols = Math.max(1, Math.floor((width + gap) / (minTile + gap)));
  const tile = Math.floor((width - gap * (cols - 1)) / cols);
  return { cols, tile: Math.max(40, tile), rowHeight: Math.max(40, tile) + gap, gap };
}

export interface Range { firstRow: number; lastRow: number; first: number; last: number }

/** Visible item indexes [first, last] (inclusive) for a scroll position; empty when total is 0 (last < first). */
export function visibleRange(scrollTop: number, viewport: number, layout: GridLayout, total: number, overscan = 2): Range {
  const rows = Math.ceil(total / layout.cols);
  const firstRow = Math.max(0, Math.floor(scrollTop / layout.rowHeight) - overscan);
  const lastRow = Math.min(rows - 1, Math.ceil((scrollTop + viewport) / layout.rowHeight) + overscan);
  return { firstRow, lastRow, first: firstRow * layout.cols, last: Math.min(total - 1, (lastRow + 1) * layout.cols - 1) };
}

/** Page numbers (offset / pageSize) covering [first, last]. */
export function pagesFor(first: number, last: number, pageSize: number): number[] {
  if (last < first) return [];
  const out: number[] = [];
  for (let p = Math.floor(first / pageSize); p <= Math.floor(last / pageSize); p++) out.push(p);
  return out;
}

/** Keyboard movement in the grid: the next focused index for a key, or null when the key does not move. */
export function moveFocus(index: number, key: string, cols: number, total: number, pageRows = 4): number | null {
  const step: Record<string, number> = {
    ArrowLeft: -1, ArrowRight: 1, ArrowUp: -cols, ArrowDown: cols, PageUp: -cols * pageRows, PageDown: cols * pageRows,
  };
  if (key === "Home") return 0;
  if (key === "End") return Math.max(0, total - 1);
  if (!(key in step) || total === 0) return null;
  return Math.max(0, Math.min(total - 1, index + step[key]));
}
