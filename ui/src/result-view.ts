//! The result view: the full-size image with zoom and pan, a before/after slider against a reference, copy
//! to the clipboard, export to a folder, show in the file manager, use as a reference, reuse the
//! parameters, continue the chat; the model's text, the actual cost, and the grounding panel beside it.
import { call, commands, imageUrl, type GenerationResult, type ImageDetail } from "./api";
import { button, byId, h, toast } from "./dom";
import { formatCount, formatDate, formatPrice } from "./format";
import { parseGrounding } from "./grounding-logic";
import { renderGrounding } from "./grounding";
import { renderMarkdown } from "./markdown";
import { defaultExportFolder, expandHome } from "./paths";
import { emit, on, state } from "./store";
import { addIncoming, setRefs } from "./references";
import { prompt, setPrompt } from "./composer";

interface View { ids: string[]; index: number; result?: GenerationResult; detail?: ImageDetail; notices?: string[] }
let view: View | null = null;
let zoom = { scale: 1, x: 0, y: 0 };
let seq = 0;

export function showResult(ids: string[], index = 0, extra: { result?: GenerationResult; notices?: string[] } = {}) {
  view = { ids, index, result: extra.result, notices: extra.notices };
  void load();
}

async function load() {
  if (!view) return;
  const id = view.ids[view.index];
  const mine = ++seq;
  const r = await call(commands.galleryGet(id));
  if (mine !== seq) return;
  view.detail = r.status === "ok" ? r.data : undefined;
  if (r.status === "error") toast(`Could not load the image's details: ${r.error.message}`, "error");
  render();
}

function applyZoom() {
  const layer = document.getElementById("zoom-layer");
  if (!layer) return;
  layer.style.transform = `translate(${zoom.x}px, ${zoom.y}px) scale(${zoom.scale})`;
  const img = document.getElementById("result-image") as HTMLImageElement | null;
  const label = document.getElementById("zoom-level");
  if (img && label && img.naturalWidth) {
    const fit = Math.min(img.clientWidth / img.naturalWidth, img.clientHeight / img.naturalHeight) || 1;
    label.textContent = `${Math.round(fit * zoom.scale * 100)}%`;
  }
}

function setScale(next: number, cx?: number, cy?: number) {
  const vp = document.getElementById("viewport");
  const s = Math.max(0.25, Math.min(16, next));
  if (vp && cx !== undefined && cy !== undefined) {
    const r = vp.getBoundingClientRect();
    const px = cx - r.left - r.width / 2;
    const py = cy - r.top - r.height / 2;
    zoom.x = px - ((px - zoom.x) * s) / zoom.scale;
    zoom.y = py - ((py - zoom.y) * s) / zoom.scale;
  }
  zoom.scale = s;
  if (s === 1) zoom = { scale: 1, x: 0, y: 0 };
  applyZoom();
}

function actualSize() {
  const img = document.getElementById("result-image") as HTMLImageElement | null;
  if (!img?.naturalWidth) return;
  const fit = Math.min(img.clientWidth / img.naturalWidth, img.clientHeight / img.naturalHeight) || 1;
  zoom = { scale: 1 / fit, x: 0, y: 0 };
  applyZoom();
}

function wireViewport(vp: HTMLElement) {
  vp.addEventListener("wheel", (e) => {
    e.preventDefault();
    setScale(zoom.scale * (e.deltaY < 0 ? 1.15 : 1 / 1.15), e.clientX, e.clientY);
  }, { passive: false });
  let drag: { x: number; y: number; ox: number; oy: number } | null = null;
  vp.addEventListener("pointerdown", (e) => {
    if ((e.target as HTMLElement).closest(".compare-slider")) return;
    drag = { x: e.clientX, y: e.clientY, ox: zoom.x, oy: zoom.y };
    vp.setPointerCapture(e.pointerId);
    vp.classList.add("panning");
  });
  vp.addEventListener("pointermove", (e) => {
    if (!drag) return;
    zoom.x = drag.ox + e.clientX - drag.x;
    zoom.y = drag.oy + e.clientY - drag.y;
    applyZoom();
  });
  const end = () => { drag = null; vp.classList.remove("panning"); };
  vp.addEventListener("pointerup", end);
  vp.addEventListener("pointercancel", end);
  vp.addEventListener("dblclick", () => (zoom.scale === 1 ? actualSize() : setScale(1)));
  vp.addEventListener("keydown", (e) => {
    const step = 40;
    if (e.key === "+" || e.key === "=") setScale(zoom.scale * 1.25);
    else if (e.key === "-") setScale(zoom.scale / 1.25);
    else if (e.key === "0") setScale(1);
    else if (e.key === "ArrowLeft") { zoom.x += step; applyZoom(); }
    else if (e.key === "ArrowRight") { zoom.x -= step; applyZoom(); }
    else if (e.key === "ArrowUp") { zoom.y += step; applyZoom(); }
    else if (e.key === "ArrowDown") { zoom.y -= step; applyZoom(); }
    else return;
    e.preventDefault();
  });
}

