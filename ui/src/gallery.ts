//! The gallery view: search as you type, filters (model, date, favourite, chat, grounding), sort, the
//! virtualized grid over the whole store, multi-select trash / restore / delete / export, and a detail panel
//! with each image's full provenance, from which it can be reused or its chat continued.
import { call, commands, imageUrl, type ImageDetail, type ImageSummary } from "./api";
import { button, byId, h, iconButton, toast, fill } from "./dom";
import { formatBytes, formatCount, formatDate } from "./format";
import { modelName } from "./params-logic";
import { emptyFilters, toQuery, type Filters } from "./gallery-query";
import { VirtualGrid } from "./gallery-grid";
import { parseGrounding } from "./grounding-logic";
import { renderGrounding } from "./grounding";
import { renderMarkdown } from "./markdown";
import { costLine, continueChat, exportForm, newChatFromImage, reveal, reuse, showResult, useAsReference } from "./result-view";
import { emit, on, state } from "./store";

const filters: Filters = emptyFilters();
const selected = new Set<string>();
// Set by initGallery(); undefined until start-up has run it.
let grid: VirtualGrid;
let detailId: string | null = null;
let searchTimer: number | undefined;
let loaded = false;

function renderTile(item: ImageSummary | undefined, _index: number, tile: HTMLElement) {
  if (!item) {
    tile.replaceChildren(h("div", { class: "tile-placeholder" }));
    tile.setAttribute("aria-label", "Loading");
    tile.removeAttribute("aria-selected");
    return;
  }
  tile.classList.toggle("selected", selected.has(item.id));
  tile.classList.toggle("open", item.id === detailId);
  tile.setAttribute("aria-selected", String(selected.has(item.id)));
  tile.setAttribute("aria-label", `${item.prompt || "Untitled"} · ${modelName(item.model, state.caps, state.retired)} · ${formatDate(item.created_at)}${item.favourite ? " · favourite" : ""}`);
  const box = h("input", { class: "tile-check", attrs: { type: "checkbox", "aria-label": "Select", tabindex: "-1" } });
  box.checked = selected.has(item.id);
  box.addEventListener("click", (e) => { e.stopPropagation(); toggleSelect(item.id); });
  fill(tile,
    h("img", { attrs: { src: imageUrl("thumb", item.id), alt: "", loading: "lazy", draggable: "false" } }),
    box,
    item.favourite ? h("span", { class: "tile-fav", text: "★", attrs: { "aria-hidden": "true" } }) : null,
    item.has_grounding ? h("span", { class: "tile-badge", text: "G", title: "Grounded with Google Search", attrs: { "aria-hidden": "true" } }) : null,
  );
}

function toggleSelect(id: string) {
  if (selected.has(id)) selected.delete(id); else selected.add(id);
  grid.refreshTiles();
  renderSelection();
}

function renderSelection() {
  const bar = byId("gallery-selection");
  const n = selected.size;
  bar.hidden = n === 0;
  if (!n) { bar.replaceChildren(); return; }
  const ids = () => [...selected];
  bar.replaceChildren(
    h("strong", { text: `${n} selected` }),
    filters.trash
      ? button("Restore", () => void bulk("restore", ids()), { class: "secondary small-btn", attrs: { id: "bulk-restore" } })
      : button("Move to trash", () => void bulk("trash", ids()), { class: "secondary small-btn", attrs: { id: "bulk-trash" } }),
    button("Delete forever", () => void bulk("delete", ids()), { class: "danger-btn small-btn", attrs: { id: "bulk-delete" } }),
    button("Export…", () => { if (!document.getElementById("bulk-export-form")) bar.append(exportForm(ids, "bulk-export")); }, { class: "ghost small-btn", attrs: { id: "bulk-export" } }),
    button("Clear selection", () => { selected.clear(); grid.refreshTiles(); renderSelection(); }, { class: "link-btn" }),
  );
}

async function bulk(action: "trash" | "restore" | "delete", ids: string[]) {
  if (action === "delete" && !window.confirm(`Delete ${ids.length} image${ids.length === 1 ? "" : "s"} for good? This removes the files.`)) return;
  const r = await call(action === "trash" ? commands.galleryTrash(ids) : action === "restore" ? commands.galleryRestore(ids) : commands.galleryDelete(ids));
  if (r.status === "error") { toast(`Could not ${action}: ${r.error.message}`, "error"); return; }
  toast(action === "trash" ? `Moved ${ids.length} to the trash.` : action === "restore" ? `Restored ${ids.length}.` : `Deleted ${ids.length} for good.`);
  for (const id of ids) selected.delete(id);
  if (detailId && ids.includes(detailId)) closeDetail();
  renderSelection();
  await grid.reset(true);
  updateCount();
  emit("gallery-changed");
}

