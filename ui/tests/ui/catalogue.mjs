// The model catalogue the mock backend serves: a copy of crates/studio-core/data/models.json (as of
// 2026-12-02), turned into `ModelCapabilities` the way studio-core's catalogue does (data.rs, live.rs), and
// merged with a pretend `models.list` answer. foundation.test.mjs checks the copy against the file, so a
// change there shows up here as one failing test instead of as odd screenshots.

const RATIOS = {
  flash: {
    sizes: ["512", "1K", "2K", "4K"],
    ratios: {
      "1:1": [[512, 512], [1024, 1024], [2048, 2048], [4096, 4096]],
      "1:4": [[256, 1024], [512, 2048], [1024, 4096], [2048, 8192]],
      "1:8": [[192, 1536], [384, 3072], [768, 6144], [1536, 12288]],
      "2:3": [[424, 632], [848, 1264], [1696, 2528], [3392, 5056]],
      "3:2": [[632, 424], [1264, 848], [2528, 1696], [5056, 3392]],
      "3:4": [[448, 600], [896, 1200], [1792, 2400], [3584, 4800]],
      "4:1": [[1024, 256], [2048, 512], [4096, 1024], [8192, 2048]],
      "4:3": [[600, 448], [1200, 896], [2400, 1792], [4800, 3584]],
      "4:5": [[464, 576], [928, 1152], [1856, 2304], [3712, 4608]],
      "5:4": [[576, 464], [1152, 928], [2304, 1856], [4608, 3712]],
      "8:1": [[1536, 192], [3072, 384], [6144, 768], [12288, 1536]],
      "9:16": [[384, 688], [768, 1376], [1536, 2752], [3072, 5504]],
      "16:9": [[688, 384], [1376, 768], [2752, 1536], [5504, 3072]],
      "21:9": [[792, 168], [1584, 672], [3168, 1344], [6336, 2688]],
    },
  },
  "flash-2.5": {
    sizes: ["1K"],
    ratios: {
      "1:1": [[1024, 1024]], "2:3": [[832, 1248]], "3:2": [[1248, 832]], "3:4": [[864, 1184]], "4:3": [[1184, 864]],
      "4:5": [[896, 1152]], "5:4": [[1152, 896]], "9:16": [[768, 1344]], "16:9": [[1344, 768]], "21:9": [[1536, 672]],
    },
  },
};
const ALL = ["1:1", "1:4", "1:8", "2:3", "3:2", "3:4", "4:1", "4:3", "4:5", "5:4", "8:1", "9:16", "16:9", "21:9"];
const TEN = ["1:1", "2:3", "3:2", "3:4", "4:3", "4:5", "5:4", "9:16", "16:9", "21:9"];

export const data = {
  version: 2,
  as_of: "2026-12-02",
  default_model: "gemini-nano-banana-2.1",
  inline_limit_bytes: 100000000,
  models: [
    { id: "gemini-nano-banana-2.1", name: "Nano Banana 2.1", family: "nano-banana-2", description: "The default: best balance of quality, speed and cost, all 14 ratios up to 4K",
      status: "current", released: "2026-10-06", pixels: "flash", aspect_ratios: ALL, image_sizes: ["1K", "2K", "4K"], default_image_size: "1K",
      tokens_per_image: { "1K": 1120, "2K": 1680, "4K": 2520 }, thinking_levels: ["minimal", "medium", "high"], default_thinking_level: "medium", thinks: true, supports_thoughts: true,
      search_types: ["web", "image"], max_reference_images: 14, max_object_images: 10, max_character_images: 4, video_input: false, batch: true },
    { id: "gemini-3-pro-image", name: "Nano Banana Pro", family: "nano-banana-pro", description: "Professional assets, complex instructions, best text rendering; always thinks",
      status: "current", released: "2026-05-28", pixels: "flash", aspect_ratios: TEN, image_sizes: ["1K", "2K", "4K"], default_image_size: "1K",
      tokens_per_image: { "1K": 1120, "2K": 1120, "4K": 2000 }, thinking_levels: [], default_thinking_level: null, thinks: true, supports_thoughts: true,
      search_types: ["web"], max_reference_images: 14, max_object_images: 6, max_character_images: 5, video_input: false, batch: true,
      note: "No free tier: a free key gets a quota of 0." },
    { id: "gemini-3.1-flash-lite-image", name: "Nano Banana 2 Lite", family: "nano-banana-2-lite", description: "Fastest and cheapest: under 2 s, 1K only, no Search grounding",
      status: "current", released: "2026-06-30", pixels: "flash", aspect_ratios: ["1:1", "3:2", "2:3", "3:4", "4:3", "4:5", "5:4", "9:16", "16:9", "21:9"], image_sizes: ["1K"], default_image_size: "1K",
      tokens_per_image: { "1K": 1120 }, thinking_levels: ["minimal", "high"], default_thinking_level: "minimal", thinks: true, supports_thoughts: true,
      search_types: [], max_reference_images: 14, max_object_images: 10, max_character_images: 4, video_input: false, batch: true,
      note: "Reference limits are not published for Lite; the 3.1 Flash figures are assumed." },
    { id: "gemini-3.1-flash-image", name: "Nano Banana 2 (3.1 Flash)", family: "nano-banana-2", description: "The first Nano Banana 2; takes a video as context (thumbnails, posters)",
      status: "deprecated", successor: "gemini-nano-banana-2.1", released: "2026-05-28", pixels: "flash", aspect_ratios: ALL, image_sizes: ["512", "1K", "2K", "4K"], default_image_size: "1K",
      tokens_per_image: { "512": 747, "1K": 1120, "2K": 1680, "4K": 2520 }, thinking_levels: ["minimal", "high"], default_thinking_level: "minimal", thinks: true, supports_thoughts: true,
      search_types: ["web", "image"], max_reference_images: 14, max_object_images: 10, max_character_images: 4, video_input: true, batch: true,
      note: "Deprecated in favour of Nano Banana 2.1; a third-party snapshot reports it shut down on 2026-10-29 (unconfirmed)." },
    { id: "gemini-2.5-flash-image", name: "Nano Banana", family: "nano-banana", description: "The first Nano Banana: speed and volume, about 1024 px, best with up to 3 references",
      status: "restricted", successor: "gemini-3.1-flash-lite-image", released: "2025-08-26", pixels: "flash-2.5", aspect_ratios: TEN, image_sizes: [], default_image_size: null,
      tokens_per_image: { "1K": 1290 }, thinking_levels: [], default_thinking_level: null, thinks: false, supports_thoughts: false,
      search_types: [], max_reference_images: 3, max_object_images: 3, max_character_images: 3, video_input: false, batch: true,
      note: "Since 2026-09 Google keeps it for projects that used it before; new keys should not expect it." },
  ],
  retired: [
    { id: "gemini-3.1-flash-image-preview", name: "Nano Banana 2 (preview)", successor: "gemini-nano-banana-2.1", retired_on: "2026-06-25" },
    { id: "gemini-3-pro-image-preview", name: "Nano Banana Pro (preview)", successor: "gemini-3-pro-image", retired_on: "2026-06-25" },
  ],
};

