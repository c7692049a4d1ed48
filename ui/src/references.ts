//! Reference images in the composer: OS file drops (Tauri drag-drop event, by path), HTML5 drops and the
//! file picker and paste (by bytes), thumbnails served by `studio://ref/{hash}`, reorder and remove, and the
//! model's limit shown and enforced: every refused file is named, nothing is dropped silently.
import { getCurrentWebview } from "@tauri-apps/api/webview";
import { call, commands, imageUrl, importReferenceBytes, type ReferenceInfo } from "./api";
import { byId, h, iconButton, toast } from "./dom";
import { addReferences, characterExcess, countLabel, formatDuration, imageCount, moveItem, videoNotice, type Incoming } from "./refs-logic";
import { currentCap, emit, on, state } from "./store";

const STORE_KEY = "banana.refs";
const CHARACTERS_KEY = "banana.characters";

function limit(): number {
  return currentCap()?.max_reference_images ?? 14;
}

function characterLimit(): number {
  return currentCap()?.max_character_images ?? 4;
}

function save() {
  try {
    localStorage.setItem(STORE_KEY, JSON.stringify(state.refs));
    localStorage.setItem(CHARACTERS_KEY, JSON.stringify(state.characters));
  } catch { /* ignore */ }
}

/** Positions of the references marked as characters, as `GenerateParams.character_references` wants them. */
export function characterPositions(): number[] {
  return state.refs.flatMap((r, i) => (state.characters.includes(r.hash) ? [i] : []));
}

function toggleCharacter(r: ReferenceInfo) {
  if (state.characters.includes(r.hash)) {
    state.characters = state.characters.filter((h) => h !== r.hash);
  } else {
    const max = characterLimit();
    if (characterPositions().length >= max) {
      showNotice([`${currentCap()?.name ?? "This model"} keeps at most ${max} characters consistent: mark another reference as an object first.`]);
      return;
    }
    state.characters = [...state.characters, r.hash];
  }
  showNotice([]);
  changed();
  byId("refs").querySelector<HTMLButtonElement>(`[data-hash="${r.hash}"] .role-btn`)?.focus();
}

export function showNotice(lines: string[]) {
  const box = byId("refs-notice");
  delete box.dataset.video;
  box.replaceChildren(...lines.map((l) => h("p", { text: l })));
  box.hidden = lines.length === 0;
}

/** Adds imported files under the limit; refused ones are listed by name. */
export function addIncoming(incoming: Incoming[]) {
  const cap = currentCap();
  const out = addReferences(state.refs, incoming, limit(), cap?.name ?? "This model");
  state.refs = out.list;
  const lines = [...out.refused];
  if (out.added.length && out.refused.length) lines.push(`${out.added.length} added; the others are kept.`);
  showNotice(lines);
  changed();
}

export function setRefs(refs: ReferenceInfo[]) {
  state.refs = refs;
  state.characters = state.characters.filter((h) => refs.some((r) => r.hash === h));
  showNotice([]);
  changed();
}

function changed() {
  save();
  render();
  emit("refs-changed");
}

async function importFiles(files: File[]) {
  if (!files.length) return;
  const images = files.filter((f) => f.size > 0);
  const incoming = await Promise.all(images.map(async (f): Promise<Incoming> => {
    const r = await importReferenceBytes(await f.arrayBuffer(), f.name || "pasted image");
    return r.status === "ok" ? { name: f.name, reference: r.data, error: null } : { name: f.name || "pasted image", reference: null, error: r.error };
  }));
  addIncoming(incoming);
}

export async function importPaths(paths: string[]) {
  if (!paths.length) return;
  const r = await call(commands.importReferencePaths(paths));
  if (r.status === "ok") addIncoming(r.data);
  else showNotice([`Could not import the dropped files: ${r.error.message}`]);
}

