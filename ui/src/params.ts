//! The parameters panel: the model picker (every model of the catalogue with its state; those closed to this
//! key shown but disabled) and its card, then every control built from the chosen model's capabilities,
//! listing only what it allows, with the output pixels and tokens of the choice, and a line for what changed
//! on a model switch (a retired model moving to its successor included).
import { commands, safe, type CommandError, type ModelCapabilities } from "./api";
import { byId, h } from "./dom";
import { imageCount } from "./refs-logic";
import { replacementIn } from "./errors";
import {
  availabilityText, fitSelection, followSuccession, formatTokens, fromParams, isUsable, label, MAX_VARIATIONS, modelLimits,
  modelName, modelNotes, modelOptionLabel, outputFormat, resolveModel, retiredNotice, sizeOptionLabel, stateBadge, switchModel,
  type Selection,
} from "./params-logic";
import { applyCatalogue, currentCap, emit, on, state } from "./store";

const STORE_KEY = "banana.params";

function save() {
  try { localStorage.setItem(STORE_KEY, JSON.stringify(state.selection)); } catch { /* storage full or off */ }
}

/** The saved draft selection, fitted to the catalogue (a retired model moves on, with the line saying so). */
function restore(): { selection: Selection; changes: string[] } {
  let saved: Partial<Selection> | null = null;
  try {
    const raw = localStorage.getItem(STORE_KEY);
    if (raw) saved = JSON.parse(raw) as Partial<Selection>;
  } catch { /* ignore a corrupt entry */ }
  return fitSelection(saved, state.caps, state.retired, imageCount(state.refs));
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

/** The card under the picker: what the model is for, its limits, its state, and what to know about it. */
function renderCard(cap: ModelCapabilities) {
  const badge = stateBadge(cap);
  const notes = modelNotes(cap, state.caps);
  byId("model-card").replaceChildren(
    h("div", { class: "model-badges" },
      h("span", { class: `state-badge ${badge.tone}`, text: badge.text, attrs: { id: "model-state" } }),
      h("span", { class: "muted small", text: availabilityText(cap), attrs: { id: "model-availability" } })),
    h("p", { class: "muted small", text: cap.description, attrs: { id: "model-strengths" } }),
    h("dl", { class: "model-limits", attrs: { id: "model-limits", "aria-label": `What ${cap.name} accepts` } },
      ...modelLimits(cap).flatMap(([k, v]) => [h("dt", { text: k }), h("dd", { text: v, dataset: { limit: k } })])),
    ...notes.map((n) => h("p", { class: "model-note small", text: n })),
  );
}

/** The picker's options: every model with its state; those closed to this key are listed but disabled. */
function fillPicker() {
  const model = byId<HTMLSelectElement>("model");
  model.replaceChildren(...state.caps.map((c) => h("option", {
    text: modelOptionLabel(c),
    title: isUsable(c) ? c.description : modelNotes(c, state.caps).join(" ") || c.description,
    attrs: { value: c.id, disabled: !isUsable(c) },
  })));
  if (state.selection) model.value = state.selection.model;
}

export function render() {
  const cap = currentCap();
  const sel = state.selection;
  if (!cap || !sel) return;
  const model = byId<HTMLSelectElement>("model");
  model.value = cap.id;
  renderCard(cap);
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

/** Moves the selection to model `id` (a usable one), saying what changed; `first` leads the lines. */
function switchTo(id: string, first: string[] = []): boolean {
  const to = state.caps.find((c) => c.id === id);
  if (!to || !isUsable(to) || !state.selection) {
    // A closed model cannot be picked: the picker goes back to the model in use.
    if (state.selection) byId<HTMLSelectElement>("model").value = state.selection.model;
    return false;
  }
  const { selection, changes } = switchModel(state.selection, to, imageCount(state.refs));
  state.selection = selection;
  save();
  showChanges([...first, ...changes]);
  render();
  emit("params-changed");
  return true;
}

/**
 * A chat continued with a model id Google retired moves the selection to the model that replaces it, with the
 * line saying so. Other ids leave the selection alone (continuing a chat never picked the model before).
 * Returns whether it moved.
 */
export function moveOffRetired(id: string | null | undefined): boolean {
  if (!id || !state.selection || !state.retired.some((r) => r.id === id)) return false;
  const { cap, notice } = resolveModel(id, state.caps, state.retired);
  if (!notice) return false;
  return switchTo(cap.id, [notice]);
}

/** The catalogue changed: rebuild the picker and fit the selection to it (moving off a model that left). */
function onCatalogue() {
  if (!state.caps.length) return;
  if (!state.selection) {
    const first = restore();
    state.selection = first.selection;
    showChanges(first.changes);
  } else {
    const { selection, changes } = fitSelection(state.selection, state.caps, state.retired, imageCount(state.refs));
    state.selection = selection;
    if (changes.length) showChanges(changes);
  }
  save();
  fillPicker();
  render();
  emit("params-changed");
}

/**
 * The error panel's "Switch to …" (a `model_retired` or `model_unavailable` failure): reads the catalogue
 * again (the backend has recorded the retirement), then moves the selection to the replacement, so the next
 * Generate works. Returns the model now selected, or null when there was nothing to switch to.
 */
export async function switchForError(error: CommandError): Promise<ModelCapabilities | null> {
  const r = await safe(commands.catalogue());
  if (r.status === "ok") applyCatalogue(r.data);
  const named = replacementIn(error);
  const failed = named?.model ?? state.selection?.model ?? null;
  if (!failed) return null;
  // The catalogue's word first (its retired list), then the replacement the error named, then the resolver's.
  const gone = state.retired.find((x) => x.id === failed);
  const resolved = resolveModel(failed, state.caps, state.retired);
  const target = (gone ? followSuccession(gone.successor, state.caps, state.retired) : undefined)
    ?? state.caps.find((c) => c.id === named?.id && isUsable(c))
    ?? (resolved.notice ? resolved.cap : undefined);
  if (!target) return null;
  // The re-read catalogue may have moved the selection already (and said so).
  if (state.selection?.model === target.id) return target;
  const line = gone ? retiredNotice(gone, target)
    : error.kind === "model_retired" ? `Google retired ${failed}; now ${target.name}.`
    : `${modelName(failed, state.caps, state.retired)} is not available for this key; now ${target.name}.`;
  return switchTo(target.id, [line]) ? target : null;
}

export function initParams() {
  const model = byId<HTMLSelectElement>("model");
  model.addEventListener("change", () => switchTo(model.value));
  on("catalogue-changed", onCatalogue);
  on("reuse-params", ({ params }) => {
    const { selection, changes } = fromParams(params, state.caps, state.retired);
    state.selection = selection;
    save();
    showChanges(["Parameters restored from the image.", ...changes]);
    render();
    emit("params-changed");
  });
  onCatalogue();
}
