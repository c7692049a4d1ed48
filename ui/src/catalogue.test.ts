// The model catalogue on the UI side: where a stored model id goes (retired, closed to this key, unknown),
// the picker's labels, the model card, and Settings' counts. Models mirror crates/studio-core/data/models.json.
import { describe, expect, it } from "vitest";
import type { ModelCapabilities, RetiredModel } from "./api";
import {
  availabilityText, catalogueCounts, defaultModel, defaultSelection, fitSelection, followSuccession, fromParams, modelLimits,
  modelName, modelNotes, modelOptionLabel, paramsFor, resolveModel, stateBadge,
} from "./params-logic";
import { replacementIn } from "./errors";
import { formatDate, formatWhen } from "./format";

const ALL = ["1:1", "1:4", "1:8", "2:3", "3:2", "3:4", "4:1", "4:3", "4:5", "5:4", "8:1", "9:16", "16:9", "21:9"];
const TEN = ["1:1", "2:3", "3:2", "3:4", "4:3", "4:5", "5:4", "9:16", "16:9", "21:9"];

function cap(o: Partial<ModelCapabilities> & Pick<ModelCapabilities, "id" | "name">): ModelCapabilities {
  const ratios = o.aspect_ratios ?? ALL;
  const sizes = o.image_sizes ?? ["1K", "2K", "4K"];
  return {
    description: "", is_default: false, aspect_ratios: ratios, image_sizes: sizes, default_image_size: sizes.length ? "1K" : null,
    thinking_levels: ["minimal", "medium", "high"], default_thinking_level: "medium", thinks: true, supports_thoughts: true,
    search_types: ["web", "image"], max_reference_images: 14, max_object_images: 10, max_character_images: 4,
    outputs: ratios.flatMap((r) => (sizes.length ? sizes : [null]).map((s) => ({ aspect_ratio: r, image_size: s, width: 1, height: 1, tokens: 1120 }))),
    family: "nano-banana-2", status: "current", availability: "available", note: null, successor: null, video_input: false, batch: true, released: null,
    ...o,
  };
}

const nb21 = cap({ id: "gemini-nano-banana-2.1", name: "Nano Banana 2.1", is_default: true });
const pro = cap({ id: "gemini-3-pro-image", name: "Nano Banana Pro", aspect_ratios: TEN, thinking_levels: [], default_thinking_level: null, search_types: ["web"], max_object_images: 6, max_character_images: 5 });
const lite = cap({ id: "gemini-3.1-flash-lite-image", name: "Nano Banana 2 Lite", aspect_ratios: TEN, image_sizes: ["1K"], thinking_levels: ["minimal", "high"], default_thinking_level: "minimal", search_types: [],
  note: "Reference limits are not published for Lite; the 3.1 Flash figures are assumed." });
const flash31 = cap({ id: "gemini-3.1-flash-image", name: "Nano Banana 2 (3.1 Flash)", status: "deprecated", successor: "gemini-nano-banana-2.1", image_sizes: ["512", "1K", "2K", "4K"],
  thinking_levels: ["minimal", "high"], default_thinking_level: "minimal", video_input: true,
  note: "Deprecated in favour of Nano Banana 2.1; a third-party snapshot reports it shut down on 2026-10-29 (unconfirmed)." });
const nb25 = cap({ id: "gemini-2.5-flash-image", name: "Nano Banana", status: "restricted", availability: "unavailable", successor: "gemini-3.1-flash-lite-image", aspect_ratios: TEN, image_sizes: [],
  thinking_levels: [], default_thinking_level: null, thinks: false, supports_thoughts: false, search_types: [], max_reference_images: 3, max_object_images: 3, max_character_images: 3,
  note: "Unavailable for this key: Google offers it only to projects that used it before." });
const fresh = cap({ id: "gemini-nano-banana-2.2-preview", name: "Nano Banana 2.2 Preview", status: "new", search_types: ["web"],
  note: "New: not in this version's model data; limits borrowed from Nano Banana 2.1 and kept conservative." });
const caps = [nb21, pro, lite, flash31, fresh, nb25];
const retired: RetiredModel[] = [
  { id: "gemini-3.1-flash-image-preview", name: "Nano Banana 2 (preview)", successor: "gemini-nano-banana-2.1", retired_on: "2026-06-25" },
  { id: "gemini-3-pro-image-preview", name: "Nano Banana Pro (preview)", successor: "gemini-3-pro-image", retired_on: "2026-06-25" },
];