async function toPng(blob: Blob): Promise<Blob> {
  if (blob.type === "image/png") return blob;
  const bmp = await createImageBitmap(blob);
  const canvas = document.createElement("canvas");
  canvas.width = bmp.width;
  canvas.height = bmp.height;
  canvas.getContext("2d")!.drawImage(bmp, 0, 0);
  return canvasPng(canvas);
}

function canvasPng(canvas: HTMLCanvasElement): Promise<Blob> {
  return new Promise<Blob>((res, rej) => canvas.toBlob((b) => (b ? res(b) : rej(new Error("encoding failed"))), "image/png"));
}

async function drawnPng(url: string): Promise<Blob> {
  const img = new Image();
  img.crossOrigin = "anonymous";
  img.src = url;
  await img.decode();
  const canvas = document.createElement("canvas");
  canvas.width = img.naturalWidth;
  canvas.height = img.naturalHeight;
  canvas.getContext("2d")!.drawImage(img, 0, 0);
  return canvasPng(canvas);
}

/** Copies an image URL's bytes as PNG to the clipboard; says plainly when the platform can't. */
export async function copyImage(url: string) {
  if (typeof ClipboardItem === "undefined" || !navigator.clipboard?.write) {
    toast("Copying images is not supported in this window. Use Export or Show in folder instead.", "error");
    return;
  }
  // The write must start inside the click: WebKit refuses a clipboard write once the user gesture has passed
  // (an await before it is enough to lose it). The PNG follows as a promise the clipboard waits for.
  const png = (async () => {
    try {
      return await toPng(await fetch(url).then((r) => {
        if (!r.ok) throw new Error(`HTTP ${r.status}`);
        return r.blob();
      }));
    } catch {
      // Where fetching the image scheme is not allowed, draw the image instead.
      return drawnPng(url);
    }
  })();
  try {
    await navigator.clipboard.write([new ClipboardItem({ "image/png": png })]);
    toast("Image copied to the clipboard.");
  } catch (e) {
    toast(`Could not copy the image: ${e instanceof Error ? e.message : String(e)}. Use Export instead.`, "error");
  }
}

export async function exportImages(ids: string[], folderText: string): Promise<boolean> {
  const folder = expandHome(folderText, state.info?.data_dir ?? "");
  if (!folder) { toast("Type a folder to export to.", "error"); return false; }
  const r = await call(commands.galleryExport(ids, folder));
  if (r.status === "ok") { toast(`Saved ${r.data} image${r.data === 1 ? "" : "s"} to ${folder}`); return true; }
  toast(`Export failed: ${r.error.message}`, "error");
  return false;
}

/** A small inline form: folder + Save. */
export function exportForm(ids: () => string[], idPrefix: string): HTMLElement {
  const input = h("input", { attrs: { id: `${idPrefix}-folder`, type: "text", "aria-label": "Folder to save to", spellcheck: "false" } });
  input.value = defaultExportFolder(state.info?.data_dir ?? "");
  const form = h("form", { class: "export-form", attrs: { id: `${idPrefix}-form` } }, h("label", { class: "label", text: "Save to folder", attrs: { for: `${idPrefix}-folder` } }), input,
    h("button", { class: "secondary", text: "Save", attrs: { type: "submit", id: `${idPrefix}-save` } }));
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    void exportImages(ids(), input.value).then((ok) => { if (ok) form.remove(); });
  });
  return form;
}

/** The desktop's save dialog; where it cannot open, the export-to-folder form instead. */
async function saveAs(id: string) {
  const r = await call(commands.saveImageAs(id));
  if (r.status === "ok") { if (r.data) toast(`Saved ${r.data}`); return; }
  if (r.error.kind !== "dialog") { toast(`Could not save: ${r.error.message}`, "error"); return; }
  if (!document.getElementById("result-export-form")) byId("result-caption").prepend(exportForm(() => [id], "result-export"));
  (document.getElementById("result-export-folder") as HTMLInputElement | null)?.focus();
}

