//! Parameter choices built only from the model catalogue: defaults, what a model allows, what survives a
//! model switch (and the sentence saying what changed), the output format of a choice, and where a stored
//! model id (a draft, reused parameters, a chat) goes when Google retired it or this key cannot call it.
import type { GenerateParams, ModelCapabilities, OutputFormat, RetiredModel } from "./api";

export interface Selection {
  model: string;
  /** `null` = auto (match the input image, else 1:1). */
  aspect_ratio: string | null;
  image_size: string | null;
  thinking_level: string | null;
  include_thoughts: boolean;
  search_web: boolean;
  search_image: boolean;
  images_only: boolean;
  count: number;
}

export const MAX_VARIATIONS = 4;
const SIZE_ORDER = ["512", "1K", "2K", "4K"];

/** Whether a model can be picked for generation: everything except what `models.list` closed to this key. */
export function isUsable(cap: ModelCapabilities): boolean {
  return cap.availability !== "unavailable";
}

/** The default model, or the first usable one when the default is closed to this key. */
export function defaultModel(caps: ModelCapabilities[]): ModelCapabilities {
  return caps.find((c) => c.is_default && isUsable(c)) ?? caps.find(isUsable) ?? caps[0];
}

/** How far a chain of successors is followed (the backend follows the same number). */
const MAX_SUCCESSION = 8;

/** The usable model `id` leads to: itself, or its successor (through retired ids and closed models). */
export function followSuccession(id: string | null | undefined, caps: ModelCapabilities[], retired: RetiredModel[]): ModelCapabilities | undefined {
  let next = id ?? null;
  for (let i = 0; next && i < MAX_SUCCESSION; i++) {
    const known = caps.find((c) => c.id === next);
    if (known && isUsable(known)) return known;
    next = retired.find((r) => r.id === next)?.successor ?? known?.successor ?? null;
  }
  return undefined;
}

/** "Google retired gemini-3-pro-image-preview on 2026-06-25; now Nano Banana Pro." */
export function retiredNotice(r: RetiredModel, to: ModelCapabilities): string {
  return `Google retired ${r.id}${r.retired_on ? ` on ${r.retired_on}` : ""}; now ${to.name}.`;
}

export interface Resolved {
  cap: ModelCapabilities;
  /** Set when the id did not stay: the one line saying which model is used instead, and why. */
  notice: string | null;
}

/**
 * The model a stored id becomes. A usable model stays; a retired id moves to its successor; a model closed to
 * this key moves to its successor or the default; an id nobody knows moves to the default. Never throws, so a
 * saved draft or an old image's parameters always open.
 */
export function resolveModel(id: string | null | undefined, caps: ModelCapabilities[], retired: RetiredModel[]): Resolved {
  const fallback = defaultModel(caps);
  if (!id) return { cap: fallback, notice: null };
  const known = caps.find((c) => c.id === id);
  if (known && isUsable(known)) return { cap: known, notice: null };
  if (known) {
    const to = followSuccession(known.successor, caps, retired) ?? fallback;
    return { cap: to, notice: `${known.name} is not available for this key; now ${to.name}.` };
  }
  const gone = retired.find((r) => r.id === id);
  if (gone) {
    const to = followSuccession(gone.successor, caps, retired) ?? fallback;
    return { cap: to, notice: retiredNotice(gone, to) };
  }
  return { cap: fallback, notice: `${id} is not among the models on offer; now ${fallback.name}.` };
}

/** A name for any model id a stored image or chat carries: the catalogue's, a retired model's, else the id. */
export function modelName(id: string, caps: ModelCapabilities[], retired: RetiredModel[]): string {
  return caps.find((c) => c.id === id)?.name ?? retired.find((r) => r.id === id)?.name ?? id;
}

export function defaultSelection(cap: ModelCapabilities): Selection {
  return {
    model: cap.id,
    aspect_ratio: null,
    image_size: cap.image_sizes.length ? cap.default_image_size ?? cap.image_sizes[0] : null,
    thinking_level: cap.thinking_levels.length ? cap.default_thinking_level ?? cap.thinking_levels[0] : null,
    include_thoughts: cap.supports_thoughts,
    search_web: false,
    search_image: false,
    images_only: false,
    count: 1,
  };
}