describe("resolveModel", () => {
  it("keeps a usable model", () => {
    expect(resolveModel("gemini-3-pro-image", caps, retired)).toEqual({ cap: pro, notice: null });
    expect(resolveModel("gemini-3.1-flash-image", caps, retired).cap).toBe(flash31);
  });
  it("moves a retired id to its successor, saying when Google retired it", () => {
    const r = resolveModel("gemini-3.1-flash-image-preview", caps, retired);
    expect(r.cap).toBe(nb21);
    expect(r.notice).toBe("Google retired gemini-3.1-flash-image-preview on 2026-06-25; now Nano Banana 2.1.");
    expect(resolveModel("gemini-3-pro-image-preview", caps, retired).notice).toBe("Google retired gemini-3-pro-image-preview on 2026-06-25; now Nano Banana Pro.");
  });
  it("a retirement the API reported (no date) still moves on", () => {
    const r = resolveModel("gemini-x-image", caps, [{ id: "gemini-x-image", name: "X", successor: "gemini-3-pro-image", retired_on: null }]);
    expect(r.notice).toBe("Google retired gemini-x-image; now Nano Banana Pro.");
  });
  it("follows a chain of successors, through retired ids and closed models", () => {
    const chain: RetiredModel[] = [{ id: "a", name: "A", successor: "b", retired_on: null }, { id: "b", name: "B", successor: "gemini-2.5-flash-image", retired_on: null }];
    // b is retired too, and 2.5 is closed to this key: its successor, Lite, is where it ends.
    expect(followSuccession("a", caps, chain)).toBe(lite);
    expect(resolveModel("a", caps, chain).cap).toBe(lite);
  });
  it("a model closed to this key moves to its successor", () => {
    const r = resolveModel("gemini-2.5-flash-image", caps, retired);
    expect(r.cap).toBe(lite);
    expect(r.notice).toBe("Nano Banana is not available for this key; now Nano Banana 2 Lite.");
  });
  it("an unknown id moves to the default, and no id is the default silently", () => {
    expect(resolveModel("gemini-9-image", caps, retired)).toEqual({ cap: nb21, notice: "gemini-9-image is not among the models on offer; now Nano Banana 2.1." });
    expect(resolveModel(undefined, caps, retired)).toEqual({ cap: nb21, notice: null });
  });
  it("the default is the first usable model when the marked one is closed", () => {
    expect(defaultModel([{ ...nb21, availability: "unavailable" }, pro])).toBe(pro);
  });
  it("names any id: the catalogue's, a retired one's, else the id", () => {
    expect(modelName("gemini-3-pro-image", caps, retired)).toBe("Nano Banana Pro");
    expect(modelName("gemini-3-pro-image-preview", caps, retired)).toBe("Nano Banana Pro (preview)");
    expect(modelName("gemini-9", caps, retired)).toBe("gemini-9");
  });
});

describe("fitSelection (the saved draft, a changed catalogue)", () => {
  it("a draft on a retired id moves to the successor, saying so and what else changed", () => {
    const saved = { ...defaultSelection(flash31), model: "gemini-3.1-flash-image-preview", image_size: "512", aspect_ratio: "1:8", thinking_level: "high" };
    const { selection, changes } = fitSelection(saved, caps, retired);
    expect(selection).toMatchObject({ model: "gemini-nano-banana-2.1", image_size: "1K", aspect_ratio: "1:8", thinking_level: "high" });
    expect(changes).toEqual(["Google retired gemini-3.1-flash-image-preview on 2026-06-25; now Nano Banana 2.1.", "512 is not offered by Nano Banana 2.1; now 1K."]);
  });
  it("a draft on a usable model is fitted silently", () => {
    const { selection, changes } = fitSelection({ ...defaultSelection(pro), image_size: "4K" }, caps, retired);
    expect(selection).toMatchObject({ model: "gemini-3-pro-image", image_size: "4K" });
    expect(changes).toEqual([]);
  });
  it("no draft, or a corrupt one, starts from the default", () => {
    expect(fitSelection(null, caps, retired).selection.model).toBe("gemini-nano-banana-2.1");
    expect(fitSelection({ count: 2 } as never, caps, retired).selection.model).toBe("gemini-nano-banana-2.1");
  });
  it("a model that became closed to this key moves on with a reason", () => {
    const { selection, changes } = fitSelection(defaultSelection({ ...nb25, availability: "available" }), caps, retired);
    expect(selection.model).toBe("gemini-3.1-flash-lite-image");
    expect(changes[0]).toBe("Nano Banana is not available for this key; now Nano Banana 2 Lite.");
  });
});

describe("reused parameters and branches", () => {
  it("fromParams maps a retired id through the retired list", () => {
    const { selection, changes } = fromParams({ model: "gemini-3-pro-image-preview", image_size: "4K", aspect_ratio: "21:9", search: { web: true } }, caps, retired);
    expect(selection).toMatchObject({ model: "gemini-3-pro-image", image_size: "4K", aspect_ratio: "21:9", search_web: true });
    expect(changes).toEqual(["Google retired gemini-3-pro-image-preview on 2026-06-25; now Nano Banana Pro."]);
  });
  it("paramsFor sends a usable model's params as they were", () => {
    const p = { model: "gemini-3-pro-image", image_size: "2K", count: 1 };
    expect(paramsFor(p, caps, retired)).toEqual({ params: p, cap: pro, notice: null });
  });
  it("paramsFor refits a retired model's params to its successor and keeps the character marks", () => {
    const r = paramsFor({ model: "gemini-3.1-flash-image-preview", image_size: "512", thinking_level: "minimal", character_references: [0, 2] }, caps, retired);
    expect(r.cap).toBe(nb21);
    expect(r.params).toMatchObject({ model: "gemini-nano-banana-2.1", image_size: "1K", thinking_level: "minimal", character_references: [0, 2] });
    expect(r.notice).toMatch(/^Google retired gemini-3.1-flash-image-preview/);
  });
});