async function fetchPage(offset: number, limit: number, cursor?: string) {
  const query = toQuery(filters, offset, limit);
  if (cursor) query.cursor = cursor;
  const r = await call(commands.galleryList(query, false));
  if (r.status === "error") { byId("gallery-count").textContent = `Could not load the gallery: ${r.error.message}`; return null; }
  return r.data.items;
}

async function countMatches() {
  const r = await call(commands.galleryCount(toQuery(filters, 0, 1)));
  return r.status === "ok" ? r.data : null;
}

function updateCount() {
  const n = grid.total;
  const el = byId("gallery-count");
  el.textContent = !grid.exact ? "Counting…" : n === 0
    ? (filters.text || filters.model || filters.date || filters.favourite || filters.grounding || filters.chatId ? "No images match." : filters.trash ? "The trash is empty." : "No images yet: generate one in the Studio.")
    : `${formatCount(n)} image${n === 1 ? "" : "s"}${filters.trash ? " in the trash" : ""}`;
}

async function refresh() {
  await grid.reset();
  updateCount();
}

async function openDetail(item: ImageSummary) {
  detailId = item.id;
  grid.refreshTiles();
  const panel = byId("gallery-detail");
  panel.hidden = false;
  panel.replaceChildren(h("p", { class: "muted", text: "Loading…" }));
  const r = await call(commands.galleryGet(item.id));
  if (detailId !== item.id) return;
  if (r.status === "error") { panel.replaceChildren(h("p", { class: "error-reason", text: r.error.message })); return; }
  renderDetail(r.data);
}

function closeDetail() {
  detailId = null;
  byId("gallery-detail").hidden = true;
  grid?.refreshTiles();
}

function fact(k: string, v: string | null | undefined): HTMLElement[] {
  return v ? [h("dt", { text: k }), h("dd", { text: v, dataset: { prov: k } })] : [];
}

function renderDetail(d: ImageDetail) {
  const panel = byId("gallery-detail");
  const fav = button(d.favourite ? "★ Favourite" : "☆ Favourite", async () => {
    const r = await call(commands.gallerySetFavourite(d.id, !d.favourite));
    if (r.status === "error") { toast(r.error.message, "error"); return; }
    d.favourite = !d.favourite;
    renderDetail(d);
    await grid.reset(true);
    updateCount();
  }, { class: `ghost small-btn ${d.favourite ? "on" : ""}`, attrs: { id: "detail-fav", "aria-pressed": String(d.favourite) } });
  const text = d.text ? h("div", { class: "md" }) : null;
  if (text) renderMarkdown(text, d.text);
  const thoughts = d.thoughts ? h("div", { class: "md" }) : null;
  if (thoughts) renderMarkdown(thoughts, d.thoughts);
  const g = parseGrounding(d.grounding);
  const p = d.params;
  fill(panel,
    h("div", { class: "detail-head" }, h("h3", { text: "Image details" }), iconButton("×", "Close details", closeDetail)),
    h("button", { class: "detail-image", attrs: { type: "button", "aria-label": "Open in the Studio" }, on: { click: () => { showResult([d.id], 0); emit("navigate", { view: "studio" }); } } },
      h("img", { attrs: { src: imageUrl("image", d.id), alt: d.prompt } })),
    h("p", { class: "detail-prompt", text: d.prompt || "(no prompt)", attrs: { id: "detail-prompt" } }),
    h("div", { class: "detail-actions" },
      button("Open in Studio", () => { showResult([d.id], 0); emit("navigate", { view: "studio" }); }, { class: "primary small-btn", attrs: { id: "detail-open" } }),
      fav,
      button("Reuse parameters", () => reuse(d), { class: "ghost small-btn", attrs: { id: "detail-reuse" } }),
      button("Continue chat", () => continueChat(d), { class: "ghost small-btn", attrs: { id: "detail-continue" } }),
      button("New chat from image", () => void newChatFromImage(d.id), { class: "ghost small-btn", attrs: { id: "detail-new-chat" } }),
      button("Use as reference", () => void useAsReference(d.id), { class: "ghost small-btn", attrs: { id: "detail-use-ref" } }),
      button("Show in folder", () => void reveal(d.id), { class: "ghost small-btn" }),
      button("Show this chat", () => { filters.chatId = d.chat_id; syncControls(); void refresh(); }, { class: "ghost small-btn", attrs: { id: "detail-chat-filter" } }),
      d.trashed
        ? button("Restore", () => void bulk("restore", [d.id]), { class: "secondary small-btn" })
        : button("Move to trash", () => void bulk("trash", [d.id]), { class: "secondary small-btn", attrs: { id: "detail-trash" } }),
      button("Save…", () => { if (!document.getElementById("detail-export-form")) panel.querySelector(".detail-actions")!.after(exportForm(() => [d.id], "detail-export")); }, { class: "ghost small-btn" }),
    ),
    h("dl", { class: "facts provenance" },
      ...fact("Model", modelFact(d.model)),
      ...fact("Pixels", `${d.width}×${d.height} (${d.mime}, ${formatBytes(d.bytes)})`),
      ...fact("Aspect ratio", d.aspect_ratio ?? "auto"),
      ...fact("Size", d.image_size ?? "model default"),
      ...fact("Thinking", p.thinking_level ?? null),
      ...fact("Search", [p.search?.web ? "web" : "", p.search?.image ? "image" : ""].filter(Boolean).join(" + ") || null),
      ...fact("Cost", costLine(d)),
      ...fact("Created", formatDate(d.created_at)),
      ...fact("Finish", d.finish_reason),
      ...fact("Chat", d.chat_id),
      ...fact("File", d.path),
      ...fact("SHA-256", d.sha256),
    ),
    d.reference_hashes.length ? h("div", {}, h("h4", { text: `References (${d.reference_hashes.length})` }),
      h("div", { class: "turn-refs" }, ...d.reference_hashes.map((r, i) => h("img", { attrs: { src: imageUrl("ref", r), alt: `Reference ${i + 1}` } })))) : null,
    text ? h("div", {}, h("h4", { text: "Model text" }), text) : null,
    thoughts ? h("details", {}, h("summary", { text: "Thoughts" }), thoughts) : null,
    g ? renderGrounding(g) : null,
  );
}

