//! The parameters panel: every control is built from the chosen model's capabilities, lists only what it
//! allows, shows the output pixels and tokens of the choice, and says what changed on a model switch.
import type { ModelCapabilities } from "./api";
import { byId, h } from "./dom";
import { defaultModel, defaultSelection, formatTokens, label, MAX_VARIATIONS, outputFormat, sizeOptionLabel, switchModel, fromParams, type Selection } from "./params-logic";
import { currentCap, emit, on, state } from "./store";

const STORE_KEY = "banana.params";

function save() {
  try { localStorage.setItem(STORE_KEY, JSON.stringify(state.selection)); } catch { /* storage full or off */ }
}

function restore(caps: ModelCapabilities[]): Selection {
  try {
    const raw = localStorage.getItem(STORE_KEY);
    if (raw) {
      const saved = JSON.parse(raw) as Selection;
      const cap = caps.find((c) => c.id === saved.model);
      if (cap) return switchModel({ ...defaultSelection(cap), ...saved }, cap).selection;
    }
  } catch { /* ignore a corrupt entry */ }
  return defaultSelection(defaultModel(caps));
}

function select(id: string, labelText: string, options: [string, string][], value: string, onChange: (v: string) => void, hint?: string): HTMLElement {
  const sel = h("select", { attrs: { id } });
  for (const [v, t] of options) sel.append(h("option", { text: t, attrs: { value: v } }));
  sel.value = value;
  sel.addEventListener("change", () => onChange(sel.value));
  return h("div", { class: "field" }, h("label", { class: "label", text: labelText, attrs: { for: id } }), sel, hint ? h("p", { class: "muted small", text: hint }) : null);
}

function check(id: string, labelText: string, checked: boolean, onChange: (v: boolean) => void, hint?: string): HTMLElement {
  const box = h("input", { attrs: { id, type: "checkbox" } });
  box.checked = checked;
  box.addEventListener("change", () => onChange(box.checked));
  return h("div", { class: "check" }, box, h("label", { text: labelText, attrs: { for: id } }), hint ? h("span", { class: "muted small", text: hint }) : null);
}

function note(id: string, text: string): HTMLElement {
  return h("p", { class: "fixed-note small", text, attrs: { id } });
}

function update(patch: Partial<Selection>) {
  state.selection = { ...state.selection!, ...patch };
  save();
  render();
  emit("params-changed");
}

export function showChanges(changes: string[]) {
  const box = byId("params-changes");
  box.replaceChildren(...changes.map((c) => h("p", { text: c })));
  box.hidden = changes.length === 0;
}

export function render() {
  const cap = currentCap();
  const sel = state.selection;
  if (!cap || !sel) return;
  const model = byId<HTMLSelectElement>("model");
  model.value = cap.id;
  byId("model-strengths").textContent = cap.description;
  const body = byId("params-body");
  const parts: HTMLElement[] = [];
  parts.push(select("aspect", "Aspect ratio", [["", "Auto (as the input, or 1:1)"], ...cap.aspect_ratios.map((r): [string, string] => [r, r])],
    sel.aspect_ratio ?? "", (v) => update({ aspect_ratio: v || null })));
  if (cap.image_sizes.length) {
    parts.push(select("size", "Size", cap.image_sizes.map((s): [string, string] => [s, sizeOptionLabel(cap, sel.aspect_ratio, s)]),
      sel.image_size ?? cap.image_sizes[0], (v) => update({ image_size: v })));
  } else {
    parts.push(h("div", { class: "field" }, h("span", { class: "label", text: "Size" }), note("size-note", "No size choice: 1024-pixel class output.")));
  }
  const f = outputFormat(cap, sel);
  const out = h("div", { class: "output-info", attrs: { id: "output-info" } },
    h("span", { class: "label", text: "Output" }),
    f ? h("span", { class: "big", text: `${f.width} × ${f.height} px` }) : h("span", { text: "—" }),
    f ? h("span", { class: "muted small", text: `${formatTokens(f.tokens)} output tokens per image${sel.aspect_ratio ? "" : " (1:1 shown; a reference may set the ratio)"}` }) : null,
    h("span", { class: "muted small", text: `Up to ${cap.max_reference_images} references (${cap.max_object_images} objects, ${cap.max_character_images} characters)` }),
  );
  parts.push(out);
  if (cap.thinking_levels.length) {
    parts.push(select("thinking", "Thinking", cap.thinking_levels.map((l): [string, string] => [l, label(l)]), sel.thinking_level ?? cap.thinking_levels[0],
      (v) => update({ thinking_level: v })));
  } else {
    parts.push(h("div", { class: "field" }, h("span", { class: "label", text: "Thinking" }),
      note("thinking-note", cap.thinks ? "Always thinks; thought tokens are billed." : "This model does not think.")));
  }
  if (cap.supports_thoughts) {
    parts.push(check("include-thoughts", "Include thoughts (summaries, drafts)", sel.include_thoughts, (v) => update({ include_thoughts: v })));
  }
  const search = h("fieldset", { class: "field search" }, h("legend", { class: "label", text: "Google Search grounding" }));
  if (cap.search_types.includes("web")) search.append(check("search-web", "Web search", sel.search_web, (v) => update({ search_web: v })));
  if (cap.search_types.includes("image")) search.append(check("search-image", "Image search", sel.search_image, (v) => update({ search_image: v })));
  if (!cap.search_types.length) search.append(note("search-note", "Not offered by this model."));
  parts.push(search);
  parts.push(check("images-only", "Images only (no text)", sel.images_only, (v) => update({ images_only: v })));
  parts.push(select("count", "Variations", Array.from({ length: MAX_VARIATIONS }, (_, i): [string, string] => [String(i + 1), i === 0 ? "1 image" : `${i + 1} images (parallel requests)`]),
    String(sel.count), (v) => update({ count: Number(v) })));
  body.replaceChildren(...parts);
}

function switchTo(id: string) {
  const to = state.caps.find((c) => c.id === id);
  if (!to || !state.selection) return;
  const { selection, changes } = switchModel(state.selection, to, state.refs.length);
  state.selection = selection;
  save();
  showChanges(changes);
  render();
  emit("params-changed");
}

export function initParams() {
  const model = byId<HTMLSelectElement>("model");
  model.replaceChildren(...state.caps.map((c) => h("option", { text: c.name, title: c.description, attrs: { value: c.id } })));
  state.selection = restore(state.caps);
  model.addEventListener("change", () => switchTo(model.value));
  on("reuse-params", ({ params }) => {
    const { selection, changes } = fromParams(params, state.caps);
    state.selection = selection;
    save();
    showChanges(["Parameters restored from the image.", ...changes]);
    render();
    emit("params-changed");
  });
  render();
}