export async function useAsReference(imageId: string) {
  const r = await call(commands.referenceFromImage(imageId));
  if (r.status === "ok") { addIncoming([{ name: r.data.name, reference: r.data, error: null }]); toast(`Added as reference ${state.refs.length}.`); }
  else toast(`Could not use it as a reference: ${r.error.message}`, "error");
}

export async function newChatFromImage(imageId: string) {
  const r = await call(commands.referenceFromImage(imageId));
  if (r.status !== "ok") { toast(`Could not start a chat from it: ${r.error.message}`, "error"); return; }
  state.chatId = null;
  state.parentTurnId = null;
  state.chat = null;
  emit("chat-changed");
  setRefs([r.data]);
  emit("navigate", { view: "studio" });
  prompt().focus();
  toast("New chat: the image is the first reference. Describe the change.");
}

export function reuse(detail: ImageDetail) {
  emit("reuse-params", { params: detail.params });
  if (!prompt().value.trim()) setPrompt(detail.prompt);
  emit("navigate", { view: "studio" });
}

export function continueChat(detail: Pick<ImageDetail, "chat_id" | "turn_id">) {
  emit("continue-chat", { chatId: detail.chat_id, turnId: detail.turn_id });
  emit("navigate", { view: "studio" });
  prompt().focus();
}

export async function reveal(id: string) {
  const r = await call(commands.revealImage(id));
  if (r.status === "error") toast(`Could not open the folder: ${r.error.message}`, "error");
}

export function costLine(d: Pick<ImageDetail, "image_tokens" | "total_tokens" | "cost">): string {
  const price = formatPrice(d.cost);
  return `${formatCount(d.image_tokens)} image tokens · ${formatCount(d.total_tokens)} billed tokens in all${price ? ` · ${price}` : ""}`;
}