/** "Nano Banana 2.1 (gemini-nano-banana-2.1)"; a retired model's id says so. */
function modelFact(id: string): string {
  const name = modelName(id, state.caps, state.retired);
  if (name === id) return id;
  return `${name} (${id}${state.retired.some((r) => r.id === id) ? ", retired" : ""})`;
}

function syncControls() {
  const search = byId<HTMLInputElement>("gallery-search");
  // A search still in its debounce is taken now, so a filter clicked right after typing keeps the text.
  if (searchTimer !== undefined) { window.clearTimeout(searchTimer); searchTimer = undefined; filters.text = search.value; }
  search.value = filters.text;
  (byId<HTMLSelectElement>("filter-model")).value = filters.model;
  (byId<HTMLSelectElement>("filter-date")).value = filters.date;
  (byId<HTMLInputElement>("filter-fav")).checked = filters.favourite;
  (byId<HTMLInputElement>("filter-grounding")).checked = filters.grounding;
  (byId<HTMLSelectElement>("gallery-sort")).value = filters.sort;
  const chip = byId("filter-chat");
  chip.hidden = !filters.chatId;
  chip.replaceChildren(h("span", { text: `Chat ${filters.chatId ?? ""}` }), iconButton("×", "Show all chats", () => { filters.chatId = null; syncControls(); void refresh(); }, "icon-btn tiny"));
  byId("gallery-all").classList.toggle("active", !filters.trash);
  byId("gallery-trash").classList.toggle("active", filters.trash);
  byId("gallery-all").setAttribute("aria-pressed", String(!filters.trash));
  byId("gallery-trash").setAttribute("aria-pressed", String(filters.trash));
}

