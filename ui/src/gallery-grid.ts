//! A virtualized image grid: the scroll height stands for every image in the store, but only the visible
//! rows (plus overscan) exist as elements, and only the pages under them are fetched (offset paging).
import type { ImageSummary } from "./api";
import { gridLayout, moveFocus, pagesFor, visibleRange, type GridLayout } from "./gallery-window";

export const PAGE_SIZE = 100;

export interface GridSource {
  /**
   * Fetches one page. `cursor` (the previous page's last row) is given when that page is loaded: keyset
   * paging, faster than an offset deep in the store.
   */
  fetch(offset: number, limit: number, cursor?: string): Promise<ImageSummary[] | null>;
  /** How many images match in all. Asked after the first page is shown: at 100k it is the slower half. */
  count(): Promise<number | null>;
  /** The total changed; `exact` is false while the count is still on its way. */
  onTotal?(total: number, exact: boolean): void;
  renderTile(item: ImageSummary | undefined, index: number, tile: HTMLElement): void;
  onActivate(index: number, item: ImageSummary): void;
  onSelectKey?(index: number, item: ImageSummary, e: KeyboardEvent): void;
}

export class VirtualGrid {
  readonly scroller: HTMLElement;
  private spacer: HTMLElement;
  private pages = new Map<number, ImageSummary[] | "loading">();
  private tiles = new Map<number, HTMLElement>();
  /** Tiles scrolled out of view, reused for the rows scrolling in (no element churn while flinging). */
  private pool: HTMLElement[] = [];
  private layout: GridLayout = { cols: 1, tile: 150, rowHeight: 158, gap: 8 };
  total = 0;
  /** False between a query's first page and its count. */
  exact = true;
  focused = 0;
  private generation = 0;
  private frame = 0;
  private loadTimer = 0;
  /** Pages kept in memory at most (the farthest from the view are dropped first). */
  static MAX_PAGES = 40;

  constructor(scroller: HTMLElement, private source: GridSource) {
    this.scroller = scroller;
    this.spacer = document.createElement("div");
    this.spacer.className = "grid-spacer";
    scroller.append(this.spacer);
    scroller.addEventListener("scroll", () => this.schedule(), { passive: true });
    new ResizeObserver(() => this.schedule()).observe(scroller);
    scroller.addEventListener("keydown", (e) => this.onKey(e));
    scroller.addEventListener("focusin", (e) => {
      const tile = (e.target as HTMLElement).closest<HTMLElement>(".tile");
      if (tile?.dataset.index) this.focused = Number(tile.dataset.index);
    });
  }

  item(index: number): ImageSummary | undefined {
    const p = this.pages.get(Math.floor(index / PAGE_SIZE));
    return Array.isArray(p) ? p[index % PAGE_SIZE] : undefined;
  }

  /** Starts over for a new query: drops every cached page and goes back to the top. */
  async reset(keepScroll = false) {
    const gen = ++this.generation;
    this.pages.clear();
    for (const t of [...this.tiles.values(), ...this.pool]) t.remove();
    this.tiles.clear();
    this.pool = [];
    if (!keepScroll) { this.scroller.scrollTop = 0; this.focused = 0; }
    const first = keepScroll ? Math.floor(this.scroller.scrollTop / this.layout.rowHeight) * this.layout.cols : 0;
    const page = Math.floor(first / PAGE_SIZE);
    this.pages.set(page, "loading");
    const items = await this.source.fetch(page * PAGE_SIZE, PAGE_SIZE);
    if (gen !== this.generation) return;
    if (!items) { this.pages.delete(page); this.setTotal(0, true); this.render(); return; }
    this.pages.set(page, items);
    // A short page ends the results, so the total is known; a full one shows at once and the count follows.
    // An empty page past the start is not an end: deletions may have moved the end before it.
    const seen = page * PAGE_SIZE + items.length;
    const known = items.length < PAGE_SIZE && (items.length > 0 || page === 0);
    // A refresh in place keeps showing the previous count until the new one arrives (no "Counting…" flicker).
    if (known || !keepScroll) this.setTotal(seen, known);
    else this.total = Math.max(seen, this.total);
    this.render();
    this.scroller.dataset.shown = String(gen);
    if (known) return;
    const n = await this.source.count();
    if (gen !== this.generation) return;
    this.setTotal(n ?? seen, true);
    this.render();
  }

  private setTotal(total: number, exact: boolean) {
    this.total = total;
    this.exact = exact;
    this.focused = Math.min(this.focused, Math.max(0, total - 1));
    this.source.onTotal?.(total, exact);
  }

