//! Parameter choices built only from the capability table: defaults, what a model allows, what survives a
//! model switch (and the sentence saying what changed), and the output format of a choice.
import type { GenerateParams, ModelCapabilities, OutputFormat } from "./api";

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

export function defaultModel(caps: ModelCapabilities[]): ModelCapabilities {
  return caps.find((c) => c.is_default) ?? caps[0];
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

/** "Reuse parameters": a stored request's params mapped back onto the controls (then fitted to its model). */
export function fromParams(params: GenerateParams, caps: ModelCapabilities[]): { selection: Selection; changes: string[] } {
  const cap = caps.find((c) => c.id === params.model) ?? defaultModel(caps);
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
  if (params.model && params.model !== cap.id) out.changes.unshift(`${params.model} is not available; using ${cap.name}.`);
  return out;
}

export function formatTokens(n: number): string {
  return n.toLocaleString("en-US");
}