function ratioValue(r: string): number {
  const [w, h] = r.split(":").map(Number);
  return w > 0 && h > 0 ? w / h : 1;
}

/** The allowed ratio closest in shape to `r`. */
export function nearestRatio(r: string, allowed: string[]): string {
  const v = Math.log(ratioValue(r));
  let best = allowed[0];
  for (const a of allowed) if (Math.abs(Math.log(ratioValue(a)) - v) < Math.abs(Math.log(ratioValue(best)) - v)) best = a;
  return best;
}

/** The allowed size closest to `s` (ties go to the larger one, so quality is not silently lowered). */
export function nearestSize(s: string, allowed: string[]): string {
  const i = SIZE_ORDER.indexOf(s);
  let best = allowed[0];
  let bestD = Infinity;
  for (const a of allowed) {
    const d = Math.abs(SIZE_ORDER.indexOf(a) - i);
    if (d < bestD || (d === bestD && SIZE_ORDER.indexOf(a) > SIZE_ORDER.indexOf(best))) {
      best = a;
      bestD = d;
    }
  }
  return best;
}

export function label(level: string): string {
  return level.charAt(0).toUpperCase() + level.slice(1);
}

/**
 * Moves a selection to another model: keeps every value the new model still allows, replaces the rest with
 * the nearest allowed value, and says what changed in one sentence each.
 */
export function switchModel(sel: Selection, to: ModelCapabilities, referenceCount = 0): { selection: Selection; changes: string[] } {
  const next: Selection = { ...sel, model: to.id };
  const changes: string[] = [];
  const by = `by ${to.name}`;
  if (sel.aspect_ratio && !to.aspect_ratios.includes(sel.aspect_ratio)) {
    next.aspect_ratio = nearestRatio(sel.aspect_ratio, to.aspect_ratios);
    changes.push(`${sel.aspect_ratio} is not offered ${by}; now ${next.aspect_ratio}.`);
  }
  if (!to.image_sizes.length) {
    if (sel.image_size) changes.push(`${to.name} has no size choice; the ${sel.image_size} setting is dropped (1024-px class output).`);
    next.image_size = null;
  } else if (!sel.image_size) {
    next.image_size = to.default_image_size ?? to.image_sizes[0];
  } else if (!to.image_sizes.includes(sel.image_size)) {
    next.image_size = nearestSize(sel.image_size, to.image_sizes);
    changes.push(`${sel.image_size} is not offered ${by}; now ${next.image_size}.`);
  }
  if (!to.thinking_levels.length) {
    if (sel.thinking_level && sel.thinking_level !== "minimal") {
      changes.push(`${to.name} has no thinking level choice${to.thinks ? " (it always thinks)" : ""}; ${label(sel.thinking_level)} is dropped.`);
    }
    next.thinking_level = null;
  } else if (!sel.thinking_level || !to.thinking_levels.includes(sel.thinking_level)) {
    next.thinking_level = to.default_thinking_level ?? to.thinking_levels[0];
    if (sel.thinking_level) changes.push(`${label(sel.thinking_level)} thinking is not offered ${by}; now ${label(next.thinking_level)}.`);
  }
  if (!to.supports_thoughts) {
    if (sel.include_thoughts) changes.push(`${to.name} does not return thoughts; showing thoughts is off.`);
    next.include_thoughts = false;
  }
  if (sel.search_web && !to.search_types.includes("web")) {
    next.search_web = false;
    changes.push(`Web search is not offered ${by}; turned off.`);
  }
  if (sel.search_image && !to.search_types.includes("image")) {
    next.search_image = false;
    changes.push(`Image search is not offered ${by}; turned off.`);
  }
  if (referenceCount > to.max_reference_images) {
    changes.push(`${to.name} takes at most ${to.max_reference_images} references; remove ${referenceCount - to.max_reference_images} before generating.`);
  }
  return { selection: next, changes };
}