  schedule() {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => { this.frame = 0; this.render(); });
  }

  private loadVisible() {
    const range = visibleRange(this.scroller.scrollTop, this.scroller.clientHeight, this.layout, this.total);
    const pages = pagesFor(range.first, range.last, PAGE_SIZE);
    pages.forEach((p) => this.ensure(p));
    this.evict(pages);
  }

  private evict(visible: number[]) {
    if (this.pages.size <= VirtualGrid.MAX_PAGES) return;
    const centre = visible[0] ?? 0;
    const far = [...this.pages.keys()].filter((p) => !visible.includes(p)).sort((a, b) => Math.abs(b - centre) - Math.abs(a - centre));
    for (const p of far.slice(0, this.pages.size - VirtualGrid.MAX_PAGES)) this.pages.delete(p);
  }

  private ensure(page: number) {
    if (this.pages.has(page)) return;
    const prev = this.pages.get(page - 1);
    const cursor = Array.isArray(prev) && prev.length === PAGE_SIZE ? prev[PAGE_SIZE - 1].cursor : undefined;
    this.pages.set(page, "loading");
    const gen = this.generation;
    void this.source.fetch(page * PAGE_SIZE, PAGE_SIZE, cursor).then((r) => {
      if (gen !== this.generation) return;
      if (!r) { this.pages.delete(page); return; }
      this.pages.set(page, r);
      this.render();
    });
  }

  render() {
    const t0 = performance.now();
    this.renderNow();
    const took = performance.now() - t0;
    // The last 240 render times, for the smoothness test (a bounded buffer; nothing else reads it).
    const times = ((window as unknown as { __gridRenderMs?: number[] }).__gridRenderMs ??= []);
    times.push(took);
    if (times.length > 240) times.shift();
  }

  private renderNow() {
    const width = this.scroller.clientWidth - 16;
    this.layout = gridLayout(Math.max(100, width), 150, 8);
    const { cols, tile, rowHeight } = this.layout;
    const rows = Math.ceil(this.total / cols);
    this.spacer.style.height = `${rows * rowHeight + 8}px`;
    const range = visibleRange(this.scroller.scrollTop, this.scroller.clientHeight, this.layout, this.total);
    // Pages load once scrolling pauses (a fling across the store fetches only where it lands); a page next to
    // what is already loaded loads at once.
    const wanted = pagesFor(range.first, range.last, PAGE_SIZE).filter((p) => !this.pages.has(p));
    if (wanted.length) {
      const near = wanted.every((p) => this.pages.has(p - 1) || this.pages.has(p + 1));
      window.clearTimeout(this.loadTimer);
      if (near) { wanted.forEach((p) => this.ensure(p)); this.evict(pagesFor(range.first, range.last, PAGE_SIZE)); }
      else this.loadTimer = window.setTimeout(() => this.loadVisible(), 60);
    }
    for (const [i, el] of this.tiles) if (i < range.first || i > range.last) { this.tiles.delete(i); this.pool.push(el); }
    for (let i = range.first; i <= range.last; i++) {
      let el = this.tiles.get(i);
      if (!el) {
        el = this.pool.pop();
        if (!el) {
          el = document.createElement("div");
          el.className = "tile";
          el.setAttribute("role", "option");
          el.addEventListener("click", (e) => this.onClick(e, Number((e.currentTarget as HTMLElement).dataset.index)));
          el.addEventListener("dblclick", (e) => {
            const idx = Number((e.currentTarget as HTMLElement).dataset.index);
            const it = this.item(idx);
            if (it) this.source.onActivate(idx, it);
          });
          this.spacer.append(el);
        }
        el.dataset.index = String(i);
        this.tiles.set(i, el);
      }
      const row = Math.floor(i / cols);
      const col = i % cols;
      el.style.transform = `translate(${8 + col * (tile + this.layout.gap)}px, ${8 + row * rowHeight}px)`;
      el.style.width = el.style.height = `${tile}px`;
      el.tabIndex = i === this.focused ? 0 : -1;
      el.hidden = false;
      const item = this.item(i);
      if (el.dataset.id !== (item?.id ?? "")) {
        el.dataset.id = item?.id ?? "";
        this.source.renderTile(item, i, el);
      }
    }
    for (const el of this.pool) {
      if (el.hidden) continue;
      el.hidden = true;
      delete el.dataset.index;
      el.dataset.id = "\u0000";
    }
  }

  /** Re-renders the tiles (selection, favourite marks) without refetching. */
  refreshTiles() {
    for (const [i, el] of this.tiles) this.source.renderTile(this.item(i), i, el);
  }

  private onClick(e: MouseEvent, index: number) {
    const item = this.item(index);
    this.focused = index;
    if (!item) return;
    this.render();
    if (e.ctrlKey || e.metaKey || e.shiftKey) this.source.onSelectKey?.(index, item, e as unknown as KeyboardEvent);
    else this.source.onActivate(index, item);
  }

  focusIndex(index: number) {
    this.focused = index;
    const { rowHeight, cols } = this.layout;
    const top = 8 + Math.floor(index / cols) * rowHeight;
    if (top < this.scroller.scrollTop) this.scroller.scrollTop = top - 8;
    else if (top + rowHeight > this.scroller.scrollTop + this.scroller.clientHeight) this.scroller.scrollTop = top + rowHeight - this.scroller.clientHeight;
    this.render();
    this.tiles.get(index)?.focus({ preventScroll: true });
  }

  private onKey(e: KeyboardEvent) {
    if ((e.target as HTMLElement).closest("input, select, textarea, button:not(.tile)")) return;
    const next = moveFocus(this.focused, e.key, this.layout.cols, this.total, Math.max(1, Math.floor(this.scroller.clientHeight / this.layout.rowHeight)));
    if (next !== null) {
      e.preventDefault();
      this.focusIndex(next);
      return;
    }
    const item = this.item(this.focused);
    if (!item) return;
    if (e.key === "Enter") { e.preventDefault(); this.source.onActivate(this.focused, item); }
    else if (e.key === " ") { e.preventDefault(); this.source.onSelectKey?.(this.focused, item, e); }
  }

  tileCount(): number {
    return this.tiles.size;
  }
}
