// Shared test data: the capability table (from docs/gemini-api.md), app info, tiny PNGs made with node:zlib,
// and the screenshot comparison against committed baselines.
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { PNG } from "pngjs";
import pixelmatch from "pixelmatch";
import { repoRoot, uiRoot } from "./harness.mjs";

export const demoInfo = { name: "Banana Studio", version: "0.1.0", data_dir: "/home/ann/.local/share/studio.banana.desktop", mode: "demo", api_base_url: "http://127.0.0.1:4321", has_api_key: false, key_source: "none", key_storage: "file" };
export const liveInfo = { ...demoInfo, mode: "live", api_base_url: "https://generativelanguage.googleapis.com", has_api_key: true, key_source: "keychain", key_storage: "keychain" };

const flashTable = `1:1 512x512 1024x1024 2048x2048 4096x4096
1:4 256x1024 512x2048 1024x4096 2048x8192
1:8 192x1536 384x3072 768x6144 1536x12288
2:3 424x632 848x1264 1696x2528 3392x5056
3:2 632x424 1264x848 2528x1696 5056x3392
3:4 448x600 896x1200 1792x2400 3584x4800
4:1 1024x256 2048x512 4096x1024 8192x2048
4:3 600x448 1200x896 2400x1792 4800x3584
4:5 464x576 928x1152 1856x2304 3712x4608
5:4 576x464 1152x928 2304x1856 4608x3712
8:1 1536x192 3072x384 6144x768 12288x1536
9:16 384x688 768x1376 1536x2752 3072x5504
16:9 688x384 1376x768 2752x1536 5504x3072
21:9 792x168 1584x672 3168x1344 6336x2688`;
const proTable = `1:1 1024x1024 2048x2048 4096x4096
2:3 848x1264 1696x2528 3392x5056
3:2 1264x848 2528x1696 5056x3392
3:4 896x1200 1792x2400 3584x4800
4:3 1200x896 2400x1792 4800x3584
4:5 928x1152 1856x2304 3712x4608
5:4 1152x928 2304x1856 4608x3712
9:16 768x1376 1536x2752 3072x5504
16:9 1376x768 2752x1536 5504x3072
21:9 1584x672 3168x1344 6336x2688`;
const nbTable = "1:1 1024x1024,2:3 832x1248,3:2 1248x832,3:4 864x1184,4:3 1184x864,4:5 896x1152,5:4 1152x896,9:16 768x1344,16:9 1344x768,21:9 1536x672";

function table(text, sizes, tokens) {
  const ratios = [];
  const outputs = [];
  for (const line of text.split("\n")) {
    const [ratio, ...dims] = line.trim().split(/\s+/);
    ratios.push(ratio);
    dims.forEach((d, i) => { const [w, h] = d.split("x").map(Number); outputs.push({ aspect_ratio: ratio, image_size: sizes[i], width: w, height: h, tokens: tokens[i] }); });
  }
  return { ratios, outputs };
}
const flash = table(flashTable, ["512", "1K", "2K", "4K"], [747, 1120, 1680, 2520]);
const pro = table(proTable, ["1K", "2K", "4K"], [1120, 1120, 2000]);
const nbOutputs = nbTable.split(",").map((e) => { const [r, d] = e.split(" "); const [w, h] = d.split("x").map(Number); return { aspect_ratio: r, image_size: null, width: w, height: h, tokens: 1290 }; });

export const capabilities = [
  { id: "gemini-3.1-flash-image-preview", name: "Nano Banana 2", description: "Best balance of quality, speed and cost; 512 to 4K; web and image search.", is_default: true,
    aspect_ratios: flash.ratios, image_sizes: ["512", "1K", "2K", "4K"], default_image_size: "1K", thinking_levels: ["minimal", "high"], default_thinking_level: "minimal",
    thinks: true, supports_thoughts: true, search_types: ["web", "image"], max_reference_images: 14, max_object_images: 10, max_character_images: 4, outputs: flash.outputs },
  { id: "gemini-3-pro-image-preview", name: "Nano Banana Pro", description: "Professional assets, complex instructions, the best text rendering.", is_default: false,
    aspect_ratios: pro.ratios, image_sizes: ["1K", "2K", "4K"], default_image_size: "1K", thinking_levels: [], default_thinking_level: null,
    thinks: true, supports_thoughts: true, search_types: ["web"], max_reference_images: 14, max_object_images: 6, max_character_images: 5, outputs: pro.outputs },
  { id: "gemini-2.5-flash-image", name: "Nano Banana", description: "Speed and high volume at low latency; best with up to 3 input images.", is_default: false,
    aspect_ratios: nbOutputs.map((o) => o.aspect_ratio), image_sizes: [], default_image_size: null, thinking_levels: [], default_thinking_level: null,
    thinks: false, supports_thoughts: false, search_types: [], max_reference_images: 3, max_object_images: 3, max_character_images: 3, outputs: nbOutputs },
];

// --- PNG encoding (RGB, 8 bit) with node:zlib -------------------------------------------------------------
const crcTable = Array.from({ length: 256 }, (_, n) => { let c = n; for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1; return c >>> 0; });
function crc32(buf) { let c = 0xffffffff; for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8); return (c ^ 0xffffffff) >>> 0; }
function chunk(type, data) {
  const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type), data]);
  const crc = Buffer.alloc(4); crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}