describe("the picker and the model card", () => {
  it("labels each model with its state; closed ones say so", () => {
    expect(caps.map(modelOptionLabel)).toEqual([
      "Nano Banana 2.1 (default)", "Nano Banana Pro", "Nano Banana 2 Lite", "Nano Banana 2 (3.1 Flash) (deprecated)",
      "Nano Banana 2.2 Preview (new)", "Nano Banana (unavailable for this key)",
    ]);
  });
  it("badges the state", () => {
    expect(stateBadge(nb21)).toEqual({ text: "Default", tone: "ok" });
    expect(stateBadge(pro)).toEqual({ text: "Current", tone: "ok" });
    expect(stateBadge(fresh)).toEqual({ text: "New", tone: "new" });
    expect(stateBadge(flash31)).toEqual({ text: "Deprecated", tone: "warn" });
    expect(stateBadge(nb25)).toEqual({ text: "Unavailable for this key", tone: "danger" });
    expect(availabilityText({ ...pro, availability: "unchecked" })).toBe("Not checked with Google");
  });
  it("lists the limits", () => {
    expect(modelLimits(nb21)).toEqual([["Ratios", "14"], ["Sizes", "1K, 2K, 4K"], ["References", "Up to 14 (10 objects, 4 characters)"], ["Search", "Web and image"], ["Video input", "No"]]);
    expect(modelLimits(lite).map(([, v]) => v)).toEqual(["10", "1K", "Up to 14 (10 objects, 4 characters)", "None", "No"]);
    expect(modelLimits(pro)[3]).toEqual(["Search", "Web"]);
    expect(modelLimits(flash31).at(-1)).toEqual(["Video input", "Yes (as context)"]);
    expect(modelLimits(nb25)[1]).toEqual(["Sizes", "One (1024-px class)"]);
  });
  it("notes: the successor unless the note names it, then the note", () => {
    expect(modelNotes(flash31, caps)).toEqual([flash31.note]);
    expect(modelNotes({ ...flash31, note: null }, caps)).toEqual(["Deprecated: Nano Banana 2.1 replaces it."]);
    expect(modelNotes(nb25, caps)).toEqual([nb25.note, "Use Nano Banana 2 Lite instead."]);
    expect(modelNotes({ ...nb25, note: null }, caps)).toEqual(["Use Nano Banana 2 Lite instead."]);
    expect(modelNotes(fresh, caps)).toEqual(["New: not in this version's model data; limits borrowed from Nano Banana 2.1 and kept conservative."]);
    expect(modelNotes(nb21, caps)).toEqual([]);
  });
  it("counts for Settings", () => {
    expect(catalogueCounts(caps, retired)).toEqual({ available: 5, unavailable: 1, new: 1, retired: 2 });
  });
});

describe("errors that name a replacement", () => {
  it("reads the retired model and its successor from the message", () => {
    expect(replacementIn({ kind: "model_retired", message: "Google has retired gemini-3.1-flash-image; Nano Banana 2.1 (gemini-nano-banana-2.1) replaces it: switch to it and try again" }))
      .toEqual({ model: "gemini-3.1-flash-image", name: "Nano Banana 2.1", id: "gemini-nano-banana-2.1" });
  });
  it("reads a closed model's alternative, names with parentheses included", () => {
    expect(replacementIn({ kind: "model_unavailable", message: "gemini-2.5-flash-image is not available for this API key (Unavailable for this key: Google offers it only to projects that used it before); use Nano Banana 2 (3.1 Flash) (gemini-3.1-flash-image) instead" }))
      .toEqual({ model: "gemini-2.5-flash-image", name: "Nano Banana 2 (3.1 Flash)", id: "gemini-3.1-flash-image" });
    expect(replacementIn({ kind: "model_unavailable", message: "gemini-2.5-flash-image is not available for this API key (models.list does not offer it to this key)" })).toBeNull();
    expect(replacementIn({ kind: "quota", message: "retired x; y (z) replaces it" })).toBeNull();
  });
});

describe("formatWhen", () => {
  const now = Date.parse("2026-12-02T12:00:00Z");
  it("gives the local time and how long ago", () => {
    expect(formatWhen("2026-12-02T09:30:00Z", now)).toBe(`${formatDate(Date.parse("2026-12-02T09:30:00Z"))}, 2 hours ago`);
    expect(formatWhen("2026-12-02T11:59:40Z", now)).toMatch(/, just now$/);
    expect(formatWhen("2026-12-02T11:01:00Z", now)).toMatch(/, 59 minutes ago$/);
    expect(formatWhen("2026-12-01T11:00:00Z", now)).toMatch(/, 1 day ago$/);
    expect(formatWhen("not a date", now)).toBe("not a date");
  });
});