/** One data-file entry as the backend sends it (data.rs: a model without a size choice uses the 1K column). */
function toCaps(m) {
  const table = RATIOS[m.pixels];
  const columns = m.image_sizes.length ? m.image_sizes.map((s) => [s, s]) : [[null, "1K"]];
  const outputs = m.aspect_ratios.flatMap((r) => columns.map(([size, col]) => {
    const [width, height] = table.ratios[r][table.sizes.indexOf(col)];
    return { aspect_ratio: r, image_size: size, width, height, tokens: m.tokens_per_image[col] };
  }));
  return {
    id: m.id, name: m.name, description: m.description, is_default: m.id === data.default_model, aspect_ratios: m.aspect_ratios, image_sizes: m.image_sizes,
    default_image_size: m.default_image_size, thinking_levels: m.thinking_levels, default_thinking_level: m.default_thinking_level, thinks: m.thinks,
    supports_thoughts: m.supports_thoughts, search_types: m.search_types, max_reference_images: m.max_reference_images, max_object_images: m.max_object_images,
    max_character_images: m.max_character_images, outputs, family: m.family, status: m.status, availability: "unchecked", note: m.note ?? null,
    successor: m.successor ?? null, video_input: m.video_input, batch: m.batch, released: m.released ?? null,
  };
}

const bundledModels = () => data.models.map(toCaps).sort((a, b) => Number(b.is_default) - Number(a.is_default));

/** The data file alone (offline, or before models.list was read). */
export function bundledCatalogue() {
  return {
    models: bundledModels(), retired: data.retired.map((r) => ({ ...r })), source: "bundled", fetched_at: null, data_as_of: data.as_of, data_version: data.version,
    note: `The model list bundled with this version (data of ${data.as_of}); it could not be checked with Google yet`, inline_limit_bytes: data.inline_limit_bytes,
  };
}

/** A model Google lists that the data file does not know: limits borrowed from Nano Banana 2.1 (live.rs `infer`). */
export const newModel = (() => {
  const base = toCaps(data.models[0]);
  return { ...base, id: "gemini-nano-banana-2.2-preview", name: "Nano Banana 2.2 Preview", description: "A preview of the next Nano Banana 2",
    is_default: false, status: "new", availability: "available", search_types: ["web"], successor: null, video_input: false, released: null,
    note: "New: not in this version's model data; limits borrowed from Nano Banana 2.1 and kept conservative." };
})();

const WHY = { restricted: "Google offers it only to projects that used it before", deprecated: "Google no longer offers it (deprecated)" };

/**
 * The data file merged with a `models.list` answer (Catalogue::from_listing): `unavailable` are the ids the
 * key was not offered, `extra` new models; sorted default first, usable next (new ones last of those).
 */
export function liveCatalogue({ unavailable = ["gemini-2.5-flash-image"], extra = [], retire = [], fetchedAt = "2026-12-02T09:30:00Z" } = {}) {
  const c = bundledCatalogue();
  for (const m of c.models) {
    if (unavailable.includes(m.id)) { m.availability = "unavailable"; m.note = `Unavailable for this key: ${WHY[m.status] ?? "models.list does not offer it to this key"}.`; }
    else m.availability = "available";
  }
  // Models the API answered 404 for since (mark_retired): out of the list, into the retired one.
  for (const id of retire) {
    const m = c.models.find((x) => x.id === id);
    c.models = c.models.filter((x) => x.id !== id);
    c.retired.push({ id, name: m?.name ?? id, successor: m?.successor ?? data.default_model, retired_on: null });
  }
  c.models.push(...extra.map((m) => ({ ...m })));
  const key = (m) => [m.is_default ? 0 : 1, m.availability === "unavailable" ? 1 : 0, m.status === "new" ? 1 : 0];
  c.models = c.models.map((m, i) => [m, i]).sort(([a, i], [b, j]) => { const x = key(a), y = key(b); for (let k = 0; k < 3; k++) if (x[k] !== y[k]) return x[k] - y[k]; return i - j; }).map(([m]) => m);
  c.source = "live";
  c.fetched_at = fetchedAt;
  c.note = `${c.models.filter((m) => m.availability !== "unavailable").length} image models offered to this key by Google's models.list`;
  return c;
}