function render() {
  const root = byId("result");
  if (!view) return;
  const v = view;
  const id = v.ids[v.index];
  const d = v.detail;
  zoom = { scale: 1, x: 0, y: 0 };
  const url = imageUrl("image", id);
  const img = h("img", { attrs: { id: "result-image", src: url, alt: d ? `Generated image: ${d.prompt}` : "Generated image", draggable: "false" } });
  img.addEventListener("load", applyZoom);
  const layer = h("div", { class: "zoom-layer", attrs: { id: "zoom-layer" } }, img);
  const vp = h("div", { class: "viewport", attrs: { id: "viewport", tabindex: "0", "aria-label": "Image viewer: scroll or +/- to zoom, drag or arrows to pan, 0 to fit" } }, layer);
  wireViewport(vp);

  // Before/after against a reference of this turn.
  const refs = d?.reference_hashes ?? [];
  let compare: HTMLElement | null = null;
  if (refs.length) {
    const sel = h("select", { attrs: { id: "compare-ref", "aria-label": "Compare with a reference" } },
      h("option", { text: "Compare: off", attrs: { value: "" } }), ...refs.map((r, i) => h("option", { text: `Before: reference ${i + 1}`, attrs: { value: r } })));
    sel.addEventListener("change", () => setCompare(layer, vp, sel.value));
    compare = sel;
  }
  const variations = v.ids.length > 1 ? h("div", { class: "variations", attrs: { role: "tablist", "aria-label": "Variations" } },
    ...v.ids.map((vid, i) => {
      const b = h("button", { class: `variation ${i === v.index ? "active" : ""}`, attrs: { type: "button", role: "tab", "aria-selected": String(i === v.index), "aria-label": `Variation ${i + 1}` } },
        h("img", { attrs: { src: imageUrl("thumb", vid), alt: "" } }));
      b.addEventListener("click", () => { v.index = i; void load(); });
      return b;
    })) : null;

  const tools = h("div", { class: "result-toolbar", attrs: { role: "toolbar", "aria-label": "Image actions" } },
    h("div", { class: "group" },
      button("−", () => setScale(zoom.scale / 1.25), { class: "icon-btn", attrs: { "aria-label": "Zoom out", id: "zoom-out" } }),
      h("span", { class: "zoom-level", attrs: { id: "zoom-level", "aria-live": "polite" }, text: "Fit" }),
      button("+", () => setScale(zoom.scale * 1.25), { class: "icon-btn", attrs: { "aria-label": "Zoom in", id: "zoom-in" } }),
      button("Fit", () => setScale(1), { class: "ghost small-btn", attrs: { id: "zoom-fit" } }),
      button("1:1", actualSize, { class: "ghost small-btn", attrs: { id: "zoom-actual", "aria-label": "Actual size" } }),
      compare),
    h("div", { class: "group" },
      button("Copy", () => void copyImage(url), { class: "ghost small-btn", attrs: { id: "copy-image" } }),
      button("Save as…", () => void saveAs(id), { class: "ghost small-btn", attrs: { id: "save-image" } }),
      button("Folder", () => void reveal(id), { class: "ghost small-btn", attrs: { id: "reveal-image", title: "Show in the file manager", "aria-label": "Show in folder" } }),
      button("Use as reference", () => void useAsReference(id), { class: "ghost small-btn", attrs: { id: "use-as-ref" } }),
      d ? button("Reuse parameters", () => reuse(d), { class: "ghost small-btn", attrs: { id: "reuse-params" } }) : null,
      button("New chat from this", () => void newChatFromImage(id), { class: "ghost small-btn", attrs: { id: "new-chat-from-image" } }),
      d ? button("Continue chat", () => continueChat(d), { class: "secondary small-btn", attrs: { id: "continue-chat" } }) : null,
    ),
  );

  const grounding = parseGrounding(d?.grounding ?? v.result?.grounding ?? null);
  const text = d?.text ?? v.result?.text ?? "";
  const textEl = h("div", { class: "md model-text", attrs: { id: "model-text" } });
  if (text) renderMarkdown(textEl, text);
  const thoughts = d?.thoughts ?? v.result?.thoughts ?? "";
  let thoughtsEl: HTMLElement | null = null;
  if (thoughts) {
    const body = h("div", { class: "md" });
    renderMarkdown(body, thoughts);
    thoughtsEl = h("details", { class: "thoughts-done" }, h("summary", { text: "Thoughts" }), body);
  }
  const failures = v.result?.failures ?? [];
  const notices = v.notices ?? [];
  const caption = h("div", { class: "result-caption", attrs: { id: "result-caption" } },
    notices.length ? h("ul", { class: "notices", attrs: { id: "result-notices", "aria-label": "Notices about this request" } },
      ...notices.map((n) => h("li", { text: n }))) : null,
    variations,
    d ? h("p", { class: "result-meta" },
      h("span", { text: `${d.width}×${d.height}` }), " · ",
      h("span", { text: d.model }), " · ",
      h("span", { text: formatDate(d.created_at) })) : null,
    d ? h("p", { class: "cost", attrs: { id: "result-cost" }, text: `Cost: ${costLine(d)}` }) : null,
    text ? textEl : null,
    thoughtsEl,
    failures.length ? h("ul", { class: "failures" }, ...failures.map((f) => h("li", { text: `Variation ${f.variation + 1} failed (${f.kind}): ${f.message}` }))) : null,
  );
  const main = h("div", { class: `result-main ${grounding ? "with-grounding" : ""}` }, vp, grounding ? renderGrounding(grounding) : null);
  root.replaceChildren(tools, main, caption);
  root.hidden = false;
  byId("stage-empty").hidden = true;
  byId("progress").hidden = true;
}

function setCompare(layer: HTMLElement, vp: HTMLElement, hash: string) {
  layer.querySelector(".compare-before")?.remove();
  vp.querySelector(".compare-slider")?.remove();
  vp.classList.toggle("comparing", !!hash);
  if (!hash) return;
  const before = h("img", { class: "compare-before", attrs: { src: imageUrl("ref", hash), alt: "Before: the reference image", draggable: "false" } });
  const slider = h("input", { class: "compare-slider", attrs: { id: "compare-slider", type: "range", min: "0", max: "100", value: "50", "aria-label": "Before and after: slide to reveal the reference" } });
  const set = () => { before.style.clipPath = `inset(0 ${100 - Number(slider.value)}% 0 0)`; };
  slider.addEventListener("input", set);
  set();
  layer.append(before);
  vp.append(slider);
}

export function initResultView() {
  on("show-image", ({ imageId }) => showResult([imageId], 0));
}