/** The output format of a choice; an auto ratio is shown as 1:1 (what the API uses without an input image). */
export function outputFormat(cap: ModelCapabilities, sel: Pick<Selection, "aspect_ratio" | "image_size">): OutputFormat | undefined {
  const ratio = sel.aspect_ratio ?? "1:1";
  const size = cap.image_sizes.length ? sel.image_size : null;
  return cap.outputs.find((o) => o.aspect_ratio === ratio && (o.image_size ?? null) === (size ?? null));
}

/** The size choice with its pixels and tokens for the current ratio: "2K · 2048×2048 · 1,680 tokens". */
export function sizeOptionLabel(cap: ModelCapabilities, ratio: string | null, size: string): string {
  const f = outputFormat(cap, { aspect_ratio: ratio, image_size: size });
  return f ? `${size} · ${f.width}×${f.height}` : size;
}

/** What the backend receives: only the fields the model accepts. */
export function toParams(sel: Selection, cap: ModelCapabilities): GenerateParams {
  const params: GenerateParams = {
    model: cap.id,
    aspect_ratio: sel.aspect_ratio && cap.aspect_ratios.includes(sel.aspect_ratio) ? sel.aspect_ratio : null,
    image_size: cap.image_sizes.length && sel.image_size && cap.image_sizes.includes(sel.image_size) ? sel.image_size : null,
    thinking_level: cap.thinking_levels.length && sel.thinking_level ? sel.thinking_level : null,
    include_thoughts: cap.supports_thoughts && sel.include_thoughts,
    search: {
      web: sel.search_web && cap.search_types.includes("web"),
      image: sel.search_image && cap.search_types.includes("image"),
    },
    images_only: sel.images_only,
    count: Math.min(MAX_VARIATIONS, Math.max(1, Math.round(sel.count))),
  };
  return params;
}

/**
 * A selection fitted to the catalogue in force: a saved draft at start-up, or the current one after the list
 * changed. When its model stays, the values are fitted silently (as they always were); when it moves
 * (retired, closed to this key, gone), the first line says so and the others what else changed.
 */
export function fitSelection(saved: Partial<Selection> | null, caps: ModelCapabilities[], retired: RetiredModel[], referenceCount = 0): { selection: Selection; changes: string[] } {
  if (!saved || typeof saved.model !== "string") return { selection: defaultSelection(defaultModel(caps)), changes: [] };
  const { cap, notice } = resolveModel(saved.model, caps, retired);
  const from = caps.find((c) => c.id === saved.model) ?? cap;
  const out = switchModel({ ...defaultSelection(from), ...saved }, cap, referenceCount);
  return { selection: out.selection, changes: notice ? [notice, ...out.changes] : [] };
}

/** "Reuse parameters": a stored request's params mapped back onto the controls (then fitted to its model). */
export function fromParams(params: GenerateParams, caps: ModelCapabilities[], retired: RetiredModel[] = []): { selection: Selection; changes: string[] } {
  const { cap, notice } = resolveModel(params.model, caps, retired);
  const base = defaultSelection(cap);
  const sel: Selection = {
    ...base,
    aspect_ratio: params.aspect_ratio ?? null,
    image_size: params.image_size ?? base.image_size,
    thinking_level: params.thinking_level ?? base.thinking_level,
    include_thoughts: params.include_thoughts ?? base.include_thoughts,
    search_web: params.search?.web ?? false,
    search_image: params.search?.image ?? false,
    images_only: params.images_only ?? false,
    count: params.count ?? 1,
  };
  const out = switchModel(sel, cap);
  if (notice) out.changes.unshift(notice);
  return out;
}

/**
 * A stored turn's parameters for a new request (editing a prompt to branch): sent as they were while the
 * model is on offer, otherwise refitted to the model that replaces it, so the request does not fail on a
 * value only the old model took (512 on a retired preview).
 */