function build() {
  const root = byId("gallery");
  const search = h("input", { attrs: { id: "gallery-search", type: "search", placeholder: "Search prompts and model text…", "aria-label": "Search the gallery", autocomplete: "off" } });
  search.addEventListener("input", () => {
    window.clearTimeout(searchTimer);
    searchTimer = window.setTimeout(() => { searchTimer = undefined; filters.text = search.value; void refresh(); }, 180);
  });
  const model = h("select", { attrs: { id: "filter-model", "aria-label": "Model" } }, h("option", { text: "All models", attrs: { value: "" } }),
    ...state.caps.map((c) => h("option", { text: c.name, attrs: { value: c.id } })),
    // Images made with a model Google has since retired keep its id: they stay findable by it.
    ...state.retired.map((r) => h("option", { text: `${r.name} (retired)`, attrs: { value: r.id } })));
  const date = h("select", { attrs: { id: "filter-date", "aria-label": "Date" } },
    ...[["", "Any time"], ["today", "Today"], ["7d", "Last 7 days"], ["30d", "Last 30 days"], ["year", "Last year"]].map(([v, t]) => h("option", { text: t, attrs: { value: v } })));
  const fav = h("input", { attrs: { id: "filter-fav", type: "checkbox" } });
  const grounding = h("input", { attrs: { id: "filter-grounding", type: "checkbox" } });
  const sort = h("select", { attrs: { id: "gallery-sort", "aria-label": "Sort" } }, h("option", { text: "Newest first", attrs: { value: "newest" } }), h("option", { text: "Oldest first", attrs: { value: "oldest" } }));
  const changed = () => {
    filters.model = model.value;
    filters.date = date.value;
    filters.favourite = fav.checked;
    filters.grounding = grounding.checked;
    filters.sort = sort.value as Filters["sort"];
    void refresh();
  };
  for (const el of [model, date, fav, grounding, sort]) el.addEventListener("change", changed);
  const setTrash = (t: boolean) => { filters.trash = t; selected.clear(); renderSelection(); closeDetail(); syncControls(); void refresh(); };
  const scroller = h("div", { class: "grid-scroll", attrs: { id: "gallery-grid", role: "listbox", "aria-multiselectable": "true", "aria-label": "Images (arrow keys move, Enter opens, Space selects)", tabindex: "-1" } });
  root.replaceChildren(
    h("div", { class: "gallery-toolbar", attrs: { role: "search" } },
      search,
      model, date,
      h("label", { class: "check inline" }, fav, h("span", { text: "Favourites" })),
      h("label", { class: "check inline" }, grounding, h("span", { text: "Grounded" })),
      sort,
      h("span", { class: "chip", attrs: { id: "filter-chat" } }),
      h("div", { class: "seg", attrs: { role: "group", "aria-label": "Which images" } },
        button("All", () => setTrash(false), { class: "seg-btn active", attrs: { id: "gallery-all" } }),
        button("Trash", () => setTrash(true), { class: "seg-btn", attrs: { id: "gallery-trash" } })),
    ),
    h("div", { class: "gallery-bar" }, h("span", { class: "muted", attrs: { id: "gallery-count", "aria-live": "polite" } }),
      h("span", { class: "muted small keys", text: "Arrows move · Enter opens · Space or Ctrl+click selects · Delete trashes" }),
      h("div", { class: "selection-bar", attrs: { id: "gallery-selection" } })),
    h("div", { class: "gallery-body" }, scroller, h("aside", { class: "gallery-detail panel", attrs: { id: "gallery-detail", "aria-label": "Image details" } })),
  );
  byId("gallery-detail").hidden = true;
  byId("gallery-selection").hidden = true;
  scroller.addEventListener("keydown", (e) => {
    if (e.key !== "Delete" || (e.target as HTMLElement).closest("input, select, textarea")) return;
    const ids = selected.size ? [...selected] : [grid.item(grid.focused)?.id].filter((x): x is string => !!x);
    if (!ids.length) return;
    e.preventDefault();
    void bulk(filters.trash ? "delete" : "trash", ids);
  });
  grid = new VirtualGrid(scroller, {
    fetch: fetchPage,
    count: countMatches,
    onTotal: updateCount,
    renderTile,
    onActivate: (_i, item) => void openDetail(item),
    onSelectKey: (_i, item) => toggleSelect(item.id),
  });
  syncControls();
}

export function showGallery() {
  // Opened before start-up finished: boot() shows it once the grid exists.
  if (!grid) return;
  if (!loaded) { loaded = true; void refresh(); }
  else void grid.reset(true).then(updateCount);
}

export function gridTileCount(): number {
  return grid?.tileCount() ?? 0;
}

/** The studio's strip of recent images. */
async function refreshStrip() {
  const strip = byId("gallery-strip");
  const r = await call(commands.galleryList({ limit: 30, sort: "newest" }, false));
  if (r.status === "error" || !r.data.items.length) return;
  strip.replaceChildren(
    h("span", { class: "strip-label muted small", text: "Recent" }),
    ...r.data.items.map((it) => {
      const b = h("button", { class: "strip-item", attrs: { type: "button", "aria-label": `Open ${it.prompt || "image"}`, title: it.prompt } },
        h("img", { attrs: { src: imageUrl("thumb", it.id), alt: "", loading: "lazy" } }));
      b.addEventListener("click", () => showResult([it.id], 0));
      return b;
    }),
    button("All images →", () => emit("navigate", { view: "gallery" }), { class: "link-btn" }),
  );
}

export function initGallery() {
  build();
  on("gallery-changed", () => { void refreshStrip(); if (loaded) void grid.reset(true).then(updateCount); });
  void refreshStrip();
}