/** A w×h PNG whose pixel at (x, y) is `color(x, y)` = [r, g, b]. */
export function makePng(w, h, color) {
  const raw = Buffer.alloc((w * 3 + 1) * h);
  for (let y = 0; y < h; y++) {
    raw[y * (w * 3 + 1)] = 0;
    for (let x = 0; x < w; x++) { const [r, g, b] = color(x, y); const o = y * (w * 3 + 1) + 1 + x * 3; raw[o] = r; raw[o + 1] = g; raw[o + 2] = b; }
  }
  const ihdr = Buffer.alloc(13); ihdr.writeUInt32BE(w, 0); ihdr.writeUInt32BE(h, 4); ihdr[8] = 8; ihdr[9] = 2;
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk("IHDR", ihdr), chunk("IDAT", zlib.deflateSync(raw)), chunk("IEND", Buffer.alloc(0))]);
}

function hash(s) { let x = 2166136261; for (const c of s) x = Math.imul(x ^ c.charCodeAt(0), 16777619); return x >>> 0; }
/** A deterministic colourful picture for any id: a gradient with a sun, different per id. */
export function pictureFor(id, w = 256, h = 256) {
  const seed = hash(id);
  const hue = [seed & 255, (seed >> 8) & 255, (seed >> 16) & 255];
  const cx = 60 + (seed % 140), cy = 60 + ((seed >> 5) % 120);
  return makePng(w, h, (x, y) => {
    const d = Math.hypot(x - cx, y - cy);
    if (d < 36) return [255, 214, 60];
    const t = y / h;
    return [Math.round(hue[0] * (1 - t) + 40 * t), Math.round(hue[1] * (1 - t) + 60 * t), Math.round(hue[2] * (1 - t) + 120 * t)];
  });
}
const cache = new Map();
/** The image callback for `serve`: every kind/id gets its own picture (cached). */
export function images(kind, id) {
  const key = `${kind}/${id}`;
  if (!cache.has(key)) cache.set(key, pictureFor(key, kind === "image" ? 512 : 192, kind === "image" ? 384 : 192));
  return cache.get(key);
}

// --- Screenshots ----------------------------------------------------------------------------------------
const shotsDir = path.join(repoRoot, "docs/screenshots");
const baseDir = path.join(uiRoot, "tests/ui/baselines");

/**
 * Saves docs/screenshots/ui-{name}.png and compares it with tests/ui/baselines/ui-{name}.png (small
 * tolerance for antialiasing). A missing baseline is written when UPDATE_BASELINES=1, otherwise it fails.
 */
export async function shot(page, name, { maxDiffRatio = 0.004 } = {}) {
  fs.mkdirSync(shotsDir, { recursive: true });
  fs.mkdirSync(baseDir, { recursive: true });
  await page.evaluate(() => document.fonts?.ready);
  const buf = await page.screenshot({ animations: "disabled", caret: "hide" });
  const file = `ui-${name}.png`;
  fs.writeFileSync(path.join(shotsDir, file), buf);
  const basePath = path.join(baseDir, file);
  if (process.env.UPDATE_BASELINES === "1") { fs.writeFileSync(basePath, buf); return; }
  if (!fs.existsSync(basePath)) throw new Error(`no baseline ${file}: run with UPDATE_BASELINES=1 to create it`);
  const a = PNG.sync.read(fs.readFileSync(basePath));
  const b = PNG.sync.read(buf);
  if (a.width !== b.width || a.height !== b.height) throw new Error(`${file}: size ${b.width}x${b.height} differs from baseline ${a.width}x${a.height}`);
  const diff = new PNG({ width: a.width, height: a.height });
  const n = pixelmatch(a.data, b.data, diff.data, a.width, a.height, { threshold: 0.1 });
  const ratio = n / (a.width * a.height);
  if (ratio > maxDiffRatio) {
    const out = path.join(baseDir, `../diff-${file}`);
    fs.writeFileSync(out, PNG.sync.write(diff));
    throw new Error(`${file}: ${(ratio * 100).toFixed(2)}% pixels differ from the baseline (diff in ${out})`);
  }
}

/** Handlers every screen needs. */
export function baseHandlers(extra = {}) {
  return {
    app_info: demoInfo,
    capabilities,
    estimate_cost: (a) => {
      const caps = window.__FIX__.caps;
      const p = a.params; const cap = caps.find((c) => c.id === p.model) ?? caps[0];
      const o = cap.outputs.find((x) => x.aspect_ratio === (p.aspect_ratio ?? "1:1") && (x.image_size ?? null) === (p.image_size ?? null)) ?? cap.outputs[0];
      const n = p.count ?? 1;
      return { model: cap.id, images: n, tokens_per_image: o.tokens, output_tokens: n * o.tokens, reference_tokens: a.referenceCount * 560, price: null, note: "Thought and prompt tokens come on top." };
    },
    gallery_list: { items: [], total: 0 },
    ...extra,
  };
}

/** Opens the app with the base handlers plus `extra`, the capability table as `__FIX__.caps`. */
export async function openStudio(browser, server, extra = {}, opts = {}) {
  const r = await (await import("./harness.mjs")).openApp(browser, server.url, baseHandlers(extra), { ...opts, fixtures: { caps: capabilities, ...(opts.fixtures ?? {}) } });
  await r.page.waitForSelector("#output-info");
  return r;
}