export function paramsFor(params: GenerateParams, caps: ModelCapabilities[], retired: RetiredModel[]): { params: GenerateParams; cap: ModelCapabilities; notice: string | null } {
  const { cap, notice } = resolveModel(params.model, caps, retired);
  if (!notice && params.model) return { params, cap, notice };
  const { selection } = fromParams(params, caps, retired);
  const out: GenerateParams = { ...toParams(selection, cap) };
  if (params.character_references) out.character_references = params.character_references;
  return { params: out, cap, notice };
}

/** The picker's text for a model: its name, and its state when it is not simply current. */
export function modelOptionLabel(cap: ModelCapabilities): string {
  if (!isUsable(cap)) return `${cap.name} (unavailable for this key)`;
  const tags: string[] = [];
  if (cap.is_default) tags.push("default");
  if (cap.status === "new") tags.push("new");
  if (cap.status === "deprecated") tags.push("deprecated");
  if (cap.status === "restricted") tags.push("restricted");
  return tags.length ? `${cap.name} (${tags.join(", ")})` : cap.name;
}

export type BadgeTone = "ok" | "new" | "warn" | "danger" | "muted";

/** The model card's state badge. */
export function stateBadge(cap: ModelCapabilities): { text: string; tone: BadgeTone } {
  if (!isUsable(cap)) return { text: "Unavailable for this key", tone: "danger" };
  switch (cap.status) {
    case "new": return { text: "New", tone: "new" };
    case "deprecated": return { text: "Deprecated", tone: "warn" };
    case "restricted": return { text: "Restricted", tone: "warn" };
    default: return { text: cap.is_default ? "Default" : "Current", tone: "ok" };
  }
}

/** Whether `models.list` vouched for the model, in words for the second badge. */
export function availabilityText(cap: ModelCapabilities): string {
  switch (cap.availability) {
    case "available": return "Offered to this key";
    case "unavailable": return "Not offered to this key";
    default: return "Not checked with Google";
  }
}

/** The model card's limits, as label and value. */
export function modelLimits(cap: ModelCapabilities): [string, string][] {
  const web = cap.search_types.includes("web");
  const image = cap.search_types.includes("image");
  return [
    ["Ratios", String(cap.aspect_ratios.length)],
    ["Sizes", cap.image_sizes.length ? cap.image_sizes.join(", ") : "One (1024-px class)"],
    ["References", `Up to ${cap.max_reference_images} (${cap.max_object_images} objects, ${cap.max_character_images} characters)`],
    ["Search", web && image ? "Web and image" : web ? "Web" : image ? "Image" : "None"],
    ["Video input", cap.video_input ? "Yes (as context)" : "No"],
  ];
}

/**
 * What to know about a model beyond its limits: the successor of a deprecated or restricted one (unless its
 * note already names it), and the catalogue's note (why it is unavailable, "New: … limits borrowed from …").
 */
export function modelNotes(cap: ModelCapabilities, caps: ModelCapabilities[]): string[] {
  const next = cap.successor ? caps.find((c) => c.id === cap.successor) : undefined;
  const nextName = next?.name ?? cap.successor;
  const named = !nextName || !!cap.note?.includes(nextName);
  // Closed: why first, then what to use. Deprecated: what replaces it first, then the note.
  if (!isUsable(cap)) return [cap.note, named ? null : `Use ${nextName} instead.`].filter((x): x is string => !!x);
  if (cap.status === "deprecated" && !named) return [`Deprecated: ${nextName} replaces it.`, cap.note].filter((x): x is string => !!x);
  return cap.note ? [cap.note] : [];
}

export function formatTokens(n: number): string {
  return n.toLocaleString("en-US");
}

/** Settings' counts: models this key can use, those closed to it, new ones (not in the data file), retired ids. */
export function catalogueCounts(models: ModelCapabilities[], retired: RetiredModel[]): { available: number; unavailable: number; new: number; retired: number } {
  return {
    available: models.filter(isUsable).length,
    unavailable: models.filter((m) => !isUsable(m)).length,
    new: models.filter((m) => m.status === "new").length,
    retired: retired.length,
  };
}