function render() {
  const list = byId("refs");
  const max = limit();
  const n = imageCount(state.refs);
  const videos = state.refs.length - n;
  const count = byId("refs-count");
  const chars = characterPositions().length;
  const maxChars = characterLimit();
  count.textContent = `${countLabel(n, max)} references${videos ? ` · ${videos} video${videos > 1 ? "s" : ""}` : ""}${chars ? ` · ${chars} of ${maxChars} characters` : ""}`;
  count.classList.toggle("over", n > max || chars > maxChars);
  list.replaceChildren(...state.refs.map((r, i) => {
    const video = r.kind === "video";
    const li = h("li", { class: video ? "ref video" : "ref", attrs: { draggable: "true", "aria-label": `Reference ${i + 1}: ${r.name}${video ? `, a video of ${formatDuration(r.duration_ms)}` : ""}` }, dataset: { hash: r.hash, kind: r.kind ?? "image" } },
      // A video is sent to the model as it is (through the Files API); the tile shows its length, not a frame.
      video
        ? h("div", { class: "ref-video", attrs: { title: `${r.name} · video · ${formatDuration(r.duration_ms)}` } },
          h("span", { class: "ref-video-icon", text: "▶", attrs: { "aria-hidden": "true" } }),
          h("span", { class: "ref-video-length", text: formatDuration(r.duration_ms) }),
          h("span", { class: "ref-video-name", text: r.name }))
        : h("img", { attrs: { src: imageUrl("ref", r.hash), alt: r.name, title: `${r.name} · ${r.width}×${r.height}`, draggable: "false" } }),
      h("span", { class: "ref-index", text: String(i + 1), attrs: { "aria-hidden": "true" } }),
      video ? null : (() => {
        const isChar = state.characters.includes(r.hash);
        const b = h("button", { class: `role-btn ${isChar ? "character" : ""}`, text: isChar ? "Chr" : "Obj", attrs: {
          type: "button", "aria-pressed": String(isChar), "aria-label": `${r.name} is ${isChar ? "a character" : "an object"}: toggle`,
          title: isChar ? "A character: a person, pet or figure to keep consistent. Click to make it an object." : "An object: kept with high fidelity. Click to mark it as a character (a person, pet or figure to keep consistent).",
        } });
        b.addEventListener("click", () => toggleCharacter(r));
        return b;
      })(),
      h("div", { class: "ref-tools" },
        iconButton("‹", `Move ${r.name} earlier`, () => move(i, i - 1), "icon-btn tiny"),
        iconButton("›", `Move ${r.name} later`, () => move(i, i + 1), "icon-btn tiny"),
        iconButton("×", `Remove ${r.name}`, () => remove(i), "icon-btn tiny danger"),
      ),
    );
    li.addEventListener("dragstart", (e) => {
      e.dataTransfer?.setData("application/x-banana-ref", String(i));
      if (e.dataTransfer) e.dataTransfer.effectAllowed = "move";
    });
    li.addEventListener("dragover", (e) => {
      if (e.dataTransfer?.types.includes("application/x-banana-ref")) { e.preventDefault(); li.classList.add("drop-target"); }
    });
    li.addEventListener("dragleave", () => li.classList.remove("drop-target"));
    li.addEventListener("drop", (e) => {
      const from = e.dataTransfer?.getData("application/x-banana-ref");
      if (from === undefined || from === "") return;
      e.preventDefault();
      e.stopPropagation();
      move(Number(from), i);
    });
    return li;
  }));
  const cap = currentCap();
  const noVideo = cap ? videoNotice(state.refs, cap, state.caps.filter((c) => c.video_input && c.availability !== "unavailable")) : null;
  const box = byId("refs-notice");
  if (n > max) showNotice([`${cap?.name ?? "This model"} takes at most ${max} references; remove ${n - max} before generating.`]);
  else if (noVideo) { showNotice([noVideo]); box.dataset.video = "1"; }
  else {
    const excess = characterExcess(cap?.name ?? "This model", maxChars, chars);
    if (excess) showNotice([excess]);
    // The video notice goes once the model takes video (or the video is removed); import notices stay.
    else if (box.dataset.video) showNotice([]);
  }
}

function move(from: number, to: number) {
  if (to < 0 || to >= state.refs.length) return;
  state.refs = moveItem(state.refs, from, to);
  changed();
  const btn = byId("refs").children[to]?.querySelector<HTMLButtonElement>(to > from ? "button:nth-child(2)" : "button:nth-child(1)");
  btn?.focus();
}

function remove(i: number) {
  const [gone] = state.refs.splice(i, 1);
  state.characters = state.characters.filter((h) => h !== gone.hash);
  showNotice([]);
  changed();
  toast(`Removed ${gone.name}`);
}

function imageFiles(dt: DataTransfer | null): File[] {
  if (!dt) return [];
  return Array.from(dt.files);
}

export function initReferences() {
  try {
    const saved = JSON.parse(localStorage.getItem(STORE_KEY) ?? "[]") as ReferenceInfo[];
    if (Array.isArray(saved)) state.refs = saved.filter((r) => r && typeof r.hash === "string");
    const chars = JSON.parse(localStorage.getItem(CHARACTERS_KEY) ?? "[]") as string[];
    if (Array.isArray(chars)) state.characters = chars.filter((h) => state.refs.some((r) => r.hash === h));
  } catch { /* ignore */ }
  const drop = byId("refs-drop");
  const input = byId<HTMLInputElement>("refs-input");
  drop.addEventListener("click", (e) => { if (e.target !== input) input.click(); });
  drop.addEventListener("keydown", (e) => {
    if (e.key === "Enter" || e.key === " ") { e.preventDefault(); input.click(); }
  });
  input.addEventListener("change", () => {
    const files = Array.from(input.files ?? []);
    input.value = "";
    void importFiles(files);
  });
  // HTML5 drops: files dragged from other apps (or the OS when the webview gets them as File objects).
  const app = byId("app");
  app.addEventListener("dragover", (e) => {
    if (e.dataTransfer?.types.includes("Files")) { e.preventDefault(); drop.classList.add("over"); }
  });
  app.addEventListener("dragleave", (e) => { if (e.target === app || e.target === drop) drop.classList.remove("over"); });
  app.addEventListener("drop", (e) => {
    drop.classList.remove("over");
    const files = imageFiles(e.dataTransfer);
    if (!files.length) return;
    e.preventDefault();
    void importFiles(files);
  });
  // Paste an image anywhere in the studio (text pastes into the prompt go through untouched).
  document.addEventListener("paste", (e) => {
    if (byId("studio").hidden) return;
    const files = Array.from(e.clipboardData?.files ?? []).filter((f) => f.type.startsWith("image/"));
    if (!files.length) return;
    e.preventDefault();
    void importFiles(files.map((f, i) => (f.name && f.name !== "image.png" ? f : new File([f], `pasted image${i ? " " + (i + 1) : ""}.${(f.type.split("/")[1] || "png")}`, { type: f.type }))));
  });
  // Files dragged from the OS file manager arrive as paths through Tauri's drag-drop event.
  void getCurrentWebview().onDragDropEvent((event) => {
    const p = event.payload;
    if (p.type === "enter" || p.type === "over") drop.classList.add("over");
    else if (p.type === "leave") drop.classList.remove("over");
    else if (p.type === "drop") {
      drop.classList.remove("over");
      if (byId("studio").hidden) emit("navigate", { view: "studio" });
      void importPaths(p.paths);
    }
  }).catch(() => { /* outside Tauri */ });
  on("params-changed", render);
  render();
}
